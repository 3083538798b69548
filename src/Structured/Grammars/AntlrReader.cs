using System.Text;
using Structured.Lexing;
using Structured.Regex;

namespace Structured.Grammars;

/// <summary>
/// Reads ANTLR 4 grammars (<c>.g4</c>: combined, lexer-only, or a parser grammar with its lexer grammar named by
/// <c>tokenVocab</c>) into the grammar IR.
/// <list type="bullet">
/// <item>Parser rules become rules; the first parser rule is the start rule.</item>
/// <item>Lexer rules become terminals, fragments are inlined, and <c>-&gt; skip</c>, <c>-&gt; channel(…)</c> and
/// <c>-&gt; more</c> become ignored terminals (for the parser, text that joins the next token is text it never sees).</item>
/// <item>Lexer modes: <c>mode NAME;</c> sections and the commands <c>pushMode</c>, <c>popMode</c> and <c>mode</c>;
/// the mode stack is parser state (<see cref="Grammar.LexerModes"/>). <c>-&gt; type(T)</c> makes the rule's tokens T's.</item>
/// <item>Literals, <c>[sets]</c>, <c>'a'..'z'</c>, <c>~</c>, <c>.</c>, <c>? * +</c> and their non-greedy forms are read, and so is
/// <c>options { caseInsensitive = true; }</c>.</item>
/// <item>Lexing is ANTLR's: the longest match wins, and on a tie the rule defined first (literals written in parser rules
/// come before every lexer rule).</item>
/// </list>
/// Actions and semantic predicates cannot be enforced: they become warnings naming their line, or errors in strict
/// mode. <c>import</c> is an error naming its line.
/// </summary>
public sealed class AntlrReader
{
    private readonly SourceText _s;
    private readonly bool _strict;
    private readonly List<string> _warnings = [];
    private readonly List<(string Name, GrammarExpr Body, SourceLocation Loc)> _parserRules = [];
    private readonly List<LexerRule> _lexerRules = [];
    private readonly List<(string Text, string Name, SourceLocation Loc)> _implicitLiterals = [];
    private readonly List<string> _modes = [];
    private readonly HashSet<string> _declaredTokens = new(StringComparer.Ordinal);
    private string _mode = DefaultMode;
    private bool _caseInsensitive;
    private bool _lexerOnly;
    private bool _parserOnly;
    private (string Name, SourceLocation Loc)? _tokenVocab;
    private string? _lexerSource; // the lexer grammar's file name, when the rules came from tokenVocab
    private bool _inLexerRule;
    private bool _nonGreedy;

    /// <summary>ANTLR's name for the mode where lexing starts.</summary>
    public const string DefaultMode = "DEFAULT_MODE";

    private sealed record LexerRule(string Name, GrammarExpr Body, SourceLocation Loc, bool Fragment, bool Ignored, bool Lazy)
    {
        public string Mode { get; init; } = DefaultMode;
        public List<LexerModeCommand> ModeCommands { get; init; } = [];
        public List<SourceLocation> CommandLocations { get; init; } = [];
        public string? Type { get; init; }
        public string? Source { get; init; }
    }

    private AntlrReader(string text, string? sourceName, bool strict)
    {
        _s = new SourceText(text, sourceName);
        _strict = strict;
    }

    /// <summary>What the last read could not enforce (actions, predicates), one line each with its location.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Reads a <c>.g4</c> grammar; <paramref name="strict"/> makes actions and predicates errors.</summary>
    public static Grammar Read(string text, string? sourceName = null, bool strict = false) => Read(text, sourceName, strict, out _);

    /// <summary>
    /// Reads a <c>.g4</c> grammar and returns the warnings too. A parser grammar's <c>tokenVocab</c> lexer grammar is
    /// read through <paramref name="loadGrammar"/>, which maps a grammar name to its text (null when there is none).
    /// </summary>
    public static Grammar Read(string text, string? sourceName, bool strict, out IReadOnlyList<string> warnings, Func<string, string?>? loadGrammar = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var r = new AntlrReader(text, sourceName, strict);
        r.ReadHeader();
        r.ReadBody();
        if (r._parserOnly) r.ReadTokenVocab(loadGrammar);
        warnings = r._warnings;
        return r.Build();
    }

