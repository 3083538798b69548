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

    public static ByteTrie Build(List<(byte[] Key, int Value)> entries)
    {
        entries.Sort((a, b) =>
        {
            int c = a.Key.AsSpan().SequenceCompareTo(b.Key);
            return c != 0 ? c : a.Value.CompareTo(b.Value);
        });
        var bytes = new List<byte> { 0 };
        var depth = new List<ushort> { 0 };
        var valueLists = new List<List<int>?> { null };
        var path = new List<int> { 0 };
        byte[]? prev = null;
        foreach (var (key, value) in entries)
        {
            int common = prev is null ? 0 : key.AsSpan().CommonPrefixLength(prev);
            if (prev is not null && common == key.Length && key.Length == prev.Length)
            {
                (valueLists[path[key.Length]] ??= []).Add(value);
                continue;
            }
            path.RemoveRange(common + 1, path.Count - common - 1);
            for (int k = common; k < key.Length; k++)
            {
                path.Add(bytes.Count);
                bytes.Add(key[k]);
                depth.Add((ushort)(k + 1));
                valueLists.Add(null);
            }
            (valueLists[path[key.Length]] ??= []).Add(value);
            prev = key;
        }
        int n = bytes.Count;
        var d = depth.ToArray();
        var end = TokenTrie.SubtreeEnds(d);
        var starts = new int[n + 1];
        var values = new List<int>();
        for (int i = 0; i < n; i++)
        {
            starts[i] = values.Count;
            if (valueLists[i] is { } vl) values.AddRange(vl);
        }
        starts[n] = values.Count;
        int maxDepth = 0;
        foreach (var x in d) maxDepth = Math.Max(maxDepth, x);
        return new ByteTrie(bytes.ToArray(), d, end, starts, values.ToArray()) { MaxDepth = maxDepth };
    }
}
