using System.Text;
using Structured.Lexing;
using Structured.Parsing;

namespace Structured.Quotients;

/// <summary>
/// The right quotient of a grammar by a fixed suffix: a compiled grammar whose sentences are the texts <c>x</c> with
/// <c>x + suffix</c> in the original language. Its parser state after a prefix is the fill-in-the-middle constraint
/// (the left quotient): masks, AWRS and SMC run on it unchanged, and it accepts exactly where the middle may stop.
/// </summary>
/// <remarks>
/// <para>Construction: the suffix is read backwards with the reversed rules (<see cref="ReverseChart"/>) over every way to
/// lex it (<see cref="SuffixLattice"/>). Each chart item whose rule is open toward the cut becomes a rule of a new
/// nonterminal <c>A/j</c>, "an A whose last part is <c>suffix[0..j)</c>": the symbols before the dot stay, and the
/// symbol at the dot becomes its own quotient. At the cut the item keeps just what precedes it; a lexeme split by the
/// cut becomes a new lexeme, the right quotient of its regex by the part after the cut. Rules that cannot reach the cut
/// are dropped, so the new grammar is about as large as the original plus the open rules along the cut.</para>
/// <para>Where lexemes may end anywhere (GBNF, regex), the construction is exact. Under longest match a reading of the
/// suffix may be one the real lexer would not choose (a name where the lexer, knowing what the parser expects there,
/// takes another lexeme, or a middle whose last lexeme would run on into the suffix); such texts are accepted only if
/// the whole text also parses, which <see cref="IsComplete"/> checks. A cut lexeme is final: nothing, not even an
/// ignored lexeme, may follow it in the middle.</para>
/// </remarks>
public sealed class MiddleGrammar
{
    private readonly byte[] _suffix;

    private MiddleGrammar(CompiledGrammar original, CompiledGrammar grammar, byte[] suffix)
    {
        Original = original;
        Grammar = grammar;
        _suffix = suffix;
        IsExact = original.T.Lexemes.All(l => l.Match == LexemeMatch.AllEnds);
    }

    /// <summary>The grammar the whole text must belong to.</summary>
    public CompiledGrammar Original { get; }

    /// <summary>The quotient: its sentences are the texts that the suffix completes.</summary>
    public CompiledGrammar Grammar { get; }

    /// <summary>The fixed text after the middle.</summary>
    public ReadOnlyMemory<byte> Suffix => _suffix;

    /// <summary>
    /// True when the quotient's acceptance is exact by itself (every lexeme may end at any match); otherwise
    /// <see cref="IsComplete"/> also parses the whole text when the quotient accepts.
    /// </summary>
    public bool IsExact { get; }

    /// <summary>The most rules a quotient may add to its grammar by default; see <see cref="Create(CompiledGrammar, ReadOnlySpan{byte}, int)"/>.</summary>
    public const int DefaultMaxAddedRules = 100_000;

