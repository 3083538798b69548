using Structured.Lexing;
using Structured.Tokens;

namespace Structured.Masks;

/// <summary>
/// What the lexer alone decides about the tokens that start with one byte, given the lexer state after that byte:
/// the tokens it allows outright, and the groups that cross a lexeme boundary inside (<see cref="SuffixGroup"/>).
/// </summary>
/// <remarks>
/// A token class is the union of its states' subtree classes over the first bytes, and most of them recur: inside any
/// object key, after a byte that starts none of the names a schema lists, the lexer is in the same "rest of any key"
/// state, whichever object it is. So these are cached per vocabulary by (byte, signature of the state after it), and
/// a new lexer state walks only the subtrees after which it does something not seen before.
/// Each subtree is built in two parts: the nodes down to the trie's <see cref="TokenTrie.SplitDepth"/> (keyed by the
/// state's behaviour over that many bytes), and the few deeper ones (keyed by its behaviour over the longest token).
/// A string whose length bound is 60 characters away behaves like a free string over the first part, so each new
/// count walks only the long tokens again. A boundary in the first part keeps the whole subtree below it in its group.
/// </remarks>
internal sealed class SubtreeClass
{
    // Subtrees up to this many nodes are copied as suffixes; larger ones are walked where they are.
    private const int InlineLimit = 48;

    /// <summary>
    /// The tokens the lexer takes whole (a lexeme continues, or ends right at the token's end): those of the trie nodes
    /// in these runs, as (first node, node after the last) pairs. Runs are short lists even where nearly every token is
    /// allowed, since the lexer takes every node between two dead subtrees.
    /// </summary>
    public required int[] AllowedRuns { get; init; }

    /// <summary>How many tokens the lexer takes whole.</summary>
    public int AllowedCount { get; init; }

    /// <summary>Sets the bits of the allowed tokens.</summary>
    public void SetAllowed(TokenTrie trie, uint[] mask)
    {
        var runs = AllowedRuns;
        for (int r = 0; r < runs.Length; r += 2) trie.SetBits(runs[r], runs[r + 1], mask);
    }

    /// <summary>
    /// In a mask whose bits for this subtree (of root child <paramref name="child"/>) are all set, leaves only the
    /// allowed ones set (those of this part and of <paramref name="deep"/>, the part below the split depth, when there
    /// is one), clearing whichever is fewer: the tokens between the runs, or all of them before setting the runs.
    /// </summary>
    public void KeepOnlyAllowed(TokenTrie trie, int child, uint[] mask, SubtreeClass? deep)
    {
        int end = trie.SubtreeEnd[child];
        ReadOnlySpan<int> runs = deep is null || deep.AllowedRuns.Length == 0 ? AllowedRuns : Merge(AllowedRuns, deep.AllowedRuns);
        if ((AllowedCount + (deep?.AllowedCount ?? 0)) * 2 < trie.TokenCount(child, end))
        {
            trie.ClearBits(child, end, mask);
            SetAllowed(trie, mask);
            deep?.SetAllowed(trie, mask);
            return;
        }
        int from = child;
        for (int r = 0; r < runs.Length; r += 2)
        {
            trie.ClearBits(from, runs[r], mask);
            from = runs[r + 1];
        }
        trie.ClearBits(from, end, mask);
    }

    [ThreadStatic] private static List<int>? t_merged;

