using Structured.Parsing;

namespace Structured.Quotients;

/// <summary>
/// An Earley chart of the suffix read backwards: the grammar's rules reversed, parsed from the end of the suffix
/// toward the cut over every reading in the <see cref="SuffixLattice"/>. An item (dot, origin) in column c says the
/// symbols of its rule after the dot derive <c>suffix[c..origin)</c> and the rule's left side ends at origin, in a
/// context that the rest of the suffix completes up to the start symbol.
/// </summary>
internal sealed class ReverseChart
{
    /// <summary>An item: symbols at positions [Dot, rule end) are read; the next one back is at Dot − 1.</summary>
    public readonly record struct Item(int Dot, int Origin);

    private readonly CompiledGrammar.Tables _t;
    private readonly int[] _ruleStart;
    private readonly int[] _ruleEnd;

    /// <summary>Items per position; null where no reading arrives.</summary>
    public List<Item>?[] Columns { get; }

    private readonly HashSet<Item>?[] _seen;
    private readonly Dictionary<int, List<Item>>?[] _waitingOnRule;
    private readonly Dictionary<int, List<Item>>?[] _waitingOnLexeme;

    public ReverseChart(CompiledGrammar.Tables t, SuffixLattice lattice)
    {
        _t = t;
        (_ruleStart, _ruleEnd) = RuleBounds(t);
        int n = lattice.Length;
        Columns = new List<Item>?[n + 1];
        _seen = new HashSet<Item>?[n + 1];
        _waitingOnRule = new Dictionary<int, List<Item>>?[n + 1];
        _waitingOnLexeme = new Dictionary<int, List<Item>>?[n + 1];
        var ignored = new bool[t.Lexemes.Length];
        foreach (int l in t.Ignored) ignored[l] = true;

        int startRule = t.PositionRule[t.StartPosition];
        Add(n, new Item(_ruleEnd[startRule], n));
        for (int c = n; c >= 0; c--)
        {
            if (Columns[c] is null) continue;
            Close(c);
            foreach (var e in lattice.EdgesEndingAt[c])
            {
                if (ignored[e.Lexeme])
                {
                    foreach (var item in Columns[c]!) Add(e.Start, item);
                }
                else if (_waitingOnLexeme[c]!.TryGetValue(e.Lexeme, out var waiting))
                {
                    foreach (var item in waiting) Add(e.Start, item with { Dot = item.Dot - 1 });
                }
            }
        }
    }

    public int RuleStart(int dot) => _ruleStart[_t.PositionRule[dot]];

    public int Lhs(int dot) => _t.RuleLhs[_t.PositionRule[dot]];

    /// <summary>The next symbol back (nonterminal ≥ 0, lexeme l as ~l), or null when the item is complete.</summary>
    public int? NextBack(Item item) => item.Dot > RuleStart(item.Dot) ? _t.Symbols[item.Dot - 1] : null;

    public IReadOnlyList<Item> WaitingOnLexeme(int column, int lexeme) =>
        _waitingOnLexeme[column] is { } w && w.TryGetValue(lexeme, out var list) ? list : [];

    private void Add(int column, Item item)
    {
        var seen = _seen[column] ??= [];
        if (!seen.Add(item)) return;
        (Columns[column] ??= []).Add(item);
    }

    private void Close(int c)
    {
        var items = Columns[c]!;
        var waitingOnRule = _waitingOnRule[c] = [];
        var waitingOnLexeme = _waitingOnLexeme[c] = [];
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i];
            int start = RuleStart(item.Dot);
            if (item.Dot == start)
            {
                // Completions of an empty span were made at prediction (nullable skip), so only origins behind us remain.
                if (item.Origin == c) continue;
                if (_waitingOnRule[item.Origin]!.TryGetValue(Lhs(item.Dot), out var parents))
                    foreach (var p in parents) Add(c, p with { Dot = p.Dot - 1 });
                continue;
            }
            int s = _t.Symbols[item.Dot - 1];
            if (s >= 0)
            {
                if (!waitingOnRule.TryGetValue(s, out var list)) waitingOnRule[s] = list = [];
                list.Add(item);
                if (list.Count == 1)
                    foreach (int pos in _t.RulesOf[s]) Add(c, new Item(_ruleEnd[_t.PositionRule[pos]], c));
                if (_t.Nullable[s]) Add(c, item with { Dot = item.Dot - 1 });
            }
            else
            {
                if (!waitingOnLexeme.TryGetValue(~s, out var list)) waitingOnLexeme[~s] = list = [];
                list.Add(item);
                if (_t.LexemeNullable[~s]) Add(c, item with { Dot = item.Dot - 1 });
            }
        }
    }

    private static (int[] Start, int[] End) RuleBounds(CompiledGrammar.Tables t)
    {
        var start = new int[t.RuleLhs.Length];
        var end = new int[t.RuleLhs.Length];
        Array.Fill(start, -1);
        for (int pos = 0; pos < t.Symbols.Length; pos++)
        {
            int r = t.PositionRule[pos];
            if (start[r] < 0) start[r] = pos;
            if (t.Symbols[pos] == GrammarCompiler.EndMarker) end[r] = pos;
        }
        return (start, end);
    }
}
