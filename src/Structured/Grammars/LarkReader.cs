using System.Globalization;
using System.Text;
using Structured.Lexing;
using Structured.Regex;

namespace Structured.Grammars;

/// <summary>
/// Reads Lark-style EBNF, the dialect llguidance and Outlines accept: lowercase rules, UPPERCASE terminals,
/// <c>"literals"</c> (with the <c>i</c> flag), <c>/regex/flags</c>, <c>"a".."z"</c> ranges, <c>[optional]</c>,
/// <c>? * + ~n ~n..m</c>, <c>-&gt; alias</c> (ignored), <c>%ignore</c> and <c>%import common.X</c>. The start rule is <c>start</c>.
/// Lexemes take the longest match, as in Lark's contextual lexer.
/// </summary>
internal sealed class LarkReader
{
    private readonly SourceText _s;
    private readonly List<GrammarRule> _rules = [];
    private readonly Dictionary<string, (GrammarExpr Body, SourceLocation Loc)> _terminalBodies = new(StringComparer.Ordinal);
    private readonly List<string> _terminalOrder = [];
    private readonly List<string> _ignore = [];
    private readonly Dictionary<string, int> _priorities = new(StringComparer.Ordinal);
    private readonly bool _isCommonLibrary;
    private int _anonymous;

    private LarkReader(string text, string? name, bool isCommon)
    {
        _s = new SourceText(text, name);
        _isCommonLibrary = isCommon;
    }

    public static Grammar Read(string text, string? sourceName = null)
    {
        var r = new LarkReader(text, sourceName, isCommon: false);
        r.ReadStatements();
        if (!r._rules.Any(x => x.Name == "start"))
            throw new GrammarException("the grammar has no 'start' rule", 1, 1, sourceName);
        var terminals = r.ResolveTerminals();
        return new Grammar("start", r._rules, terminals, r._ignore.Distinct().ToList(), LexemeMatch.Longest, sourceName);
    }

    private static readonly Lazy<LarkReader> Common = new(() =>
    {
        var r = new LarkReader(LarkCommon.Text, "common.lark", isCommon: true);
        r.ReadStatements();
        return r;
    });

    private void ReadStatements()
    {
        while (true)
        {
            SkipSpace(newlines: true);
            if (_s.AtEnd) break;
            var loc = _s.Location;
            if (_s.Peek == '%') { ReadDirective(); continue; }
            int start = _s.Pos;
            char flag = _s.Peek is '?' or '!' ? _s.Text[_s.Pos++] : '\0';
            string name = ReadName() ?? throw _s.Error($"expected a rule or terminal name, found '{_s.Peek}'");
            int priority = 0;
            if (_s.Peek == '.')
            {
                _s.Pos++;
                bool negative = _s.Peek == '-';
                if (negative) _s.Pos++;
                priority = ReadInt() ?? throw _s.Error("expected a priority number after '.'");
                if (negative) priority = -priority;
            }
            if (_s.Peek == '{') throw _s.Error("rule templates (name{…}) are not supported");
            SkipSpace(newlines: false);
            if (_s.Peek != ':') throw _s.Error($"expected ':' after '{name}'");
            _s.Pos++;
            var body = ReadAlternatives(depth: 0);
            EndOfStatement();
            if (IsTerminalName(name))
            {
                if (flag != '\0') throw _s.Error("terminals cannot take '?' or '!'", start);
                if (!_terminalBodies.ContainsKey(name)) _terminalOrder.Add(name);
                _terminalBodies[name] = (body, loc);
                _priorities[name] = priority;
            }
            else
            {
                _rules.Add(new GrammarRule(name, body, loc));
            }
        }
    }

    private void EndOfStatement()
    {
        SkipSpace(newlines: false);
        if (!_s.AtEnd && _s.Peek != '\n') throw _s.Error($"unexpected '{_s.Peek}'");
    }

    private static bool IsTerminalName(string name)
    {
        string n = name.TrimStart('_');
        return n.Length > 0 && char.IsAsciiLetterUpper(n[0]);
    }

