using Structured.Grammars;
using Structured.Lexing;
using Structured.Regex;

namespace Structured.Parsing;

/// <summary>
/// Lowers a <see cref="Grammar"/> to flat Earley rules over nonterminals and lexemes.
/// Repetitions become left-recursive helper rules (linear for Earley); bounded ones become chains of small rules
/// that refer to the repeated part by name, so <c>x{m,n}</c> never copies x's subtree.
/// In <see cref="LexemeMatch.AllEnds"/> grammars, every regular part (no recursion through rules) is fused into one lexeme,
/// which is exact there because lexemes may end anywhere they match.
/// </summary>
internal sealed class GrammarCompiler
{
    public const int EndMarker = int.MinValue;

    private readonly Grammar _g;
    private readonly CompileOptions _o;
    private TermStore _terms;
    private readonly List<LexemeSpec> _lexemes = [];
    private readonly List<string> _lexemeNames = [];
    private readonly Dictionary<(int Term, LexemeMatch Match, bool Ignored, string? Terminal), int> _lexemeIds = [];
    private readonly Dictionary<string, int> _modeIndex = new(StringComparer.Ordinal);
    private readonly List<string> _ntNames = [];
    private readonly List<(int Lhs, int[] Rhs)> _rules = [];
    private readonly Dictionary<string, List<GrammarRule>> _ruleDefs;
    private readonly Dictionary<string, TerminalDefinition> _terminalDefs;
    private readonly Dictionary<string, int> _ruleNt = new(StringComparer.Ordinal);
    private readonly HashSet<string> _regularRules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RegexNode> _ruleRegex = new(StringComparer.Ordinal);
    private readonly Dictionary<(int Sym, int Min, int Max), int> _repeatCache = [];
    private readonly Dictionary<int, int> _doubling = [];
    private int _symbolCount;

    private GrammarCompiler(Grammar g, CompileOptions o)
    {
        _g = g;
        _o = o;
        _terms = new TermStore(o.MaxRegexStates);
        _ruleDefs = g.Rules.GroupBy(r => r.Name, StringComparer.Ordinal).ToDictionary(x => x.Key, x => x.ToList(), StringComparer.Ordinal);
        _terminalDefs = new Dictionary<string, TerminalDefinition>(StringComparer.Ordinal);
        foreach (var t in g.Terminals) _terminalDefs[t.Name] = t;
        foreach (var m in g.LexerModes) _modeIndex.TryAdd(m, _modeIndex.Count);
    }

    /// <summary>At most this many lexer modes: a lexeme's modes are one 64-bit mask.</summary>
    public const int MaxLexerModes = 64;

    public static CompiledGrammar Compile(Grammar g, CompileOptions? options = null)
    {
        var c = new GrammarCompiler(g, options ?? CompileOptions.Default);
        c._terms.Deadline = DateTime.UtcNow + c._o.Timeout;
        try
        {
            return c.Run();
        }
        finally
        {
            c._terms.Deadline = null; // lexing later is bounded by the state limits, not by the clock
        }
    }

    /// <summary>
    /// Compiles rules given already flat, over lexemes whose terms live in <paramref name="terms"/>, which the new
    /// grammar shares with the one it derives from (its lexer tables lock the store): how fill-in-the-middle quotients are built.
    /// </summary>
    internal static CompiledGrammar FromFlatRules(Grammar source, TermStore terms, IReadOnlyList<(LexemeSpec Spec, string Name)> lexemes,
        IReadOnlyList<string> nonterminals, IReadOnlyList<(int Lhs, int[] Rhs)> rules, int start, int[] ignored)
    {
        var c = new GrammarCompiler(source, CompileOptions.Default) { _terms = terms };
        foreach (var (spec, name) in lexemes)
        {
            c._lexemes.Add(spec);
            c._lexemeNames.Add(name);
        }
        c._ntNames.AddRange(nonterminals);
        c._rules.AddRange(rules);
        var compiled = c.Finish(start, ignored);
        compiled.T.IsQuotient = true;
        return compiled;
    }

