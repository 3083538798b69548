namespace Structured.Tokens;

/// <summary>
/// The vocabulary as a byte trie laid out flat in depth-first order. Node 0 is the root; a node's subtree is the
/// index range [node, <see cref="SubtreeEnd"/>), so a walk skips a dead subtree with one assignment, and a node's
/// parent is the last node visited at the depth above. Immutable; built once per vocabulary and shared.
/// </summary>
public sealed class TokenTrie
{
    internal readonly byte[] NodeByte;
    internal readonly int[] NodeToken;      // the token ending here, or -1
    internal readonly int[] SubtreeEnd;
    internal readonly ushort[] NodeDepth;
    internal readonly int[] SameBytesNext;  // per token id: another id with the same bytes, or -1
    internal readonly int[] TokensInOrder;  // every token id in depth-first node order
    internal readonly int[] TokensBefore;   // per node (and one past the last): how many of TokensInOrder precede it
    internal readonly ushort[] DeepestBelow; // per node: the depth of the deepest node in its subtree (itself included)

    private TokenTrie(byte[] b, int[] tok, int[] end, ushort[] depth, int[] same, int maxDepth, int splitAt)
    {
        NodeByte = b;
        NodeToken = tok;
        SubtreeEnd = end;
        NodeDepth = depth;
        SameBytesNext = same;
        MaxDepth = maxDepth;
        // A run of nodes then owns one slice of the ids, which a mask sets without following chains.
        var order = new List<int>();
        TokensBefore = new int[b.Length + 1];
        for (int i = 0; i < b.Length; i++)
        {
            TokensBefore[i] = order.Count;
            for (int t = tok[i]; t >= 0; t = same[t]) order.Add(t);
        }
        TokensBefore[b.Length] = order.Count;
        TokensInOrder = order.ToArray();
        DeepestBelow = new ushort[b.Length];
        for (int i = b.Length - 1; i >= 0; i--)
        {
            ushort deepest = depth[i];
            for (int c = i + 1; c < end[i]; c = end[c]) deepest = Math.Max(deepest, DeepestBelow[c]);
            DeepestBelow[i] = deepest;
        }
        SplitDepth = Math.Clamp(splitAt, 1, Math.Max(1, maxDepth));
    }

    /// <summary>
    /// The depth up to which token classes are built apart from the deeper nodes. A lexer state that behaves alike on
    /// the first SplitDepth bytes shares the part of its class up to there (nearly every token), so a string whose
    /// length bound is still far off walks only the few long tokens again for each new count.
    /// </summary>
    internal int SplitDepth { get; }

    /// <summary>The token ids of the nodes in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    internal ReadOnlySpan<int> TokensOf(int from, int to) => TokensInOrder.AsSpan(TokensBefore[from], TokensBefore[to] - TokensBefore[from]);

    /// <summary>The number of tokens of the nodes in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    internal int TokenCount(int from, int to) => TokensBefore[to] - TokensBefore[from];

    /// <summary>Sets the mask bits of the tokens of the nodes in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    internal void SetBits(int from, int to, uint[] mask)
    {
        foreach (int t in TokensOf(from, to)) mask[t >> 5] |= 1u << (t & 31);
    }

    /// <summary>Clears the mask bits of the tokens of the nodes in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    internal void ClearBits(int from, int to, uint[] mask)
    {
        foreach (int t in TokensOf(from, to)) mask[t >> 5] &= ~(1u << (t & 31));
    }

    /// <summary>The number of nodes, the root included.</summary>
    public int NodeCount => NodeByte.Length;

    /// <summary>The longest token, in bytes.</summary>
    public int MaxDepth { get; }

    /// <summary>Approximate memory held by the trie's arrays, in bytes.</summary>
    public long MemoryBytes => NodeByte.Length * (1L + 4 + 4 + 2 + 4 + 2) + SameBytesNext.Length * 4L + TokensInOrder.Length * 4L;

    /// <summary>For nodes in depth-first order: where each subtree ends, the next node that is not deeper than its root.</summary>
    internal static int[] SubtreeEnds(ushort[] depth)
    {
        int n = depth.Length;
        var end = new int[n];
        var stack = new Stack<int>();
        for (int i = 0; i < n; i++)
        {
            while (stack.Count > 0 && depth[stack.Peek()] >= depth[i]) end[stack.Pop()] = i;
            stack.Push(i);
        }
        while (stack.Count > 0) end[stack.Pop()] = n;
        return end;
    }

    /// <summary>Builds the trie of all tokens that stand for text.</summary>
    public static TokenTrie Build(TokenVocabulary vocabulary)
    {
        var ids = new List<int>(vocabulary.TokenCount);
        for (int id = 0; id < vocabulary.TokenCount; id++)
            if (vocabulary.HasText(id)) ids.Add(id);
        var arr = ids.ToArray();
        Array.Sort(arr, (a, b) =>
        {
            int c = vocabulary[a].SequenceCompareTo(vocabulary[b]);
            return c != 0 ? c : a.CompareTo(b);
        });

        var bytes = new List<byte>(arr.Length * 2) { 0 };
        var token = new List<int>(arr.Length * 2) { -1 };
        var depth = new List<ushort>(arr.Length * 2) { 0 };
        var same = new int[vocabulary.TokenCount];
        Array.Fill(same, -1);
        var path = new List<int> { 0 };     // node index per depth on the current path
        ReadOnlySpan<byte> prev = [];
        int maxDepth = 0;
        foreach (int id in arr)
        {
            var cur = vocabulary[id];
            if (cur.Length > ushort.MaxValue) throw new InvalidDataException($"token {id} is longer than {ushort.MaxValue} bytes");
            int common = cur.CommonPrefixLength(prev);
            if (common == cur.Length && cur.Length == prev.Length)
            {
                // Same bytes as the previous token: chain it to the node's token.
                int node = path[cur.Length];
                int head = token[node];
                while (same[head] >= 0) head = same[head];
                same[head] = id;
                continue;
            }
            path.RemoveRange(common + 1, path.Count - common - 1);
            for (int k = common; k < cur.Length; k++)
            {
                path.Add(bytes.Count);
                bytes.Add(cur[k]);
                token.Add(-1);
                depth.Add((ushort)(k + 1));
            }
            token[path[cur.Length]] = id;
            maxDepth = Math.Max(maxDepth, cur.Length);
            prev = cur;
        }

        var d = depth.ToArray();
        return new TokenTrie(bytes.ToArray(), token.ToArray(), SubtreeEnds(d), d, same, maxDepth, vocabulary.ClassSplitDepth);
    }
}
