using System.Text;
using Structured.Lexing;
using Structured.Regex;

namespace Structured.Grammars;

/// <summary>
/// Draws random sentences from a grammar by expanding its IR, with no model: alternatives uniformly (or by
/// <see cref="RuleWeights"/>), repetitions a few times. Past a depth budget (the size control) it takes the shortest
/// derivations, so every draw terminates. For longest-match grammars it puts an ignored separator between lexemes
/// and avoids identifiers that spell a reserved literal, as a lexer would read them. It reads the IR, not the
/// parser, so tests use it as an independent witness; a draw that a lexing rule of the grammar still rejects is
/// possible, and callers that need a guarantee check it with the compiled parser (the FsCheck generators do).
/// </summary>
public sealed class GrammarSampler
{
    private readonly Grammar _g;
    private readonly Dictionary<string, List<GrammarRule>> _rules;
    private readonly Dictionary<string, TerminalDefinition> _terminals;
    private readonly Dictionary<string, int> _height = new(StringComparer.Ordinal);
    private readonly HashSet<string> _literals = new(StringComparer.OrdinalIgnoreCase);
    private readonly RegexNode? _separator;
    private readonly string? _separatorMode;

    private readonly TermStore? _store;
    private readonly List<(TerminalDefinition Def, int Term)> _reserved = [];

    /// <summary>Prepares a sampler for <paramref name="g"/>.</summary>
    public GrammarSampler(Grammar g)
    {
        ArgumentNullException.ThrowIfNull(g);
        _g = g;
        _rules = g.Rules.GroupBy(r => r.Name).ToDictionary(x => x.Key, x => x.ToList());
        _terminals = g.Terminals.ToDictionary(t => t.Name);
        foreach (var t in g.Terminals) if (t.LiteralText is { } lit) _literals.Add(lit);
        foreach (var r in g.Rules) CollectLiterals(r.Body);
        if (g.ContextFreeLexing)
        {
            _store = new TermStore();
            var ignored = g.Ignore.ToHashSet(StringComparer.Ordinal);
            _reserved = g.Terminals.Where(t => !ignored.Contains(t.Name)).Select(t => (t, _store.FromNode(t.Regex))).ToList();
        }
        string? sep = g.Ignore.FirstOrDefault(n => n.Contains("WS", StringComparison.Ordinal)) ?? (g.Ignore.Count > 0 ? g.Ignore[0] : null);
        _separator = sep is null ? null : _terminals[sep].Regex;
        _separatorMode = sep is null ? null : ModeOf(_terminals[sep]);
        ComputeHeights();
    }

    private void CollectLiterals(GrammarExpr e)
    {
        switch (e)
        {
            case TokenExpr { LiteralText: { } lit }: _literals.Add(lit); break;
            case SeqExpr s: foreach (var i in s.Items) CollectLiterals(i); break;
            case ChoiceExpr c: foreach (var i in c.Alternatives) CollectLiterals(i); break;
            case RepeatExpr r: CollectLiterals(r.Item); break;
        }
    }