    private CompiledGrammar Run()
    {
        if (!_ruleDefs.ContainsKey(_g.StartRule))
            throw Error($"the start rule '{_g.StartRule}' is not defined", default);
        foreach (var r in _g.Rules) CheckRefs(r.Body, 0);
        CheckModes();
        if (_g.LexemeMatch == LexemeMatch.AllEnds) FindRegularRules();

        int superStart = NewNt("<start>");
        int start = NtFor(_g.StartRule);
        AddRule(superStart, [start]);
        // Rules are lowered on demand, so unreachable rules cost nothing and need not be valid lexically.
        for (int i = 0; i < _pending.Count; i++)
        {
            var (name, nt) = _pending[i];
            foreach (var def in _ruleDefs[name])
                foreach (var alt in Alternatives(def.Body))
                    AddRule(nt, Lower(alt, 0));
        }
        var ignored = new List<int>();
        foreach (var name in _g.Ignore)
        {
            if (!_terminalDefs.TryGetValue(name, out var def)) throw Error($"%ignore names an undefined terminal '{name}'", default);
            ignored.Add(LexemeFor(def.Regex, name, MatchFor(def.Lazy), ignored: true, priority: def.Priority, terminal: def));
        }
        if (_g.ContextFreeLexing)
        {
            // Every token exists for the lexer, even one no rule uses: it still takes its matches away from the others.
            var ignoredNames = _g.Ignore.ToHashSet(StringComparer.Ordinal);
            foreach (var def in _g.Terminals)
                if (!ignoredNames.Contains(def.Name))
                    LexemeFor(def.Regex, def.Name, MatchFor(def.Lazy), priority: def.Priority, literal: def.LiteralText, terminal: def);
        }
        return Finish(superStart, ignored.Distinct().ToArray());
    }

    private readonly List<(string Name, int Nt)> _pending = [];

    private int NtFor(string rule)
    {
        if (_ruleNt.TryGetValue(rule, out int nt)) return nt;
        nt = NewNt(rule);
        _ruleNt[rule] = nt;
        _pending.Add((rule, nt));
        return nt;
    }

    private int NewNt(string name)
    {
        if (_ntNames.Count >= _o.MaxRules) throw Error($"grammar too large: more than {_o.MaxRules} rules after expansion", default);
        _ntNames.Add(name);
        return _ntNames.Count - 1;
    }

    private void AddRule(int lhs, int[] rhs)
    {
        _symbolCount += rhs.Length + 1;
        if (_rules.Count >= _o.MaxRules || _symbolCount > _o.MaxSymbols)
            throw Error($"grammar too large: more than {_o.MaxRules} rules or {_o.MaxSymbols} symbols after expansion", default);
        _rules.Add((lhs, rhs));
    }

    private static IEnumerable<GrammarExpr> Alternatives(GrammarExpr e) => e is ChoiceExpr c ? c.Alternatives.SelectMany(Alternatives) : [e];

    private GrammarException Error(string reason, SourceLocation at) =>
        at.Line > 0 ? new GrammarException(reason, at.Line, at.Column, _g.SourceName) : new GrammarException((_g.SourceName is null ? "" : _g.SourceName + ": ") + reason);

    private void CheckRefs(GrammarExpr e, int depth)
    {
        if (depth > _o.MaxDepth) throw Error($"grammar expressions nest deeper than {_o.MaxDepth}", default);
        switch (e)
        {
            case RuleRef r when !_ruleDefs.ContainsKey(r.Name):
                throw Error($"undefined rule '{r.Name}'", r.Location);
            case TerminalRef t when !_terminalDefs.ContainsKey(t.Name):
                throw Error($"undefined terminal '{t.Name}'", t.Location);
            case SeqExpr s: foreach (var i in s.Items) CheckRefs(i, depth + 1); break;
            case ChoiceExpr c: foreach (var i in c.Alternatives) CheckRefs(i, depth + 1); break;
            case RepeatExpr r: CheckRefs(r.Item, depth + 1); break;
        }
    }

    private void CheckModes()
    {
        if (_g.LexerModes.Count > MaxLexerModes) throw Error($"more than {MaxLexerModes} lexer modes", default);
        foreach (var t in _g.Terminals)
        {
            if (t.Mode is not null && !_modeIndex.ContainsKey(t.Mode))
                throw Error($"terminal '{t.Name}' belongs to undeclared lexer mode '{t.Mode}'", t.Location);
            foreach (var c in t.ModeCommands)
                if (c.Kind != LexerModeCommandKind.Pop && (c.Mode is null || !_modeIndex.ContainsKey(c.Mode)))
                    throw Error($"terminal '{t.Name}' enters undeclared lexer mode '{c.Mode}'", t.Location);
        }
    }