    private void ReadDirective()
    {
        int start = _s.Pos;
        _s.Pos++;
        string word = ReadName() ?? "";
        SkipSpace(newlines: false);
        switch (word)
        {
            case "ignore":
                {
                    var expr = ReadAlternatives(depth: 0);
                    if (expr is TerminalRef t) _ignore.Add(t.Name);
                    else
                    {
                        string name = $"__IGNORE_{_anonymous++}";
                        _terminalBodies[name] = (expr, _s.LocationAt(start));
                        _terminalOrder.Add(name);
                        _ignore.Add(name);
                    }
                    break;
                }
            case "import":
                ReadImport(start);
                break;
            case "llguidance":
                // llguidance options block: accepted and ignored.
                while (!_s.AtEnd && _s.Peek != '\n') _s.Pos++;
                break;
            default:
                throw _s.Error($"directive %{word} is not supported", start);
        }
        EndOfStatement();
    }

    private void ReadImport(int start)
    {
        string module = ReadName() ?? throw _s.Error("expected a module after %import");
        if (module != "common") throw _s.Error($"only %import common is supported (not '{module}')", start);
        var names = new List<(string Name, string Alias)>();
        if (_s.Peek == '.')
        {
            _s.Pos++;
            string name = ReadName() ?? throw _s.Error("expected a name after 'common.'");
            SkipSpace(newlines: false);
            string alias = name;
            if (_s.StartsWith("->"))
            {
                _s.Pos += 2;
                SkipSpace(newlines: false);
                alias = ReadName() ?? throw _s.Error("expected an alias after '->'");
            }
            names.Add((name, alias));
        }
        else
        {
            SkipSpace(newlines: false);
            if (_s.Peek != '(') throw _s.Error("expected '.NAME' or '(NAMES)' after %import common");
            _s.Pos++;
            while (true)
            {
                SkipSpace(newlines: true);
                if (_s.Peek == ')') { _s.Pos++; break; }
                string name = ReadName() ?? throw _s.Error("expected a name in the import list");
                names.Add((name, name));
                SkipSpace(newlines: true);
                if (_s.Peek == ',') _s.Pos++;
            }
        }
        var common = Common.Value;
        foreach (var (name, alias) in names)
        {
            if (!common._terminalBodies.ContainsKey(name)) throw _s.Error($"common has no terminal '{name}'", start);
            ImportTerminal(common, name, alias);
        }
    }

    private void ImportTerminal(LarkReader common, string name, string alias)
    {
        if (_terminalBodies.ContainsKey(alias)) return;
        var (body, loc) = common._terminalBodies[name];
        _terminalBodies[alias] = (body, loc);
        _terminalOrder.Add(alias);
        foreach (var dep in TerminalRefs(body)) ImportTerminal(common, dep, dep);
    }

    private static IEnumerable<string> TerminalRefs(GrammarExpr e) => e switch
    {
        TerminalRef t => [t.Name],
        SeqExpr s => s.Items.SelectMany(TerminalRefs),
        ChoiceExpr c => c.Alternatives.SelectMany(TerminalRefs),
        RepeatExpr r => TerminalRefs(r.Item),
        _ => [],
    };

    private void SkipSpace(bool newlines)
    {
        while (!_s.AtEnd)
        {
            char c = _s.Peek;
            if (c == '/' && _s.PeekAt(1) == '/') { while (!_s.AtEnd && _s.Peek != '\n') _s.Pos++; }
            else if (c == '#' && (_s.Pos == 0 || _s.Text[_s.Pos - 1] == '\n')) { while (!_s.AtEnd && _s.Peek != '\n') _s.Pos++; }
            else if (c == '\n')
            {
                if (newlines) { _s.Pos++; continue; }
                // A line that starts with '|' continues the statement.
                int j = _s.Pos + 1;
                while (j < _s.Text.Length && (_s.Text[j] is ' ' or '\t' or '\r' or '\n')) j++;
                if (j < _s.Text.Length && _s.Text[j] == '|') { _s.Pos = j; continue; }
                break;
            }
            else if (char.IsWhiteSpace(c)) _s.Pos++;
            else break;
        }
    }

    private string? ReadName()
    {
        int start = _s.Pos;
        while (!_s.AtEnd && (char.IsAsciiLetterOrDigit(_s.Peek) || _s.Peek == '_')) _s.Pos++;
        return _s.Pos == start ? null : _s.Text[start.._s.Pos];
    }

