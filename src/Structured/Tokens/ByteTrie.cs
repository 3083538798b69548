namespace Structured.Tokens;

/// <summary>
/// A small flat depth-first trie from byte strings to lists of values (token ids); node 0 is the root.
/// Used for the suffixes of tokens after a lexeme boundary, where many tokens share a suffix.
/// </summary>
internal sealed class ByteTrie
{
    public readonly byte[] NodeByte;
    public readonly ushort[] NodeDepth;
    public readonly int[] SubtreeEnd;
    public readonly int[] ValuesStart;   // values of node n: Values[ValuesStart[n] .. ValuesStart[n + 1])
    public readonly int[] Values;

    private ByteTrie(byte[] b, ushort[] d, int[] end, int[] vs, int[] v)
    {
        NodeByte = b;
        NodeDepth = d;
        SubtreeEnd = end;
        ValuesStart = vs;
        Values = v;
    }

    public int NodeCount => NodeByte.Length;

    public int MaxDepth { get; private init; }

    // Builds run one at a time per thread, many thousand times per process: the working lists are the thread's.
    private sealed class Scratch
    {
        public readonly List<byte> Bytes = [];
        public readonly List<ushort> Depth = [];
        public readonly List<int> Starts = [];
        public readonly List<int> Values = [];
        public readonly List<int> Path = [];
    }

    [ThreadStatic] private static Scratch? t_scratch;

    /// <summary>The trie of the token suffixes <c>vocab[Token][Cut..]</c>, each with its token as value. Sorts <paramref name="entries"/>.</summary>
    public static ByteTrie Build(TokenVocabulary vocab, Span<Masks.TokenSuffix> entries)
    {
        entries.Sort(new SuffixOrder(vocab));
        var s = t_scratch ??= new Scratch();
        var bytes = s.Bytes;
        var depth = s.Depth;
        var starts = s.Starts;
        var values = s.Values;
        var path = s.Path;
        bytes.Clear();
        depth.Clear();
        starts.Clear();
        values.Clear();
        path.Clear();
        bytes.Add(0);
        depth.Add(0);
        starts.Add(0);
        path.Add(0);
        ReadOnlySpan<byte> prev = default;
        bool first = true;
        int maxDepth = 0;
        // In sorted order a key comes before every longer key it is a prefix of, so nodes are made in depth-first order
        // and each node's values arrive right after it is made: the values are already in node order.
        foreach (var e in entries)
        {
            var key = vocab[e.Token][e.Cut..];
            int common = first ? 0 : key.CommonPrefixLength(prev);
            if (!first && common == key.Length && key.Length == prev.Length)
            {
                values.Add(e.Token);
                continue;
            }
            path.RemoveRange(common + 1, path.Count - common - 1);
            for (int k = common; k < key.Length; k++)
            {
                path.Add(bytes.Count);
                bytes.Add(key[k]);
                depth.Add((ushort)(k + 1));
                starts.Add(values.Count);
            }
            maxDepth = Math.Max(maxDepth, key.Length);
            values.Add(e.Token);
            prev = key;
            first = false;
        }
        starts.Add(values.Count);
        var d = depth.ToArray();
        return new ByteTrie(bytes.ToArray(), d, TokenTrie.SubtreeEnds(d), starts.ToArray(), values.ToArray()) { MaxDepth = maxDepth };
    }

    private readonly struct SuffixOrder(TokenVocabulary vocab) : IComparer<Masks.TokenSuffix>
    {
        public int Compare(Masks.TokenSuffix a, Masks.TokenSuffix b)
        {
            int c = vocab[a.Token][a.Cut..].SequenceCompareTo(vocab[b.Token][b.Cut..]);
            return c != 0 ? c : a.Token.CompareTo(b.Token);
        }
    }
}
