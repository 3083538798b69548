namespace Structured.Parsing;

/// <summary>An Earley item: a dotted rule (a position in the flat rule array) and the column where the rule started.</summary>
internal readonly struct Item(int position, Column origin)
{
    public readonly int Position = position;
    public readonly Column Origin = origin;
}

/// <summary>
/// An Earley column: the items after some lexeme ended. Immutable once built and shared by every parser state that
/// reached it, so forks and rollbacks never copy it.
/// </summary>
internal sealed class Column
{
    private static int s_nextId;
    // Both read without a lock on every completion and every crossing (see AppendOnlyTable).
    private Internal.AppendOnlyTable<Item?>.Entry[] _leo = Internal.AppendOnlyTable<Item?>.Empty;
    private Internal.AppendOnlyTable<object>.Entry[] _next = Internal.AppendOnlyTable<object>.Empty; // WeakReference<Column> or NoColumn
    private static readonly object NoColumn = new();

    public Column(long offset)
    {
        Id = Interlocked.Increment(ref s_nextId);
        Offset = offset;
    }

    public int Id { get; }

    /// <summary>The byte offset where the column's lexemes start.</summary>
    public long Offset { get; }

    public Item[] Items { get; private set; } = [];

    // Large columns (a fill-in-the-middle quotient predicts every reading of the suffix) also get their items grouped
    // by the symbol they wait for, so that completions and scans read their waiters without a pass over the column.
    // Most columns are read a few times only (a mask walk builds many and leaves them), so the grouping is made once
    // a column has been scanned often enough to pay for it.
    private const int IndexFrom = 24;
    private const int ScansBeforeIndex = 8;
    private WaiterIndex? _index;
    private int _scans;

    private sealed class WaiterIndex(Item[] grouped, Dictionary<int, (int Start, int Count)> groups)
    {
        public readonly Item[] Grouped = grouped;
        public readonly Dictionary<int, (int Start, int Count)> Groups = groups;
    }

    /// <summary>Sets the items (those waiting for a symbol).</summary>
    public void SetItems(Item[] items) => Items = items;

    /// <summary>Shares another column's items and their grouping (a mode shift keeps the items as they are).</summary>
    public void SetItemsFrom(Column other)
    {
        Items = other.Items;
        _index = Volatile.Read(ref other._index);
    }

    /// <summary>
    /// The items waiting for <paramref name="symbol"/> when the column keeps them grouped (<c>true</c>); otherwise
    /// <c>false</c>, and the caller scans <see cref="Items"/>.
    /// </summary>
    public bool TryGetWaiting(int symbol, int[] symbols, out ReadOnlySpan<Item> waiting)
    {
        waiting = default;
        var index = Volatile.Read(ref _index);
        if (index is null)
        {
            // The count is racy across threads, which only moves the moment the grouping is made.
            if (Items.Length < IndexFrom || ++_scans < ScansBeforeIndex) return false;
            index = Group(Items, symbols);
            Volatile.Write(ref _index, index);
        }
        if (index.Groups.TryGetValue(symbol, out var r)) waiting = index.Grouped.AsSpan(r.Start, r.Count);
        return true;
    }

    private static WaiterIndex Group(Item[] items, int[] symbols)
    {
        var grouped = (Item[])items.Clone();
        var keys = new int[grouped.Length];
        for (int i = 0; i < keys.Length; i++) keys[i] = symbols[grouped[i].Position];
        Array.Sort(keys, grouped);
        var groups = new Dictionary<int, (int, int)>();
        for (int i = 0, j; i < keys.Length; i = j)
        {
            for (j = i + 1; j < keys.Length && keys[j] == keys[i]; j++) { }
            groups[keys[i]] = (i, j - i);
        }
        return new WaiterIndex(grouped, groups);
    }

    /// <summary>The lexemes the parser allows here, in increasing order (ignored lexemes included).</summary>
    public int[] AllowedLexemes { get; set; } = [];

    /// <summary>The lexer-mode state here (<see cref="Lexing.LexerModes"/>); always the initial one in grammars without modes.</summary>
    public int Mode { get; init; }

    /// <summary>The lexer state that starts a lexeme here.</summary>
    public int LexerStart { get; set; }

    /// <summary>The input up to here is a complete sentence.</summary>
    public bool Accepting { get; set; }

    /// <summary>
    /// Leo's memo for right recursion: the topmost completed item that completing <paramref name="nonterminal"/> from
    /// this column leads to, when the chain of completions is deterministic; null otherwise.
    /// </summary>
    public Item? LeoTop(CompiledGrammar g, int nonterminal)
    {
        var t = g.T;
        List<(Column Col, int Nt, Item Completed)>? frames = null; // most lookups hit the memo at once
        Column c = this;
        int nt = nonterminal;
        Item? result;
        while (true)
        {
            if (c.TryGetLeo(nt, out result)) break;
            Item waiter = new(0, c);
            int count = 0;
            if (c.TryGetWaiting(nt, t.Symbols, out var grouped))
            {
                count = grouped.Length;
                if (count > 0) waiter = grouped[0];
            }
            else
            {
                foreach (var w in c.Items)
                {
                    if (t.Symbols[w.Position] != nt) continue;
                    waiter = w;
                    if (++count > 1) break;
                }
            }
            if (count != 1 || t.Symbols[waiter.Position + 1] != GrammarCompiler.EndMarker)
            {
                result = null;
                c.SetLeo(nt, null);
                break;
            }
            var completed = new Item(waiter.Position + 1, waiter.Origin);
            if (waiter.Origin == c)
            {
                result = completed;
                c.SetLeo(nt, result);
                break;
            }
            (frames ??= []).Add((c, nt, completed));
            nt = t.RuleLhs[t.PositionRule[waiter.Position]];
            c = waiter.Origin;
        }
        if (frames is null) return result;
        for (int i = frames.Count - 1; i >= 0; i--)
        {
            result ??= frames[i].Completed;
            frames[i].Col.SetLeo(frames[i].Nt, result);
        }
        return result;
    }

    /// <summary>
    /// The column after scanning one lexeme (key ≥ 0) or committing the longest-match ends of a lexer state
    /// (key &lt; 0), cached: columns do not depend on the byte offset they start at, so parsing and mask walks that
    /// cross the same boundary share them. The cache holds columns weakly, so an old column never keeps alive
    /// every column that was ever built after it.
    /// </summary>
    public bool TryGetNext(int key, out Column? next)
    {
        next = null;
        if (!Internal.AppendOnlyTable<object>.TryGetValue(Volatile.Read(ref _next), key, out var entry)) return false;
        if (entry == NoColumn) return true;
        return ((WeakReference<Column>)entry).TryGetTarget(out next);
    }

    public void SetNext(int key, Column? next) =>
        Internal.AppendOnlyTable<object>.Set(ref _next, key, next is null ? NoColumn : new WeakReference<Column>(next), replace: true); // a collected column is replaced

    private bool TryGetLeo(int nt, out Item? item) => Internal.AppendOnlyTable<Item?>.TryGetValue(Volatile.Read(ref _leo), nt, out item);

    // Another thread may have computed the same value first: the first one stays.
    private void SetLeo(int nt, Item? item) => Internal.AppendOnlyTable<Item?>.Set(ref _leo, nt, item, replace: false);
}