    private int? ReadInt()
    {
        int start = _s.Pos;
        while (char.IsAsciiDigit(_s.Peek)) _s.Pos++;
        if (_s.Pos == start) return null;
        if (!int.TryParse(_s.Text.AsSpan(start, _s.Pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out int v))
            throw _s.Error("number is too large", start);
        return v;
    }

    private GrammarExpr ReadAlternatives(int depth)
    {
        var alts = new List<GrammarExpr> { ReadSequence(depth) };
        while (true)
        {
            SkipSpace(newlines: depth > 0);
            if (_s.Peek != '|') break;
            _s.Pos++;
            alts.Add(ReadSequence(depth));
        }
        return alts.Count == 1 ? alts[0] : new ChoiceExpr(alts);
    }

    private GrammarExpr ReadSequence(int depth)
    {
        var items = new List<GrammarExpr>();
        while (true)
        {
            SkipSpace(newlines: depth > 0);
            if (_s.AtEnd || _s.Peek is '|' or ')' or ']' or '\n') break;
            if (_s.StartsWith("->"))
            {
                // An alias names the tree node; it does not change the language.
                _s.Pos += 2;
                SkipSpace(newlines: false);
                if (ReadName() is null) throw _s.Error("expected a name after '->'");
                continue;
            }
            items.Add(ReadPostfix(ReadAtom(depth), depth));
        }
        return items.Count == 1 ? items[0] : new SeqExpr(items);
    }

    private GrammarExpr ReadPostfix(GrammarExpr atom, int depth)
    {
        while (true)
        {
            SkipSpace(newlines: false);
            char c = _s.Peek;
            if (c == '*') { _s.Pos++; atom = new RepeatExpr(atom, 0, null); }
            else if (c == '+') { _s.Pos++; atom = new RepeatExpr(atom, 1, null); }
            else if (c == '?') { _s.Pos++; atom = new RepeatExpr(atom, 0, 1); }
            else if (c == '~')
            {
                int start = _s.Pos;
                _s.Pos++;
                SkipSpace(newlines: false);
                int lo = ReadInt() ?? throw _s.Error("expected a count after '~'", start);
                int hi = lo;
                if (_s.StartsWith("..")) { _s.Pos += 2; hi = ReadInt() ?? throw _s.Error("expected a count after '..'", start); }
                if (hi < lo) throw _s.Error($"repetition ~{lo}..{hi} has max below min", start);
                atom = new RepeatExpr(atom, lo, hi);
            }
            else break;
        }
        _ = depth;
        return atom;
    }

    private GrammarExpr ReadAtom(int depth)
    {
        int start = _s.Pos;
        char c = _s.Peek;
        switch (c)
        {
            case '"':
                {
                    var (text, display) = ReadString();
                    if (_s.StartsWith(".."))
                    {
                        _s.Pos += 2;
                        var (hiText, _) = ReadString();
                        var lo = text.EnumerateRunes().ToList();
                        var hi = hiText.EnumerateRunes().ToList();
                        if (lo.Count != 1 || hi.Count != 1) throw _s.Error("a range needs one character on each side of '..'", start);
                        if (hi[0].Value < lo[0].Value) throw _s.Error("range out of order", start);
                        return new TokenExpr(RegexNode.Class(CodePointSet.Range(lo[0].Value, hi[0].Value)), _s.Text[start.._s.Pos]);
                    }
                    bool ignoreCase = _s.Peek == 'i' && !char.IsAsciiLetterOrDigit(_s.PeekAt(1));
                    if (ignoreCase) _s.Pos++;
                    var node = ignoreCase
                        ? RegexNode.Sequence(text.EnumerateRunes().Select(r => RegexNode.Class(CodePointSet.Of(r.Value).WithBothCases())))
                        : RegexNode.Literal(text);
                    return new TokenExpr(node, ignoreCase ? display + "i" : display) { LiteralText = text };
                }
            case '/':
                return ReadRegex();
            case '(':
                {
                    _s.Pos++;
                    var inner = ReadAlternatives(depth + 1);
                    SkipSpace(newlines: true);
                    if (_s.Peek != ')') throw _s.Error("missing ')' for the group opened here", start);
                    _s.Pos++;
                    return inner;
                }
            case '[':
                {
                    _s.Pos++;
                    var inner = ReadAlternatives(depth + 1);
                    SkipSpace(newlines: true);
                    if (_s.Peek != ']') throw _s.Error("missing ']' for the optional part opened here", start);
                    _s.Pos++;
                    return new RepeatExpr(inner, 0, 1);
                }
            default:
                {
                    var loc = _s.Location;
                    string name = ReadName() ?? throw _s.Error($"unexpected '{c}'");
                    return IsTerminalName(name) ? new TerminalRef(name, loc) : new RuleRef(name, loc);
                }
        }
    }

    private (string Text, string Display) ReadString()
    {
        int start = _s.Pos;
        if (_s.Peek != '"') throw _s.Error("expected a string");
        _s.Pos++;
        var sb = new StringBuilder();
        while (true)
        {
            if (_s.AtEnd || _s.Peek == '\n') throw _s.Error("unterminated string literal", start);
            char c = _s.Peek;
            if (c == '"') { _s.Pos++; break; }
            int cp;
            if (c == '\\') { int e = _s.Pos++; cp = _s.ReadEscape(e); }
            else cp = _s.ReadCodePoint();
            if (cp is >= 0xD800 and <= 0xDFFF) throw _s.Error("a surrogate code point cannot be encoded in UTF-8", start);
            sb.Append(char.ConvertFromUtf32(cp));
        }
        return (sb.ToString(), _s.Text[start.._s.Pos]);
    }

    private TokenExpr ReadRegex()
    {
        int start = _s.Pos;
        _s.Pos++;
        var sb = new StringBuilder();
        while (true)
        {
            if (_s.AtEnd || _s.Peek == '\n') throw _s.Error("unterminated regex", start);
            char c = _s.Text[_s.Pos++];
            if (c == '/') break;
            if (c == '\\' && _s.Peek == '/') { sb.Append('/'); _s.Pos++; continue; }
            sb.Append(c);
            if (c == '\\' && !_s.AtEnd) sb.Append(_s.Text[_s.Pos++]);
        }
        bool ignoreCase = false, dotAll = false;
        while (char.IsAsciiLetter(_s.Peek))
        {
            char f = _s.Text[_s.Pos++];
            if (f == 'i') ignoreCase = true;
            else if (f == 's') dotAll = true;
            else throw _s.Error($"regex flag '{f}' is not supported (only i and s)", _s.Pos - 1);
        }
        string pattern = sb.ToString();
        try
        {
            var node = RegexParser.Parse(pattern, new RegexOptions { IgnoreCase = ignoreCase, DotAll = dotAll }, out bool lazy);
            return new TokenExpr(node, _s.Text[start.._s.Pos]) { Lazy = lazy };
        }
        catch (RegexParseException e)
        {
            throw _s.Error($"in regex: {e.RegexReason}", start + 1 + e.Position);
        }
    }

    // Terminals may refer to other terminals; each becomes one regex.
    private List<TerminalDefinition> ResolveTerminals()
    {
        var resolved = new Dictionary<string, RegexNode>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        RegexNode Resolve(string name, SourceLocation at)
        {
            if (resolved.TryGetValue(name, out var done)) return done;
            if (!_terminalBodies.TryGetValue(name, out var def))
                throw new GrammarException($"undefined terminal '{name}'", at.Line, at.Column, _s.SourceName);
            if (!visiting.Add(name))
                throw new GrammarException($"terminal '{name}' refers to itself; terminals must be regular", def.Loc.Line, def.Loc.Column, _s.SourceName);
            var node = ToRegex(def.Body, def.Loc);
            visiting.Remove(name);
            resolved[name] = node;
            return node;
        }
        RegexNode ToRegex(GrammarExpr e, SourceLocation at) => e switch
        {
            TokenExpr t => t.Regex,
            TerminalRef t => Resolve(t.Name, t.Location),
            RuleRef r => throw new GrammarException($"terminal refers to rule '{r.Name}'; terminals may use only terminals", r.Location.Line, r.Location.Column, _s.SourceName),
            SeqExpr s => RegexNode.Sequence(s.Items.Select(i => ToRegex(i, at))),
            ChoiceExpr c => RegexNode.Choice(c.Alternatives.Select(i => ToRegex(i, at))),
            RepeatExpr r => RegexNode.Repeat(ToRegex(r.Item, at), r.Min, r.Max),
            _ => throw new InvalidOperationException(),
        };
        return _terminalOrder.Select(n => new TerminalDefinition(n, Resolve(n, _terminalBodies[n].Loc), _terminalBodies[n].Loc)
        {
            Priority = _priorities.GetValueOrDefault(n),
            LiteralText = _terminalBodies[n].Body is TokenExpr { LiteralText: { } lit } ? lit : null,
            Lazy = _terminalBodies[n].Body is TokenExpr { Lazy: true },
        }).ToList();
    }
}