    // The least derivation depth of each rule, by fixpoint.
    private void ComputeHeights()
    {
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var (name, defs) in _rules)
            {
                int h = defs.Min(d => Height(d.Body));
                if (h < int.MaxValue && (!_height.TryGetValue(name, out int old) || h + 1 < old))
                {
                    _height[name] = h + 1;
                    changed = true;
                }
            }
        }
    }

    private int Height(GrammarExpr e) => e switch
    {
        RuleRef r => _height.GetValueOrDefault(r.Name, int.MaxValue),
        SeqExpr s => s.Items.Count == 0 ? 0 : s.Items.Max(Height),
        ChoiceExpr c => c.Alternatives.Min(Height),
        RepeatExpr r => r.Min == 0 ? 0 : Height(r.Item),
        TokenExpr { Regex: NothingNode } => int.MaxValue, // a lexeme that matches nothing: this alternative cannot complete
        _ => 0,
    };

    /// <summary>
    /// Relative weights of a rule's alternatives, by rule name: of its definitions when it has several, otherwise of
    /// the top-level choice of its body. Rules not listed choose uniformly.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>>? RuleWeights { get; init; }

    /// <summary>A random sentence as UTF-8 bytes; <paramref name="depthBudget"/> bounds the derivation depth before it heads for the shortest completion.</summary>
    public byte[] Sample(Random rng, int depthBudget = 12)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var lexemes = new Draw(_g.LexerModes.Count > 0 ? _g.LexerModes[0] : "");
        Expand(new RuleRef(_g.StartRule, default), rng, 0, depthBudget, lexemes);
        var output = new List<byte>();
        for (int i = 0; i < lexemes.Count; i++)
        {
            // With lexer modes, a separator goes only where the lexer is in the separator's own mode.
            if (i > 0 && _separator is not null && _g.LexemeMatch == LexemeMatch.Longest && _separatorMode == lexemes.ModeAfter[i - 1])
                output.AddRange(SampleRegex(_separator, rng, nonEmpty: true));
            output.AddRange(lexemes[i]);
        }
        return output.ToArray();
    }

    private string ModeOf(TerminalDefinition t) => _g.LexerModes.Count == 0 ? "" : t.Mode ?? _g.LexerModes[0];

    /// <summary>One draw's lexemes, with the lexer mode after each (grammars with modes), followed as they are drawn.</summary>
    private sealed class Draw(string mode) : List<byte[]>
    {
        private readonly Stack<string> _stack = new();

        public string Mode { get; private set; } = mode;

        public List<string> ModeAfter { get; } = [];

        // False when the terminal's commands would pop more modes than the stack holds.
        public bool CanTake(TerminalDefinition terminal)
        {
            int depth = _stack.Count;
            foreach (var c in terminal.ModeCommands)
            {
                if (c.Kind == LexerModeCommandKind.Push) depth++;
                else if (c.Kind == LexerModeCommandKind.Pop && --depth < 0) return false;
            }
            return true;
        }

        public void Add(byte[] bytes, TerminalDefinition? terminal)
        {
            // A pop on an empty stack stays put: the draw is then one the parser rejects.
            foreach (var c in terminal?.ModeCommands ?? [])
            {
                switch (c.Kind)
                {
                    case LexerModeCommandKind.Push: _stack.Push(Mode); Mode = c.Mode!; break;
                    case LexerModeCommandKind.Pop: if (_stack.Count > 0) Mode = _stack.Pop(); break;
                    default: Mode = c.Mode!; break;
                }
            }
            Add(bytes);
            ModeAfter.Add(Mode);
        }
    }

    // Among alternatives that are all terminals (a token type that several lexer rules produce), those of the current mode.
    private List<GrammarExpr> InCurrentMode(List<GrammarExpr> options, Draw draw)
    {
        if (_g.LexerModes.Count == 0 || !options.All(o => o is TerminalRef)) return options;
        var here = options.Where(o => _terminals[((TerminalRef)o).Name] is var t && ModeOf(t) == draw.Mode && draw.CanTake(t)).ToList();
        return here.Count > 0 ? here : options;
    }

    private void Expand(GrammarExpr e, Random rng, int depth, int budget, Draw output, IReadOnlyList<double>? weightsFor = null)
    {
        bool deep = depth > budget;
        switch (e)
        {
            case SeqExpr s:
                foreach (var i in s.Items) Expand(i, rng, depth + 1, budget, output);
                break;
            case ChoiceExpr c:
                {
                    var options = InCurrentMode(c.Alternatives.Where(a => Height(a) < int.MaxValue).ToList(), output);
                    if (deep)
                    {
                        int best = options.Min(Height);
                        options = options.Where(a => Height(a) == best).ToList();
                    }
                    Expand(Pick(options, c.Alternatives, rng, weightsFor), rng, depth + 1, budget, output);
                    break;
                }
            case RepeatExpr r:
                {
                    int max = r.Max ?? r.Min + 3;
                    int n = deep ? r.Min : rng.Next(r.Min, Math.Min(max, r.Min + 4) + 1);
                    for (int k = 0; k < n; k++) Expand(r.Item, rng, depth + 1, budget, output);
                    break;
                }
            case RuleRef rr:
                {
                    var defs = _rules[rr.Name].Where(d => Height(d.Body) < int.MaxValue).ToList();
                    if (deep)
                    {
                        int best = defs.Min(d => Height(d.Body));
                        defs = defs.Where(d => Height(d.Body) == best).ToList();
                    }
                    var weights = RuleWeights?.GetValueOrDefault(rr.Name);
                    if (_rules[rr.Name].Count == 1)
                    {
                        // A single definition: the weights belong to the choice at the top of its body.
                        Expand(defs[0].Body, rng, depth + 1, budget, output, weights);
                        break;
                    }
                    var all = _rules[rr.Name].Select(d => d.Body).ToList();
                    Expand(Pick(defs.Select(d => d.Body).ToList(), all, rng, weights), rng, depth + 1, budget, output);
                    break;
                }
            case TerminalRef t:
                {
                    var def = _terminals[t.Name];
                    output.Add(SampleLexeme(def.Regex, def.LiteralText is not null, rng, def), def);
                    break;
                }
            case TokenExpr t:
                output.Add(SampleLexeme(t.Regex, t.LiteralText is not null, rng), null);
                break;
        }
    }

    // A weighted choice among the usable options; weights are given for all alternatives, in order.
    private static GrammarExpr Pick(List<GrammarExpr> usable, IReadOnlyList<GrammarExpr> all, Random rng, IReadOnlyList<double>? weights)
    {
        if (weights is null || weights.Count != all.Count) return usable[rng.Next(usable.Count)];
        var w = usable.Select(u => Math.Max(0, weights[IndexOf(all, u)])).ToArray();
        double total = w.Sum();
        if (!(total > 0)) return usable[rng.Next(usable.Count)];
        double x = rng.NextDouble() * total;
        for (int i = 0; i < w.Length; i++)
        {
            x -= w[i];
            if (x < 0) return usable[i];
        }
        return usable[^1];
    }

    private static int IndexOf(IReadOnlyList<GrammarExpr> all, GrammarExpr e)
    {
        for (int i = 0; i < all.Count; i++) if (ReferenceEquals(all[i], e)) return i;
        return 0;
    }

    // Under context-free lexing (ANTLR), a text that a higher-priority terminal also matches whole would be read as that
    // terminal: draw again.
    private bool TakenByAnother(byte[] text, TerminalDefinition own)
    {
        if (_store is null) return false;
        foreach (var (def, term) in _reserved)
        {
            if (def.Priority <= own.Priority || ReferenceEquals(def, own) || ModeOf(def) != ModeOf(own)) continue;
            int t = term;
            lock (_store) foreach (byte b in text) { t = _store.DeriveLocked(t, b); if (t == TermStore.Nothing) break; }
            if (t != TermStore.Nothing && _store.IsNullable(t)) return true;
        }
        return false;
    }

    private byte[] SampleLexeme(RegexNode regex, bool isLiteral, Random rng, TerminalDefinition? terminal = null)
    {
        if (terminal is not null && _store is not null)
        {
            for (int attempt = 0; ; attempt++)
            {
                var bytes = HasBooleanParts(regex) ? TermSampler.Sample(regex, rng, nonEmpty: true) : SampleRegex(regex, rng, nonEmpty: true);
                if (attempt > 50 || !TakenByAnother(bytes, terminal)) return bytes;
            }
        }
        if (HasBooleanParts(regex)) return TermSampler.Sample(regex, rng, nonEmpty: _g.LexemeMatch == LexemeMatch.Longest);
        for (int attempt = 0; ; attempt++)
        {
            var bytes = SampleRegex(regex, rng, nonEmpty: _g.LexemeMatch == LexemeMatch.Longest);
            if (isLiteral || _g.LexemeMatch != LexemeMatch.Longest || attempt > 50) return bytes;
            if (!_literals.Contains(Encoding.UTF8.GetString(bytes))) return bytes;
        }
    }

    private static bool HasBooleanParts(RegexNode node) => node switch
    {
        IntersectionNode or ComplementNode or JsonEncodedNode => true,
        SequenceNode s => s.Parts.Any(HasBooleanParts),
        ChoiceNode c => c.Alternatives.Any(HasBooleanParts),
        RepeatNode r => HasBooleanParts(r.Item),
        _ => false,
    };

    /// <summary>A random string of a regex's language.</summary>
    public static byte[] SampleRegex(RegexNode node, Random rng, bool nonEmpty = false)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            var output = new List<byte>();
            Walk(node, rng, output, 0);
            if (!nonEmpty || output.Count > 0) return output.ToArray();
        }
        return [];
    }

    private static void Walk(RegexNode node, Random rng, List<byte> output, int depth)
    {
        switch (node)
        {
            case LiteralNode lit: output.AddRange(lit.Value); break;
            case ClassNode c: output.AddRange(Encoding.UTF8.GetBytes(char.ConvertFromUtf32(PickCodePoint(c.Set, rng)))); break;
            case ByteClassNode b: { var all = b.Set.Bytes().ToArray(); output.Add(all[rng.Next(all.Length)]); break; }
            case SequenceNode s: foreach (var p in s.Parts) Walk(p, rng, output, depth + 1); break;
            case ChoiceNode ch: Walk(ch.Alternatives[rng.Next(ch.Alternatives.Count)], rng, output, depth + 1); break;
            case RepeatNode r:
                {
                    int max = r.Max ?? r.Min + 4;
                    int n = depth > 20 ? r.Min : rng.Next(r.Min, Math.Min(max, r.Min + 5) + 1);
                    for (int k = 0; k < n; k++) Walk(r.Item, rng, output, depth + 1);
                    break;
                }
        }
    }

    /// <summary>A code point of the set; mostly ASCII when the set has some, never a surrogate.</summary>
    public static int PickCodePoint(CodePointSet set, Random rng)
    {
        var ranges = set.Ranges.Where(r => !(r.Lo >= 0xD800 && r.Hi <= 0xDFFF)).ToList();
        var ascii = ranges.Where(r => r.Lo < 0x80).ToList();
        var pool = ascii.Count > 0 && rng.Next(4) != 0 ? ascii : ranges;
        while (true)
        {
            var (lo, hi) = pool[rng.Next(pool.Count)];
            if (pool == ascii) hi = Math.Min(hi, 0x7F);
            int cp = lo + rng.Next(hi - lo + 1);
            if (cp is < 0xD800 or > 0xDFFF) return cp;
        }
    }
}
