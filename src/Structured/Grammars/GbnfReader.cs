using System.Globalization;
using System.Text;
using Structured.Lexing;
using Structured.Regex;

namespace Structured.Grammars;

/// <summary>
/// Reads GBNF, llama.cpp's grammar format: <c>name ::= …</c> rules, quoted literals, <c>[…]</c> classes, <c>.</c>,
/// grouping, <c>| ? * + {m} {m,} {m,n}</c> and <c>#</c> comments. The start rule is <c>root</c>.
/// A rule runs until the next <c>name ::=</c>, so alternatives may continue on later lines.
/// Terminals are code points, so lexemes may end anywhere (<see cref="LexemeMatch.AllEnds"/>): the exact CFG meaning.
/// </summary>
internal sealed class GbnfReader
{
    private readonly SourceText _s;

    private GbnfReader(string text, string? name) => _s = new SourceText(text, name);

    public static Grammar Read(string text, string? sourceName = null)
    {
        var r = new GbnfReader(text, sourceName);
        var rules = r.ReadRules();
        if (rules.Count == 0) throw new GrammarException((sourceName is null ? "" : sourceName + ": ") + "the grammar has no rules");
        if (!rules.Any(x => x.Name == "root")) throw new GrammarException("the grammar has no 'root' rule (GBNF starts at 'root')", 1, 1, sourceName);
        return new Grammar("root", rules, lexemeMatch: LexemeMatch.AllEnds, sourceName: sourceName);
    }

    private List<GrammarRule> ReadRules()
    {
        var rules = new List<GrammarRule>();
        SkipSpace();
        while (!_s.AtEnd)
        {
            int start = _s.Pos;
            var loc = _s.Location;
            string name = ReadName() ?? throw _s.Error($"expected a rule name, found '{_s.Peek}'");
            SkipSpace();
            if (!_s.StartsWith("::=")) throw _s.Error($"expected '::=' after rule name '{name}'");
            _s.Pos += 3;
            var body = ReadAlternatives(nested: false);
            rules.Add(new GrammarRule(name, body, loc));
            SkipSpace();
            if (_s.Pos == start) throw _s.Error("unexpected input");
        }
        return rules;
    }

    private string? ReadName()
    {
        int start = _s.Pos;
        while (!_s.AtEnd && (char.IsAsciiLetterOrDigit(_s.Peek) || _s.Peek is '-' or '_')) _s.Pos++;
        return _s.Pos == start ? null : _s.Text[start.._s.Pos];
    }

    private void SkipSpace()
    {
        while (!_s.AtEnd)
        {
            char c = _s.Peek;
            if (c == '#') { while (!_s.AtEnd && _s.Peek != '\n') _s.Pos++; }
            else if (char.IsWhiteSpace(c)) _s.Pos++;
            else break;
        }
    }

    // True when the text ahead is "name ::=", which starts the next rule.
    private bool AtRuleStart()
    {
        int save = _s.Pos;
        var name = ReadName();
        SkipSpace();
        bool result = name is not null && _s.StartsWith("::=");
        _s.Pos = save;
        return result;
    }

    private GrammarExpr ReadAlternatives(bool nested)
    {
        var alts = new List<GrammarExpr> { ReadSequence(nested) };
        while (true)
        {
            SkipSpace();
            if (_s.Peek != '|') break;
            _s.Pos++;
            alts.Add(ReadSequence(nested));
        }
        return alts.Count == 1 ? alts[0] : new ChoiceExpr(alts);
    }

    private GrammarExpr ReadSequence(bool nested)
    {
        var items = new List<GrammarExpr>();
        while (true)
        {
            SkipSpace();
            if (_s.AtEnd || _s.Peek is '|' or ')') break;
            if (!nested && AtRuleStart()) break;
            var atom = ReadAtom();
            items.Add(ReadPostfix(atom));
        }
        return items.Count == 1 ? items[0] : new SeqExpr(items);
    }

    private GrammarExpr ReadPostfix(GrammarExpr atom)
    {
        while (!_s.AtEnd)
        {
            char c = _s.Peek;
            if (c == '*') { _s.Pos++; atom = new RepeatExpr(atom, 0, null); }
            else if (c == '+') { _s.Pos++; atom = new RepeatExpr(atom, 1, null); }
            else if (c == '?') { _s.Pos++; atom = new RepeatExpr(atom, 0, 1); }
            else if (c == '{')
            {
                int start = _s.Pos;
                _s.Pos++;
                int? min = ReadInt();
                int? max = min;
                if (_s.Peek == ',') { _s.Pos++; max = ReadInt(); }
                if (_s.Peek != '}') throw _s.Error("expected '}' to close the repetition", start);
                _s.Pos++;
                int lo = min ?? 0;
                if (max is int m && m < lo) throw _s.Error($"repetition {{{lo},{m}}} has max below min", start);
                atom = new RepeatExpr(atom, lo, max);
            }
            else break;
        }
        return atom;
    }

    private int? ReadInt()
    {
        int start = _s.Pos;
        while (char.IsAsciiDigit(_s.Peek)) _s.Pos++;
        if (_s.Pos == start) return null;
        if (!int.TryParse(_s.Text.AsSpan(start, _s.Pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out int v))
            throw _s.Error("repetition count is too large", start);
        return v;
    }

    private GrammarExpr ReadAtom()
    {
        int start = _s.Pos;
        char c = _s.Peek;
        switch (c)
        {
            case '"':
                return ReadLiteral();
            case '[':
                return ReadClass();
            case '.':
                _s.Pos++;
                return new TokenExpr(RegexNode.Class(CodePointSet.All), ".");
            case '(':
                {
                    _s.Pos++;
                    var inner = ReadAlternatives(nested: true);
                    SkipSpace();
                    if (_s.Peek != ')') throw _s.Error("missing ')' for the group opened here", start);
                    _s.Pos++;
                    return inner;
                }
            case '<':
                throw _s.Error("token references such as <[id]> or <think> are not supported");
            default:
                {
                    var loc = _s.Location;
                    var name = ReadName() ?? throw _s.Error($"unexpected '{c}'");
                    return new RuleRef(name, loc);
                }
        }
    }

    private TokenExpr ReadLiteral()
    {
        int start = _s.Pos;
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
        return new TokenExpr(RegexNode.Literal(sb.ToString()), _s.Text[start.._s.Pos]);
    }

    private TokenExpr ReadClass()
    {
        int start = _s.Pos;
        _s.Pos++;
        bool negate = _s.Peek == '^';
        if (negate) _s.Pos++;
        var ranges = new List<(int, int)>();
        while (true)
        {
            if (_s.AtEnd) throw _s.Error("missing ']' for the class opened here", start);
            if (_s.Peek == ']') { _s.Pos++; break; }
            int lo = ClassChar(start);
            int hi = lo;
            if (_s.Peek == '-' && _s.PeekAt(1) != ']' && !_s.AtEnd)
            {
                _s.Pos++;
                hi = ClassChar(start);
                if (hi < lo) throw _s.Error("range out of order in character class", start);
            }
            ranges.Add((lo, hi));
        }
        var set = CodePointSet.FromRanges(ranges);
        if (negate) set = set.Complement();
        return new TokenExpr(RegexNode.Class(set), _s.Text[start.._s.Pos]);
    }

    private int ClassChar(int classStart)
    {
        if (_s.AtEnd) throw _s.Error("missing ']' for the class opened here", classStart);
        if (_s.Peek == '\\') { int e = _s.Pos++; return _s.ReadEscape(e); }
        return _s.ReadCodePoint();
    }
}