    // A rule is regular when it reaches no cycle through rule references; then it can be one lexeme.
    private void FindRegularRules()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = visiting, 2 = regular, 3 = not regular
        bool Visit(string name)
        {
            if (state.TryGetValue(name, out int s)) return s == 2;
            state[name] = 1;
            bool regular = true;
            foreach (var def in _ruleDefs[name])
                foreach (var r in Refs(def.Body))
                    if (!Visit(r)) regular = false;
            state[name] = regular ? 2 : 3;
            if (regular) _regularRules.Add(name);
            return regular;
        }
        foreach (var name in _ruleDefs.Keys) Visit(name);
    }

    private static IEnumerable<string> Refs(GrammarExpr e) => e switch
    {
        RuleRef r => [r.Name],
        SeqExpr s => s.Items.SelectMany(Refs),
        ChoiceExpr c => c.Alternatives.SelectMany(Refs),
        RepeatExpr r => Refs(r.Item),
        _ => [],
    };

    private bool IsRegular(GrammarExpr e) => _g.LexemeMatch == LexemeMatch.AllEnds && e switch
    {
        TokenExpr or TerminalRef => true,
        _ when !_g.FuseRegularParts => false,
        RuleRef r => _regularRules.Contains(r.Name),
        SeqExpr s => s.Items.All(IsRegular),
        ChoiceExpr c => c.Alternatives.All(IsRegular),
        RepeatExpr r => IsRegular(r.Item),
        _ => false,
    };

    private RegexNode ToRegex(GrammarExpr e) => e switch
    {
        TokenExpr t => t.Regex,
        TerminalRef t => _terminalDefs[t.Name].Regex,
        RuleRef r => RuleRegex(r.Name),
        SeqExpr s => RegexNode.Sequence(s.Items.Select(ToRegex)),
        ChoiceExpr c => RegexNode.Choice(c.Alternatives.Select(ToRegex)),
        RepeatExpr r => RegexNode.Repeat(ToRegex(r.Item), r.Min, r.Max),
        _ => throw new InvalidOperationException(e.GetType().Name),
    };

    private RegexNode RuleRegex(string name)
    {
        if (_ruleRegex.TryGetValue(name, out var node)) return node;
        node = RegexNode.Choice(_ruleDefs[name].Select(d => ToRegex(d.Body)));
        _ruleRegex[name] = node;
        return node;
    }

    private int LexemeFor(RegexNode node, string display, LexemeMatch match, bool ignored = false, int priority = 0, string? literal = null,
        TerminalDefinition? terminal = null)
    {
        int term = _terms.FromNode(node);
        // With modes, equal regexes of different terminals are different lexemes: their modes and commands differ.
        var key = (term, match, ignored, _modeIndex.Count > 0 ? terminal?.Name : null);
        if (_lexemeIds.TryGetValue(key, out int id)) return id;
        id = _lexemes.Count;

        ulong modes = ulong.MaxValue;
        ModeCommand[]? commands = null;
        if (_modeIndex.Count > 0 && terminal is not null)
        {
            modes = 1UL << _modeIndex[terminal.Mode ?? _g.LexerModes[0]];
            if (terminal.ModeCommands.Count > 0)
                commands = terminal.ModeCommands.Select(c => new ModeCommand(c.Kind, c.Mode is null ? 0 : _modeIndex[c.Mode])).ToArray();
        }
        _lexemes.Add(new LexemeSpec(term, match, ignored, priority, literal is null ? null : System.Text.Encoding.UTF8.GetBytes(literal),
            Reserved: _g.ContextFreeLexing && match == LexemeMatch.Longest && !ignored, Modes: modes, Commands: commands));
        _lexemeNames.Add(display);
        _lexemeIds[key] = id;
        return id;
    }

    private static int Lex(int lexeme) => ~lexeme;

    // Lazy terminals end at the shortest match; in AllEnds grammars every end is already taken.
    private LexemeMatch MatchFor(bool lazy) => lazy && _g.LexemeMatch == LexemeMatch.Longest ? LexemeMatch.Shortest : _g.LexemeMatch;

    private int[] Lower(GrammarExpr e, int depth)
    {
        var output = new List<int>();
        LowerInto(e, output, depth);
        return output.ToArray();
    }

    private void LowerInto(GrammarExpr e, List<int> output, int depth)
    {
        if (IsRegular(e))
        {
            output.Add(Lex(LexemeFor(ToRegex(e), Display(e), LexemeMatch.AllEnds)));
            return;
        }
        switch (e)
        {
            case SeqExpr s:
                {
                    // Fuse each run of regular items into one lexeme.
                    var run = new List<GrammarExpr>();
                    foreach (var item in s.Items)
                    {
                        if (IsRegular(item)) { run.Add(item); continue; }
                        FlushRun(run, output);
                        LowerInto(item, output, depth + 1);
                    }
                    FlushRun(run, output);
                    break;
                }
            case ChoiceExpr c:
                {
                    int nt = NewNt($"<choice@{_ntNames.Count}>");
                    foreach (var alt in Alternatives(c)) AddRule(nt, Lower(alt, depth + 1));
                    output.Add(nt);
                    break;
                }
            case RepeatExpr r:
                LowerRepeat(r, output, depth);
                break;
            case RuleRef r:
                output.Add(NtFor(r.Name));
                break;
            case TerminalRef t:
                {
                    var def = _terminalDefs[t.Name];
                    output.Add(Lex(LexemeFor(def.Regex, t.Name, MatchFor(def.Lazy), priority: def.Priority, literal: def.LiteralText, terminal: def)));
                    break;
                }
            case TokenExpr t:
                output.Add(Lex(LexemeFor(t.Regex, t.Display, MatchFor(t.Lazy), literal: t.LiteralText)));
                break;
            default:
                throw new InvalidOperationException(e.GetType().Name);
        }
    }

    private void FlushRun(List<GrammarExpr> run, List<int> output)
    {
        if (run.Count == 0) return;
        var expr = run.Count == 1 ? run[0] : new SeqExpr(run.ToArray());
        output.Add(Lex(LexemeFor(ToRegex(expr), Display(expr), LexemeMatch.AllEnds)));
        run.Clear();
    }

    private static string Display(GrammarExpr e)
    {
        var s = GrammarPrinter.Expr(e, 0);
        return s.Length > 60 ? s[..57] + "..." : s;
    }

    private void LowerRepeat(RepeatExpr r, List<int> output, int depth)
    {
        int max = r.Max ?? -1;
        if (r.Max is int m && m - r.Min > _o.MaxRepeat || r.Min > _o.MaxRepeat)
            throw Error($"bounded repetition {{{r.Min},{r.Max}}} of a non-regular part exceeds the limit of {_o.MaxRepeat}", default);
        if (max == 0) return;
        int x = SymbolFor(r.Item, depth);
        // Exact part: x{min}, by doubling so that large counts cost O(log n) rules.
        AppendExact(x, r.Min, output);
        if (max < 0)
        {
            output.Add(Star(x));
        }
        else if (max > r.Min)
        {
            output.Add(UpTo(x, max - r.Min));
        }
    }

    private int SymbolFor(GrammarExpr e, int depth)
    {
        var syms = Lower(e, depth + 1);
        if (syms.Length == 1) return syms[0];
        int nt = NewNt($"<group@{_ntNames.Count}>");
        AddRule(nt, syms);
        return nt;
    }

    private void AppendExact(int x, int count, List<int> output)
    {
        if (count <= 4)
        {
            for (int i = 0; i < count; i++) output.Add(x);
            return;
        }
        int power = 1, sym = x;
        while (count > 0)
        {
            if ((count & 1) != 0) output.Add(sym);
            count >>= 1;
            if (count == 0) break;
            sym = Doubled(sym, x, power);
            power *= 2;
        }
    }

    private int Doubled(int sym, int x, int power)
    {
        int key = sym;
        if (_doubling.TryGetValue(key, out int nt)) return nt;
        nt = NewNt($"<{Name(x)}x{power * 2}>");
        AddRule(nt, [sym, sym]);
        _doubling[key] = nt;
        return nt;
    }

    private string Name(int sym) => sym >= 0 ? _ntNames[sym] : _lexemeNames[~sym];

    private int Star(int x)
    {
        if (_repeatCache.TryGetValue((x, 0, -1), out int nt)) return nt;
        nt = NewNt($"<{Name(x)}*>");
        _repeatCache[(x, 0, -1)] = nt;
        AddRule(nt, []);
        AddRule(nt, [nt, x]);
        return nt;
    }

    // x{0,n} as a chain O_n → ε | x O_{n-1}: n small rules, unambiguous.
    private int UpTo(int x, int n)
    {
        if (_repeatCache.TryGetValue((x, 0, n), out int nt)) return nt;
        int prev = -1;
        for (int k = 1; k <= n; k++)
        {
            if (_repeatCache.TryGetValue((x, 0, k), out int existing)) { prev = existing; continue; }
            int o = NewNt($"<{Name(x)}{{0,{k}}}>");
            AddRule(o, []);
            AddRule(o, prev < 0 ? [x] : [x, prev]);
            _repeatCache[(x, 0, k)] = o;
            prev = o;
        }
        return prev;
    }

    private CompiledGrammar Finish(int superStart, int[] ignored)
    {
        int ntCount = _ntNames.Count;
        var lexemeNullable = _lexemes.Select(l => _terms.IsNullable(l.Term)).ToArray();
        var lexemeProductive = _lexemes.Select(l => l.Term != TermStore.Nothing).ToArray();

        // Productive nonterminals, by fixpoint; rules using unproductive symbols can never complete and are dropped.
        var productive = new bool[ntCount];
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var (lhs, rhs) in _rules)
            {
                if (productive[lhs]) continue;
                if (rhs.All(s => s >= 0 ? productive[s] : lexemeProductive[~s])) { productive[lhs] = true; changed = true; }
            }
        }
        if (!productive[superStart])
            throw new EmptyLanguageException((_g.SourceName is null ? "" : _g.SourceName + ": ") + $"the grammar matches no string at all: rule '{_g.StartRule}' can never complete");
        var rules = _rules.Where(r => productive[r.Lhs] && r.Rhs.All(s => s >= 0 ? productive[s] : lexemeProductive[~s])).ToList();

        var nullable = new bool[ntCount];
        changed = true;
        while (changed)
        {
            changed = false;
            foreach (var (lhs, rhs) in rules)
            {
                if (nullable[lhs]) continue;
                if (rhs.All(s => s >= 0 ? nullable[s] : lexemeNullable[~s])) { nullable[lhs] = true; changed = true; }
            }
        }

        var syms = new List<int>();
        var posRule = new List<int>();
        var ruleLhs = new int[rules.Count];
        var rulesOf = new List<int>[ntCount];
        for (int i = 0; i < ntCount; i++) rulesOf[i] = [];
        int startPos = -1;
        for (int r = 0; r < rules.Count; r++)
        {
            var (lhs, rhs) = rules[r];
            ruleLhs[r] = lhs;
            int pos = syms.Count;
            if (lhs == superStart) startPos = pos;
            rulesOf[lhs].Add(pos);
            foreach (int s in rhs) { syms.Add(s); posRule.Add(r); }
            syms.Add(EndMarker);
            posRule.Add(r);
        }
        var specs = _lexemes.ToArray();
        return new CompiledGrammar(_g, new CompiledGrammar.Tables
        {
            Symbols = syms.ToArray(),
            PositionRule = posRule.ToArray(),
            RuleLhs = ruleLhs,
            RulesOf = rulesOf.Select(l => l.ToArray()).ToArray(),
            Nullable = nullable,
            LexemeNullable = lexemeNullable,
            NonterminalNames = _ntNames.ToArray(),
            LexemeNames = _lexemeNames.ToArray(),
            Lexemes = specs,
            Ignored = ignored,
            StartPosition = startPos,
            Terms = _terms,
            Lexer = new LexerTable(_terms, specs),
            Modes = _g.LexerModes.Count > 0 ? new LexerModes(_g.LexerModes) : null,
        });
    }
}