    // The runs of both parts in node order (they never overlap: one holds nodes down to the split depth, the other below it).
    private static ReadOnlySpan<int> Merge(int[] a, int[] b)
    {
        var merged = t_merged ??= [];
        merged.Clear();
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            bool fromA = j >= b.Length || i < a.Length && a[i] < b[j];
            int start = fromA ? a[i] : b[j], stop = fromA ? a[i + 1] : b[j + 1];
            if (fromA) i += 2; else j += 2;
            if (merged.Count > 0 && merged[^1] == start) merged[^1] = stop;
            else
            {
                merged.Add(start);
                merged.Add(stop);
            }
        }
        return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(merged);
    }

    public required SuffixGroup[] Groups { get; init; }

    private sealed class Group(byte[] path)
    {
        public readonly byte[] Path = path;
        public readonly List<TokenSuffix> Suffixes = [];
        public readonly List<SuffixRange> Ranges = [];
    }

    // Walks run one at a time per thread (nothing in a walk starts another), and a large schema makes tens of thousands
    // of them: their working arrays are the thread's, not new ones each time.
    private sealed class Scratch(int depth)
    {
        public readonly int[] States = new int[depth];
        public readonly byte[] Path = new byte[depth];
        public readonly List<int> Runs = [];
        private int _runEnd = -1;

        /// <summary>This thread's scratch, deep enough for the trie, with no runs.</summary>
        public static Scratch For(TokenTrie trie)
        {
            int maxDepth = trie.MaxDepth + 1;
            var scratch = t_scratch is { } s && s.States.Length > maxDepth ? s : t_scratch = new Scratch(maxDepth + 1);
            scratch.Runs.Clear();
            scratch._runEnd = -1;
            return scratch;
        }

        /// <summary>Adds node <paramref name="i"/> to the runs, extending the last one when it ends there.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void AddRun(int i)
        {
            if (i == _runEnd) Runs[^1] = _runEnd = i + 1;
            else
            {
                Runs.Add(i);
                Runs.Add(_runEnd = i + 1);
            }
        }
    }

    [ThreadStatic] private static Scratch? t_scratch;

    /// <summary>
    /// Walks the subtree of the root child <paramref name="child"/>, whose byte leads to lexer state <paramref name="next"/>:
    /// the nodes down to the split depth, or with <paramref name="deep"/> those below it (reached along the paths to them).
    /// </summary>
    public static SubtreeClass Build(WalkRows rows, TokenTrie trie, TokenVocabulary vocab, int child, int next, bool deep)
    {
        var scratch = Scratch.For(trie);
        Dictionary<(int, bool), Group>? groups = null; // most subtrees cross no boundary
        var ls = scratch.States; // per depth: the row of the lexer state the next byte steps from
        var pathBytes = scratch.Path;
        var bytes = trie.NodeByte;
        var depthOf = trie.NodeDepth;
        var end = trie.SubtreeEnd;
        int split = trie.SplitDepth;
        var deepest = trie.DeepestBelow;
        int i = child, stop = end[child];
        while (i < stop)
        {
            int d = depthOf[i];
            if (deep && d <= split && deepest[i] <= split)
            {
                i = end[i]; // nothing below the split depth here
                continue;
            }
            // The deep part only passes through the nodes above the split: the other part has their tokens and boundaries.
            bool record = !deep || d > split;
            int code = d == 1 ? rows.Arrive(next) : rows.Step(ls[d - 1], bytes[i]);
            if ((code & WalkRows.Alive) == 0)
            {
                // A pending longest match that this byte cannot extend is committed here (never before the first byte:
                // the masker splits such roots itself).
                if (record && d > 1 && rows.EndsIfLongest(ls[d - 1]))
                    AddSubtree(ref groups, (rows.StateOf(ls[d - 1]), true), pathBytes.AsSpan(1, d - 1), trie, vocab, i, i, d - 1);
                i = end[i];
                continue;
            }
            if (record) scratch.AddRun(i);
            pathBytes[d] = bytes[i];
            // After a final lexeme the text ends, so the tokens below cross into nothing: no group to keep.
            if (record && (code & WalkRows.EndNowGoesOn) != 0)
                AddSubtree(ref groups, (d == 1 ? next : rows.NextState(ls[d - 1], bytes[i]), false), pathBytes.AsSpan(1, d), trie, vocab, i + 1, i, d);
            int goOn = WalkRows.ContinueRow(code);
            if (goOn < 0 || !deep && d == split)
            {
                i = end[i];
                continue;
            }
            ls[d] = goOn;
            i++;
        }
        return Finish(trie, scratch.Runs, groups);
    }

    /// <summary>
    /// The part of a class that <paramref name="slice"/> leaves to walk, for a lexer state it covers
    /// (<see cref="PlainSlice.Cover"/>): the whole trie from <paramref name="root"/>, visiting only the slice's spine.
    /// Plain nodes on it are stepped through for the nodes below them, but their tokens are the slice's, not in the runs.
    /// </summary>
    public static SubtreeClass BuildOutsideSlice(WalkRows rows, TokenTrie trie, TokenVocabulary vocab, PlainSlice slice, int root)
    {
        var scratch = Scratch.For(trie);
        Dictionary<(int, bool), Group>? groups = null;
        var ls = scratch.States;
        var pathBytes = scratch.Path;
        var bytes = trie.NodeByte;
        var depthOf = trie.NodeDepth;
        var spine = slice.Spine;
        var ends = slice.SpineEnds;
        var plain = slice.SpinePlain;
        ls[0] = rows.RowOf(root);
        int k = 0;
        while (k < spine.Length)
        {
            int i = spine[k];
            int d = depthOf[i];
            int code = rows.Step(ls[d - 1], bytes[i]);
            if ((code & WalkRows.Alive) == 0)
            {
                // As in Build; a first byte the state cannot take is no one's (the masker splits pending matches itself).
                if (d > 1 && rows.EndsIfLongest(ls[d - 1]))
                    AddSubtree(ref groups, (rows.StateOf(ls[d - 1]), true), pathBytes.AsSpan(1, d - 1), trie, vocab, i, i, d - 1);
                k = ends[k];
                continue;
            }
            pathBytes[d] = bytes[i];
            if (!plain[k])
            {
                scratch.AddRun(i);
                if ((code & WalkRows.EndNowGoesOn) != 0)
                    AddSubtree(ref groups, (rows.NextState(ls[d - 1], bytes[i]), false), pathBytes.AsSpan(1, d), trie, vocab, i + 1, i, d);
            }
            int goOn = WalkRows.ContinueRow(code);
            if (goOn < 0)
            {
                k = ends[k];
                continue;
            }
            ls[d] = goOn;
            k++;
        }
        return Finish(trie, scratch.Runs, groups);
    }

    private static SubtreeClass Finish(TokenTrie trie, List<int> runs, Dictionary<(int, bool), Group>? groups)
    {
        SuffixGroup[] result = groups is null ? [] : groups.Select(kv => new SuffixGroup(kv.Value.Path, kv.Key.Item2,
            kv.Value.Suffixes.ToArray(), kv.Value.Ranges.ToArray())).ToArray();
        int allowed = 0;
        for (int r = 0; r < runs.Count; r += 2) allowed += trie.TokenCount(runs[r], runs[r + 1]);
        return new SubtreeClass { AllowedRuns = runs.ToArray(), Groups = result, AllowedCount = allowed };
    }

    // Every token in the subtree of root from node `from` on, keyed by its bytes from offset `cut`.
    private static void AddSubtree(ref Dictionary<(int, bool), Group>? groups, (int, bool) key, ReadOnlySpan<byte> path, TokenTrie trie, TokenVocabulary vocab, int from, int root, int cut)
    {
        int stop = trie.SubtreeEnd[root];
        if (from >= stop) return;
        groups ??= [];
        if (!groups.TryGetValue(key, out var group)) groups[key] = group = new Group(path.ToArray());
        if (stop - from > InlineLimit)
        {
            var children = new List<int>();
            for (int c = from; c < stop; c = trie.SubtreeEnd[c]) children.Add(c);
            group.Ranges.Add(new SuffixRange(cut, children.ToArray()));
            return;
        }
        var list = group.Suffixes;
        for (int j = from; j < stop; j++)
        {
            for (int t = trie.NodeToken[j]; t >= 0; t = trie.SameBytesNext[t])
                list.Add(new TokenSuffix(t, cut));
        }
    }
}