    /// <summary>Reads a <c>.g4</c> file; a parser grammar's <c>tokenVocab</c> lexer grammar is read from the same folder.</summary>
    public static Grammar ReadFile(string path, bool strict, out IReadOnlyList<string> warnings)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return Read(File.ReadAllText(path), Path.GetFileName(path), strict, out warnings, name =>
        {
            string file = Path.Combine(folder, name + ".g4");
            return File.Exists(file) ? File.ReadAllText(file) : null;
        });
    }

    private void ReadTokenVocab(Func<string, string?>? loadGrammar)
    {
        if (_tokenVocab is not { } vocab)
            throw new GrammarException("a parser grammar needs its lexer grammar: options { tokenVocab = LexerName; }", 1, 1, _s.SourceName);
        if (loadGrammar is null)
            throw new GrammarException($"tokenVocab '{vocab.Name}' names a lexer grammar in another file: read this grammar from its file (GrammarFile.Load) so that {vocab.Name}.g4 beside it is found",
                vocab.Loc.Line, vocab.Loc.Column, _s.SourceName);
        string text = loadGrammar(vocab.Name)
            ?? throw new GrammarException($"tokenVocab '{vocab.Name}': the lexer grammar {vocab.Name}.g4 was not found", vocab.Loc.Line, vocab.Loc.Column, _s.SourceName);
        var lexer = new AntlrReader(text, vocab.Name + ".g4", _strict);
        lexer.ReadHeader();
        if (!lexer._lexerOnly)
            throw new GrammarException($"tokenVocab '{vocab.Name}' must name a lexer grammar", vocab.Loc.Line, vocab.Loc.Column, _s.SourceName);
        lexer.ReadBody();
        _lexerRules.AddRange(lexer._lexerRules);
        _modes.AddRange(lexer._modes);
        _declaredTokens.UnionWith(lexer._declaredTokens);
        _warnings.AddRange(lexer._warnings);
        _lexerSource = lexer._s.SourceName;
    }

    private void ReadHeader()
    {
        Skip();
        var loc = _s.Location;
        string first = Word() ?? throw _s.Error("expected 'grammar', 'lexer grammar' or 'parser grammar'");
        if (first is "lexer" or "parser")
        {
            _lexerOnly = first == "lexer";
            _parserOnly = first == "parser";
            Skip();
            first = Word() ?? "";
        }
        if (first != "grammar") throw new GrammarException("expected 'grammar', 'lexer grammar' or 'parser grammar'", loc.Line, loc.Column, _s.SourceName);
        Skip();
        _ = Word() ?? throw _s.Error("expected the grammar's name");
        Expect(';');
    }

    private void ReadBody()
    {
        while (true)
        {
            Skip();
            if (_s.AtEnd) return;
            var loc = _s.Location;
            if (_s.Peek == '@')
            {
                _s.Pos++;
                Word();
                if (_s.Peek == ':') { _s.Pos += 2; Word(); }
                Skip();
                SkipAction(loc, "a named action (@header, @members, …)");
                continue;
            }
            string word = Word() ?? throw _s.Error($"unexpected '{_s.Peek}'");
            switch (word)
            {
                case "options":
                    ReadOptions();
                    continue;
                case "tokens":
                    ReadTokenNames();
                    continue;
                case "channels":
                    Skip();
                    SkipBraces();
                    continue;
                case "import":
                    throw new GrammarException("'import' of other grammars is not supported: paste the rules into one file", loc.Line, loc.Column, _s.SourceName);
                case "mode":
                    if (!_lexerOnly) throw new GrammarException("lexer modes are only allowed in lexer grammars", loc.Line, loc.Column, _s.SourceName);
                    Skip();
                    _mode = Word() ?? throw _s.Error("expected a mode name after 'mode'");
                    if (!_modes.Contains(_mode)) _modes.Add(_mode);
                    Skip();
                    Expect(';');
                    continue;
                case "fragment":
                    Skip();
                    var fragLoc = _s.Location;
                    ReadRule(Word() ?? throw _s.Error("expected a lexer rule name after 'fragment'"), fragLoc, fragment: true);
                    continue;
                default:
                    ReadRule(word, loc, fragment: false);
                    continue;
            }
        }
    }

    private void ReadOptions()
    {
        Skip();
        Expect('{');
        while (true)
        {
            Skip();
            if (_s.Peek == '}') { _s.Pos++; return; }
            var loc = _s.Location;
            string name = Word() ?? throw _s.Error("expected an option name");
            Skip();
            Expect('=');
            Skip();
            int start = _s.Pos;
            while (!_s.AtEnd && _s.Peek != ';') _s.Pos++;
            string value = _s.Text[start.._s.Pos].Trim();
            Expect(';');
            switch (name)
            {
                case "caseInsensitive":
                    _caseInsensitive = value == "true";
                    break;
                case "tokenVocab":
                    _tokenVocab = (value.Trim('\'', '"'), loc);
                    break;
                default:
                    break; // language, superClass, …: code generation only
            }
        }
    }

    private void ReadRule(string name, SourceLocation loc, bool fragment)
    {
        bool lexer = char.IsAsciiLetterUpper(name[0]);
        if (!lexer && fragment) throw new GrammarException("only lexer rules can be fragments", loc.Line, loc.Column, _s.SourceName);
        if (!lexer && _lexerOnly) throw new GrammarException($"parser rule '{name}' in a lexer grammar", loc.Line, loc.Column, _s.SourceName);
        if (lexer && _parserOnly) throw new GrammarException($"lexer rule '{name}' in a parser grammar; it belongs in the lexer grammar", loc.Line, loc.Column, _s.SourceName);
        Skip();
        // Arguments, return values and locals belong to generated code.
        if (_s.Peek == '[') SkipBrackets();
        Skip();
        foreach (var clause in new[] { "returns", "locals" })
            if (_s.StartsWith(clause)) { _s.Pos += clause.Length; Skip(); SkipBrackets(); Skip(); }
        if (_s.StartsWith("options")) { Word(); ReadOptions(); Skip(); }
        while (_s.Peek == '@') { var at = _s.Location; _s.Pos++; Word(); Skip(); SkipAction(at, "a rule action"); Skip(); }
        Expect(':');
        _inLexerRule = lexer;
        _nonGreedy = false;
        var body = Alternatives(out var commands);
        Expect(';');
        Skip();
        while (_s.StartsWith("catch") || _s.StartsWith("finally"))
        {
            var at = _s.Location;
            Word();
            Skip();
            if (_s.Peek == '[') SkipBrackets();
            Skip();
            SkipAction(at, "an exception handler");
            Skip();
        }
        if (lexer)
        {
            bool ignored = false;
            string? type = null;
            var modeCommands = new List<LexerModeCommand>();
            var commandLocations = new List<SourceLocation>();
            foreach (var (command, argument, at) in commands)
            {
                string Argument() => string.IsNullOrEmpty(argument)
                    ? throw new GrammarException($"lexer command '{command}' needs an argument", at.Line, at.Column, _s.SourceName)
                    : argument;
                if (command is not ("skip" or "channel" or "more" or "popMode") && argument is null) Argument();
                switch (command)
                {
                    case "skip":
                    case "channel":
                    case "more": // the text joins the next token's, which the parser sees by type alone
                        ignored = true;
                        break;
                    case "type":
                        type = Argument();
                        break;
                    case "pushMode":
                        modeCommands.Add(new LexerModeCommand(LexerModeCommandKind.Push, Argument()));
                        commandLocations.Add(at);
                        break;
                    case "popMode":
                        modeCommands.Add(new LexerModeCommand(LexerModeCommandKind.Pop));
                        commandLocations.Add(at);
                        break;
                    case "mode":
                        modeCommands.Add(new LexerModeCommand(LexerModeCommandKind.Set, Argument()));
                        commandLocations.Add(at);
                        break;
                    default:
                        throw new GrammarException($"unknown lexer command '{command}'", at.Line, at.Column, _s.SourceName);
                }
            }
            _lexerRules.Add(new LexerRule(name, body, loc, fragment, ignored, _nonGreedy)
            {
                Mode = _mode, ModeCommands = modeCommands, CommandLocations = commandLocations, Type = type, Source = _s.SourceName,
            });
        }
        else
        {
            if (commands.Count > 0) throw new GrammarException("lexer commands (->) belong to lexer rules", commands[0].At.Line, commands[0].At.Column, _s.SourceName);
            _parserRules.Add((name, body, loc));
        }
        _inLexerRule = false;
    }

    private GrammarExpr Alternatives(out List<(string Command, string? Argument, SourceLocation At)> commands)
    {
        commands = [];
        var alternatives = new List<GrammarExpr> { Alternative(commands) };
        while (true)
        {
            Skip();
            if (_s.Peek != '|') break;
            _s.Pos++;
            var loc = _s.Location;
            var own = new List<(string Command, string? Argument, SourceLocation At)>();
            alternatives.Add(Alternative(own));
            // ANTLR attaches commands to one alternative; we apply them to the whole rule, so they must agree.
            if (!own.Select(c => (c.Command, c.Argument)).SequenceEqual(commands.Select(c => (c.Command, c.Argument))))
                throw new GrammarException("lexer commands differ between the alternatives of this rule, which is not supported: split it into rules", loc.Line, loc.Column, _s.SourceName);
        }
        return alternatives.Count == 1 ? alternatives[0] : new ChoiceExpr(alternatives);
    }

    private GrammarExpr Alternative(List<(string, string?, SourceLocation)> commands)
    {
        var items = new List<GrammarExpr>();
        while (true)
        {
            Skip();
            char c = _s.Peek;
            if (_s.AtEnd || c is '|' or ';' or ')') break;
            if (c == '#') { _s.Pos++; Skip(); Word(); continue; } // alternative label
            if (c == '<') { SkipAngles(); continue; }            // <assoc=right> and other element options
            if (_s.StartsWith("->"))
            {
                _s.Pos += 2;
                do
                {
                    Skip();
                    var at = _s.Location;
                    string command = Word() ?? throw _s.Error("expected a lexer command after '->'");
                    string? argument = null;
                    Skip();
                    if (_s.Peek == '(')
                    {
                        int start = ++_s.Pos;
                        while (!_s.AtEnd && _s.Peek != ')') _s.Pos++;
                        argument = _s.Text[start.._s.Pos].Trim();
                        Expect(')');
                    }
                    commands.Add((command, argument, at));
                    Skip();
                } while (_s.Peek == ',' && _s.Pos++ >= 0);
                continue;
            }
            if (Element() is { } e) items.Add(e);
        }
        return items.Count == 1 ? items[0] : new SeqExpr(items);
    }

    private GrammarExpr? Element()
    {
        var loc = _s.Location;
        if (_s.Peek == '{')
        {
            SkipAction(loc, "an action");
            if (_s.Peek == '?') { _s.Pos++; Unenforced(loc, "a semantic predicate"); }
            return null;
        }
        // A label: x=atom or x+=atom.
        int save = _s.Pos;
        if (char.IsAsciiLetter(_s.Peek))
        {
            Word();
            Skip();
            if (_s.Peek == '=' || _s.StartsWith("+=")) _s.Pos += _s.Peek == '=' ? 1 : 2;
            else _s.Pos = save;
            Skip();
        }
        var atom = Atom();
        Skip();
        if (_s.Peek is '?' or '*' or '+')
        {
            char op = _s.Text[_s.Pos++];
            if (_s.Peek == '?') { _s.Pos++; _nonGreedy = true; }
            atom = op switch { '?' => new RepeatExpr(atom, 0, 1), '*' => new RepeatExpr(atom, 0, null), _ => new RepeatExpr(atom, 1, null) };
        }
        return atom;
    }

    private GrammarExpr Atom()
    {
        var loc = _s.Location;
        char c = _s.Peek;
        switch (c)
        {
            case '(':
                {
                    _s.Pos++;
                    var inner = Alternatives(out var commands);
                    if (commands.Count > 0) throw _s.Error("lexer commands go at the end of a rule, not inside parentheses");
                    Skip();
                    Expect(')');
                    return inner;
                }
            case '\'':
                {
                    string text = ReadLiteral();
                    Skip();
                    if (_s.StartsWith(".."))
                    {
                        if (!_inLexerRule) throw new GrammarException("ranges ('a'..'z') belong to lexer rules", loc.Line, loc.Column, _s.SourceName);
                        _s.Pos += 2;
                        Skip();
                        string hi = ReadLiteral();
                        if (text.EnumerateRunes().Count() != 1 || hi.EnumerateRunes().Count() != 1) throw new GrammarException("a range needs one character on each side of '..'", loc.Line, loc.Column, _s.SourceName);
                        int lo = text.EnumerateRunes().First().Value, high = hi.EnumerateRunes().First().Value;
                        if (high < lo) throw new GrammarException("range out of order", loc.Line, loc.Column, _s.SourceName);
                        return new TokenExpr(ClassOf(CodePointSet.Range(lo, high)), $"'{text}'..'{hi}'");
                    }
                    if (_inLexerRule) return new TokenExpr(LiteralNode(text), $"'{text}'") { LiteralText = text };
                    // A literal in a parser rule is an implicit token (or the lexer rule that spells exactly it).
                    return new TerminalRef(ImplicitToken(text, loc), loc);
                }
            case '[':
                if (!_inLexerRule) throw new GrammarException("character sets belong to lexer rules", loc.Line, loc.Column, _s.SourceName);
                return new TokenExpr(ClassOf(ReadSet()), "[…]");
            case '~':
                {
                    if (!_inLexerRule) throw new GrammarException("'~' (not) in parser rules is not supported; write the allowed tokens", loc.Line, loc.Column, _s.SourceName);
                    _s.Pos++;
                    Skip();
                    return new TokenExpr(ClassOf(NotSet().Complement(), caseFolded: false), "~…");
                }
            case '.':
                if (!_inLexerRule) throw new GrammarException("the wildcard '.' in parser rules (any token) is not supported", loc.Line, loc.Column, _s.SourceName);
                _s.Pos++;
                return new TokenExpr(RegexNode.Class(CodePointSet.All), ".");
            default:
                {
                    string name = Word() ?? throw _s.Error($"unexpected '{c}'");
                    if (name == "EOF") return new SeqExpr([]); // the whole input is always parsed to its end
                    return char.IsAsciiLetterUpper(name[0]) ? new TerminalRef(name, loc) : _inLexerRule
                        ? throw new GrammarException($"lexer rule refers to parser rule '{name}'", loc.Line, loc.Column, _s.SourceName)
                        : new RuleRef(name, loc);
                }
        }
    }

    // The set a '~' negates: a [set], a one-character literal, or a parenthesised choice of those.
    private CodePointSet NotSet()
    {
        var loc = _s.Location;
        switch (_s.Peek)
        {
            case '[':
                return Fold(ReadSet());
            case '\'':
                {
                    string text = ReadLiteral();
                    if (text.EnumerateRunes().Count() != 1) throw new GrammarException("'~' needs single characters", loc.Line, loc.Column, _s.SourceName);
                    return Fold(CodePointSet.Of(text.EnumerateRunes().First().Value));
                }
            case '(':
                {
                    _s.Pos++;
                    var set = CodePointSet.Empty;
                    while (true)
                    {
                        Skip();
                        set = set.Union(NotSet());
                        Skip();
                        if (_s.Peek == '|') { _s.Pos++; continue; }
                        Expect(')');
                        return set;
                    }
                }
            default:
                throw new GrammarException("'~' needs a [set], a one-character literal or a choice of them", loc.Line, loc.Column, _s.SourceName);
        }
    }

    private CodePointSet Fold(CodePointSet set) => _caseInsensitive ? set.WithBothCases() : set;

    private RegexNode ClassOf(CodePointSet set, bool caseFolded = true) =>
        RegexNode.Class(caseFolded && _caseInsensitive ? set.WithBothCases() : set.Except(CodePointSet.Range(0xD800, 0xDFFF)));

    private RegexNode LiteralNode(string text) => _caseInsensitive
        ? RegexNode.Sequence(text.EnumerateRunes().Select(r => RegexNode.Class(CodePointSet.Of(r.Value).WithBothCases())))
        : RegexNode.Literal(text);

    private string ImplicitToken(string text, SourceLocation loc)
    {
        foreach (var (t, n, _) in _implicitLiterals) if (t == text) return n;
        string name = $"'{text}'";
        _implicitLiterals.Add((text, name, loc));
        return name;
    }

    // tokens { A, B, C }: names for token types that only commands such as type(A) produce.
    private void ReadTokenNames()
    {
        Skip();
        Expect('{');
        while (true)
        {
            Skip();
            if (_s.Peek == '}') { _s.Pos++; return; }
            _declaredTokens.Add(Word() ?? throw _s.Error("expected a token name"));
            Skip();
            if (_s.Peek == ',') _s.Pos++;
        }
    }

    private string ReadLiteral()
    {
        int start = _s.Pos;
        Expect('\'');
        var sb = new StringBuilder();
        while (true)
        {
            if (_s.AtEnd || _s.Peek == '\n') throw _s.Error("unterminated literal", start);
            char c = _s.Text[_s.Pos++];
            if (c == '\'') break;
            int cp = c == '\\' ? Escape(start, inSet: false) : char.IsHighSurrogate(c) && char.IsLowSurrogate(_s.Peek) ? char.ConvertToUtf32(c, _s.Text[_s.Pos++]) : c;
            if (cp is >= 0xD800 and <= 0xDFFF) throw _s.Error("a surrogate code point cannot be encoded in UTF-8", start);
            sb.Append(char.ConvertFromUtf32(cp));
        }
        if (sb.Length == 0) throw _s.Error("empty literals are not allowed", start);
        return sb.ToString();
    }

    private CodePointSet ReadSet()
    {
        int start = _s.Pos;
        Expect('[');
        var set = CodePointSet.Empty;
        while (true)
        {
            if (_s.AtEnd || _s.Peek == '\n') throw _s.Error("unterminated character set", start);
            if (_s.Peek == ']') { _s.Pos++; return set; }
            if (_s.StartsWith("\\p{") || _s.StartsWith("\\P{"))
            {
                bool negate = _s.Text[_s.Pos + 1] == 'P';
                int open = _s.Pos + 3, close = _s.Text.IndexOf('}', open);
                if (close < 0) throw _s.Error("unterminated \\p{…}", _s.Pos);
                string property = _s.Text[open..close];
                var category = UnicodeCategories.Get(property) ?? throw _s.Error($"unknown Unicode property '{property}'", _s.Pos);
                set = set.Union(negate ? category.Complement() : category);
                _s.Pos = close + 1;
                continue;
            }
            int lo = SetChar(start);
            if (_s.Peek == '-' && _s.PeekAt(1) != ']')
            {
                _s.Pos++;
                int hi = SetChar(start);
                if (hi < lo) throw _s.Error("range out of order in character set", start);
                set = set.Union(CodePointSet.Range(lo, hi));
            }
            else set = set.Union(CodePointSet.Of(lo));
        }
    }

    private int SetChar(int start)
    {
        char c = _s.Text[_s.Pos++];
        if (c == '\\') return Escape(start, inSet: true);
        return char.IsHighSurrogate(c) && char.IsLowSurrogate(_s.Peek) ? char.ConvertToUtf32(c, _s.Text[_s.Pos++]) : c;
    }

    private int Escape(int start, bool inSet)
    {
        if (_s.AtEnd) throw _s.Error("unterminated escape", start);
        char c = _s.Text[_s.Pos++];
        switch (c)
        {
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case 'b': return '\b';
            case 'f': return '\f';
            case 'u':
                if (_s.Peek == '{')
                {
                    int close = _s.Text.IndexOf('}', _s.Pos);
                    if (close < 0 || !int.TryParse(_s.Text.AsSpan(_s.Pos + 1, close - _s.Pos - 1), System.Globalization.NumberStyles.HexNumber, null, out int v) || v > CodePointSet.MaxCodePoint)
                        throw _s.Error("expected hex digits in \\u{…}", start);
                    _s.Pos = close + 1;
                    return v;
                }
                if (_s.Pos + 4 > _s.Text.Length || !int.TryParse(_s.Text.AsSpan(_s.Pos, 4), System.Globalization.NumberStyles.HexNumber, null, out int u))
                    throw _s.Error("expected 4 hex digits after \\u", start);
                _s.Pos += 4;
                return u;
            case '\\' or '\'' or '"' or ']' or '-' or '[':
                return c;
            default:
                if (inSet && !char.IsAsciiLetterOrDigit(c)) return c;
                throw _s.Error($"unknown escape '\\{c}'", _s.Pos - 2);
        }
    }

    private Grammar Build()
    {
        var byName = _lexerRules.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var terminals = new List<TerminalDefinition>();
        var ignore = new List<string>();
        // Earlier definitions win ties: implicit literals first, then lexer rules in order.
        var named = _lexerRules.Where(r => !r.Fragment).ToList();
        int priority = _implicitLiterals.Count + named.Count;
        var literalRules = named.Where(r => r.Body is TokenExpr { LiteralText: not null }).GroupBy(r => ((TokenExpr)r.Body).LiteralText!).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        var rename = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (text, name, loc) in _implicitLiterals)
        {
            // A parser literal that a lexer rule spells exactly is that rule's token, as in ANTLR.
            if (literalRules.TryGetValue(text, out var rule)) { rename[name] = rule; continue; }
            if (_parserOnly)
                throw new GrammarException($"'{text}' is not a token of lexer grammar {_lexerSource}: a parser grammar cannot define tokens", loc.Line, loc.Column, _s.SourceName);
            terminals.Add(new TerminalDefinition(name, LiteralNode(text), new SourceLocation(1, 1)) { Priority = priority--, LiteralText = text });
        }
        var modes = new HashSet<string>(_modes, StringComparer.Ordinal) { DefaultMode };
        var resolving = new HashSet<string>(StringComparer.Ordinal);
        string? source = _s.SourceName; // the file of the lexer rule being resolved
        RegexNode Resolve(GrammarExpr e) => e switch
        {
            TokenExpr t => t.Regex,
            TerminalRef t when byName.TryGetValue(t.Name, out var r) => resolving.Add(t.Name)
                ? Finish(t.Name, Resolve(r.Body))
                : throw new GrammarException($"lexer rule '{t.Name}' refers to itself; lexer rules must be regular", t.Location.Line, t.Location.Column, source),
            TerminalRef t => throw new GrammarException($"undefined lexer rule '{t.Name}'", t.Location.Line, t.Location.Column, source),
            SeqExpr s => RegexNode.Sequence(s.Items.Select(Resolve)),
            ChoiceExpr c => RegexNode.Choice(c.Alternatives.Select(Resolve)),
            RepeatExpr r => RegexNode.Repeat(Resolve(r.Item), r.Min, r.Max),
            _ => throw new InvalidOperationException(),
        };
        RegexNode Finish(string name, RegexNode node)
        {
            resolving.Remove(name);
            return node;
        }
        foreach (var r in named)
        {
            source = r.Source;
            for (int i = 0; i < r.ModeCommands.Count; i++)
                if (r.ModeCommands[i].Mode is { } m && !modes.Contains(m))
                    throw new GrammarException($"unknown lexer mode '{m}'", r.CommandLocations[i].Line, r.CommandLocations[i].Column, source);
            if (r.Type is { } type && !byName.ContainsKey(type) && !_declaredTokens.Contains(type))
                throw new GrammarException($"type({type}) names no token: declare it in tokens {{ … }} or define a lexer rule", r.Loc.Line, r.Loc.Column, source);
            resolving.Clear();
            resolving.Add(r.Name);
            terminals.Add(new TerminalDefinition(r.Name, Resolve(r.Body), r.Loc)
            {
                Priority = priority--, LiteralText = r.Body is TokenExpr { LiteralText: { } lit } && !_caseInsensitive ? lit : null, Lazy = r.Lazy,
                Mode = _modes.Count > 0 ? r.Mode : null, ModeCommands = r.ModeCommands,
            });
            if (r.Ignored) ignore.Add(r.Name);
        }
        // A token type is produced by the rule of that name and by every rule retyped to it with type(…).
        var producers = named.GroupBy(r => r.Type ?? r.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Name).ToList(), StringComparer.Ordinal);
        GrammarExpr Rename(GrammarExpr e) => e switch
        {
            TerminalRef t when t.Name.StartsWith('\'') && !rename.ContainsKey(t.Name) => t,
            TerminalRef t => TokenOfType(t with { Name = rename.GetValueOrDefault(t.Name, t.Name) }),
            SeqExpr s => new SeqExpr(s.Items.Select(Rename).ToList()),
            ChoiceExpr c => new ChoiceExpr(c.Alternatives.Select(Rename).ToList()),
            RepeatExpr r => r with { Item = Rename(r.Item) },
            _ => e,
        };
        GrammarExpr TokenOfType(TerminalRef t)
        {
            if (producers.TryGetValue(t.Name, out var rules))
                return rules.Count == 1 ? t with { Name = rules[0] } : new ChoiceExpr(rules.Select(n => (GrammarExpr)(t with { Name = n })).ToList());
            if (byName.TryGetValue(t.Name, out var r) && r.Fragment)
                throw new GrammarException($"parser rule refers to fragment '{t.Name}'; fragments can only be used by lexer rules", t.Location.Line, t.Location.Column, _s.SourceName);
            throw new GrammarException(byName.ContainsKey(t.Name)
                ? $"token '{t.Name}' is never produced: its lexer rule retypes its tokens with type(…)"
                : $"token '{t.Name}' has no lexer rule", t.Location.Line, t.Location.Column, _s.SourceName);
        }
        var lexerModes = _modes.Count == 0 ? [] : new[] { DefaultMode }.Concat(_modes.Where(m => m != DefaultMode)).ToList();
        if (_lexerOnly || _parserRules.Count == 0)
        {
            // A lexer grammar's language: any sequence of its tokens.
            var tokens = named.Where(r => !r.Ignored).Select(r => (GrammarExpr)new TerminalRef(r.Name, r.Loc)).ToList();
            if (tokens.Count == 0) throw new GrammarException("the grammar defines no tokens", 1, 1, _s.SourceName);
            return new Grammar("tokens", [new GrammarRule("tokens", new RepeatExpr(tokens.Count == 1 ? tokens[0] : new ChoiceExpr(tokens), 0, null), new SourceLocation(1, 1))],
                terminals, ignore, LexemeMatch.Longest, _s.SourceName) { ContextFreeLexing = true, LexerModes = lexerModes };
        }
        var rules = _parserRules.Select(p => new GrammarRule(p.Name, Rename(p.Body), p.Loc)).ToList();
        return new Grammar(_parserRules[0].Name, rules, terminals, ignore, LexemeMatch.Longest, _s.SourceName) { ContextFreeLexing = true, LexerModes = lexerModes };
    }

    private void Unenforced(SourceLocation at, string what)
    {
        string message = $"{_s.SourceName ?? "grammar"}:{at.Line}:{at.Column}: {what} cannot be enforced; it is ignored";
        if (_strict) throw new GrammarException($"{what} cannot be enforced (strict mode)", at.Line, at.Column, _s.SourceName);
        _warnings.Add(message);
    }

    private void SkipAction(SourceLocation at, string what)
    {
        if (_s.Peek != '{') throw _s.Error("expected '{'");
        SkipBraces();
        if (_s.Peek != '?') Unenforced(at, what);
    }

    private void SkipBraces()
    {
        int start = _s.Pos, depth = 0;
        do
        {
            if (_s.AtEnd) throw _s.Error("unterminated '{'", start);
            char c = _s.Text[_s.Pos++];
            if (c == '{') depth++;
            else if (c == '}') depth--;
            else if (c is '"' or '\'') SkipQuoted(c);
        } while (depth > 0);
    }

    private void SkipQuoted(char quote)
    {
        while (!_s.AtEnd && _s.Peek != quote && _s.Peek != '\n') _s.Pos += _s.Peek == '\\' ? 2 : 1;
        if (!_s.AtEnd) _s.Pos++;
    }

    private void SkipBrackets()
    {
        int start = _s.Pos, depth = 0;
        do
        {
            if (_s.AtEnd) throw _s.Error("unterminated '['", start);
            char c = _s.Text[_s.Pos++];
            if (c == '[') depth++;
            else if (c == ']') depth--;
        } while (depth > 0);
    }

    private void SkipAngles()
    {
        int start = _s.Pos;
        while (!_s.AtEnd && _s.Peek != '>') _s.Pos++;
        if (_s.AtEnd) throw _s.Error("unterminated '<'", start);
        _s.Pos++;
    }

    private void Expect(char c)
    {
        Skip();
        if (_s.Peek != c) throw _s.Error(_s.AtEnd ? $"expected '{c}' before the end of the grammar" : $"expected '{c}', found '{_s.Peek}'");
        _s.Pos++;
    }

    private string? Word()
    {
        int start = _s.Pos;
        while (!_s.AtEnd && (char.IsAsciiLetterOrDigit(_s.Peek) || _s.Peek == '_')) _s.Pos++;
        return _s.Pos > start ? _s.Text[start.._s.Pos] : null;
    }

    private void Skip()
    {
        while (!_s.AtEnd)
        {
            if (char.IsWhiteSpace(_s.Peek)) { _s.Pos++; continue; }
            if (_s.StartsWith("//")) { while (!_s.AtEnd && _s.Peek != '\n') _s.Pos++; continue; }
            if (_s.StartsWith("/*"))
            {
                int start = _s.Pos;
                int end = _s.Text.IndexOf("*/", _s.Pos + 2, StringComparison.Ordinal);
                if (end < 0) throw _s.Error("unterminated comment", start);
                _s.Pos = end + 2;
                continue;
            }
            break;
        }
    }
}