    /// <summary>Builds the quotient of <paramref name="grammar"/> by <paramref name="suffix"/>.</summary>
    /// <param name="grammar">The grammar of the whole text.</param>
    /// <param name="suffix">The fixed text after the middle.</param>
    /// <param name="maxAddedRules">A limit on the quotient's size. A suffix that can be read in very many ways (say,
    /// one with many places where a long comment opened in the middle could end) makes a large quotient, and parsing
    /// with it slows down; past the limit this is an error rather than a slow constraint.</param>
    /// <exception cref="EmptyLanguageException">No sentence of the grammar ends with the suffix (the message says where reading it backwards fails).</exception>
    /// <exception cref="GrammarException">The quotient would exceed <paramref name="maxAddedRules"/>.</exception>
    public static MiddleGrammar Create(CompiledGrammar grammar, ReadOnlySpan<byte> suffix, int maxAddedRules = DefaultMaxAddedRules)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        var t = grammar.T;
        // The suffix's readings would depend on the lexer mode where it starts, which the middle decides.
        if (t.Modes is not null) throw new GrammarException($"{grammar.Source.SourceName ?? "the grammar"}: fill-in-the-middle does not support grammars with lexer modes");
        var lattice = SuffixLattice.Build(t.Terms, t.Lexemes, suffix, grammar.Source.ContextFreeLexing);
        var chart = new ReverseChart(t, lattice);
        var built = new Builder(t, lattice, chart).Build();
        if (built is null) throw new EmptyLanguageException(NoMiddleMessage(suffix, chart));
        var (lexemes, names, rules, start) = built.Value;
        int added = rules.Count - t.RuleLhs.Length;
        if (added > maxAddedRules)
            throw new GrammarException($"the suffix can be read in too many ways: its quotient needs {added:N0} rules, over the limit of {maxAddedRules:N0} (raise it, or cut the suffix shorter)");
        var compiled = GrammarCompiler.FromFlatRules(grammar.Source, t.Terms, lexemes, names, rules, start, t.Ignored);
        return new MiddleGrammar(grammar, compiled, suffix.ToArray());
    }

    /// <summary>Builds the quotient by a suffix given as text (UTF-8).</summary>
    public static MiddleGrammar Create(CompiledGrammar grammar, string suffix, int maxAddedRules = DefaultMaxAddedRules) =>
        Create(grammar, Encoding.UTF8.GetBytes(suffix ?? throw new ArgumentNullException(nameof(suffix))), maxAddedRules);

    /// <summary>The state after <paramref name="prefix"/>: the constraint on the middle.</summary>
    public ParserState Start(ReadOnlySpan<byte> prefix) => Grammar.InitialState.Advance(prefix);

    /// <summary>
    /// Whether <c>prefix + middle + suffix</c> is a sentence, given the quotient's state after <c>prefix + middle</c>
    /// and the original's (null when <see cref="IsExact"/>, where it is not needed).
    /// </summary>
    public bool IsComplete(ParserState middle, ParserState? original)
    {
        ArgumentNullException.ThrowIfNull(middle);
        if (!middle.IsAccepting) return false;
        if (IsExact) return true;
        ArgumentNullException.ThrowIfNull(original);
        return original.Advance(_suffix).IsAccepting;
    }

    private static string NoMiddleMessage(ReadOnlySpan<byte> suffix, ReverseChart chart)
    {
        // The leftmost position the backward reading reached: before it, no reading of the suffix fits the grammar.
        int reached = chart.Columns.Length - 1;
        for (int c = 0; c < chart.Columns.Length; c++)
            if (chart.Columns[c] is { Count: > 0 }) { reached = c; break; }
        return reached == 0
            ? "no text before this suffix makes a sentence with it: the suffix reads backwards to its first byte, but no rule of the grammar can begin there"
            : $"the suffix cannot end a sentence of the grammar: read backwards, it fails before byte offset {reached} of the suffix ('{Excerpt(suffix, reached)}')";
    }

    private static string Excerpt(ReadOnlySpan<byte> suffix, int at)
    {
        int from = Math.Max(0, at - 10), to = Math.Min(suffix.Length, at + 20);
        return Encoding.UTF8.GetString(suffix[from..to]).Replace("\n", "\\n", StringComparison.Ordinal);
    }

    private sealed class Builder(CompiledGrammar.Tables t, SuffixLattice lattice, ReverseChart chart)
    {
        private readonly Dictionary<(int Nt, int End), int> _quotientNt = [];
        private readonly List<string> _names = [.. t.NonterminalNames];
        private readonly List<(LexemeSpec, string)> _lexemes = t.Lexemes.Select((l, i) => (l, t.LexemeNames[i])).ToList();
        private readonly Dictionary<(int Cut, int Lexeme), int> _cutLexeme = [];

        // A rule of A/j in a compact form: the item's rule up to Dot, then Tail (a quotient nonterminal key, a cut
        // lexeme, or nothing). Tail is resolved to symbols only for rules that survive.
        private readonly record struct Candidate((int Nt, int End) Lhs, int Dot, int TailKind, (int Nt, int End) TailNt, int TailLexeme);

        private const int NoTail = 0, NtTail = 1, LexemeTail = 2;

        public (List<(LexemeSpec, string)> Lexemes, List<string> Names, List<(int, int[])> Rules, int Start)? Build()
        {
            var candidates = new List<Candidate>();
            for (int c = 0; c < chart.Columns.Length; c++)
            {
                if (chart.Columns[c] is not { } items) continue;
                foreach (var item in items)
                {
                    if (item.Origin == 0) continue; // an A/0 is A itself, whose rules the grammar has
                    var lhs = (chart.Lhs(item.Dot), item.Origin);
                    if (c == 0) { candidates.Add(new Candidate(lhs, item.Dot, NoTail, default, 0)); continue; }
                    if (chart.NextBack(item) is int y and >= 0)
                        candidates.Add(new Candidate(lhs, item.Dot - 1, NtTail, (y, c), 0));
                }
            }
            var ignored = new HashSet<int>(t.Ignored);
            foreach (var cut in lattice.Cuts)
            {
                if (chart.Columns[cut.End] is not { } items) continue;
                int lexeme = CutLexeme(cut);
                if (ignored.Contains(cut.Lexeme))
                {
                    // The middle ends inside a comment or a space that the suffix finishes: any item here may precede it.
                    foreach (var item in items)
                        candidates.Add(new Candidate((chart.Lhs(item.Dot), item.Origin), item.Dot, LexemeTail, default, lexeme));
                }
                else
                {
                    foreach (var item in chart.WaitingOnLexeme(cut.End, cut.Lexeme))
                        candidates.Add(new Candidate((chart.Lhs(item.Dot), item.Origin), item.Dot - 1, LexemeTail, default, lexeme));
                }
            }

            // Productive quotient nonterminals, by a worklist: a rule with no quotient tail is productive at once.
            var productive = new HashSet<(int, int)>();
            var dependents = new Dictionary<(int, int), List<(int, int)>>();
            var work = new Queue<(int, int)>();
            foreach (var cand in candidates)
            {
                if (cand.TailKind != NtTail || IsOriginal(cand.TailNt)) { if (productive.Add(cand.Lhs)) work.Enqueue(cand.Lhs); }
                else
                {
                    if (!dependents.TryGetValue(cand.TailNt, out var list)) dependents[cand.TailNt] = list = [];
                    list.Add(cand.Lhs);
                }
            }
            while (work.Count > 0)
                if (dependents.TryGetValue(work.Dequeue(), out var list))
                    foreach (var d in list)
                        if (productive.Add(d)) work.Enqueue(d);

            int startNt = t.RuleLhs[t.PositionRule[t.StartPosition]];
            var top = (startNt, lattice.Length);
            if (!IsOriginal(top) && !productive.Contains(top)) return null;

            var byLhs = candidates.Where(c => productive.Contains(c.Lhs) && (c.TailKind != NtTail || IsOriginal(c.TailNt) || productive.Contains(c.TailNt)))
                .GroupBy(c => c.Lhs).ToDictionary(g => g.Key, g => g.ToList());
            var rules = new List<(int, int[])>();
            for (int pos = 0, from = 0; pos < t.Symbols.Length; pos++)
            {
                if (t.Symbols[pos] != GrammarCompiler.EndMarker) continue;
                rules.Add((t.RuleLhs[t.PositionRule[pos]], RuleSymbols(from, pos)));
                from = pos + 1;
            }
            int middleStart = _names.Count;
            _names.Add("<middle>");
            rules.Add((middleStart, [Symbol(top)]));
            var queue = new Queue<(int, int)>();
            var done = new HashSet<(int, int)>();
            if (!IsOriginal(top)) { queue.Enqueue(top); done.Add(top); }
            while (queue.Count > 0)
            {
                var key = queue.Dequeue();
                foreach (var cand in byLhs[key])
                {
                    var body = RuleSymbols(chart.RuleStart(cand.Dot), cand.Dot).ToList();
                    if (cand.TailKind == NtTail)
                    {
                        body.Add(Symbol(cand.TailNt));
                        if (!IsOriginal(cand.TailNt) && done.Add(cand.TailNt)) queue.Enqueue(cand.TailNt);
                    }
                    else if (cand.TailKind == LexemeTail) body.Add(~cand.TailLexeme);
                    rules.Add((Symbol(key), body.ToArray()));
                }
            }
            return (_lexemes, _names, QuotientSimplifier.Simplify(rules, t.NonterminalNames.Length, middleStart, EndOf), middleStart);
        }

        private static bool IsOriginal((int Nt, int End) key) => key.End == 0;

        private Dictionary<int, int>? _endOf;

        // The suffix position of a quotient nonterminal (the start symbol counts as the end of the suffix).
        private int EndOf(int nt)
        {
            _endOf ??= _quotientNt.ToDictionary(x => x.Value, x => x.Key.End);
            return _endOf.TryGetValue(nt, out int end) ? end : int.MaxValue;
        }

        private int Symbol((int Nt, int End) key)
        {
            if (IsOriginal(key)) return key.Nt;
            if (_quotientNt.TryGetValue(key, out int id)) return id;
            id = _names.Count;
            _names.Add($"{t.NonterminalNames[key.Nt]}/{key.End}");
            _quotientNt[key] = id;
            return id;
        }

        private int CutLexeme(SuffixLattice.Cut cut)
        {
            if (_cutLexeme.TryGetValue((cut.End, cut.Lexeme), out int id)) return id;
                // The cut lexeme is the middle's last symbol and may end wherever it matches: it never takes part in
            // longest-match ties, and while it can go on, a shorter lexeme beside it waits, as the whole lexeme would make it.
            id = _lexemes.Count;
            _lexemes.Add((new LexemeSpec(cut.Head, LexemeMatch.AllEnds, Ignored: false, Final: true), $"{t.LexemeNames[cut.Lexeme]}/{cut.End}"));
            _cutLexeme[(cut.End, cut.Lexeme)] = id;
            return id;
        }

        private int[] RuleSymbols(int from, int to) => t.Symbols.AsSpan(from, to - from).ToArray();
    }
}
