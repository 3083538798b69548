using Structured.Lexing;
using Structured.Tokens;

namespace Structured.Masks;

/// <summary>
/// What the lexer alone decides about every token, from one lexer state: the tokens that stay inside lexemes the
/// state can continue (allowed whatever the parser says), and the trie nodes where a token crosses a lexeme
/// boundary and the parser must decide. Inside a free JSON string nearly every token is of the first kind, so a
/// mask there is a copy of <see cref="Allowed"/> plus a short walk. Computed once per (lexer state, fresh) and cached.
/// </summary>
internal sealed class LexerTokenClass
{
    /// <summary>Tokens allowed by the lexer alone (bit per token id).</summary>
    public required uint[] Allowed { get; init; }

    /// <summary>
    /// Trie nodes to walk with the parser, in depth-first order: the ancestors of boundary-crossing subtrees (flag
    /// clear) and the roots of those subtrees (<see cref="FullSubtree"/> set), whose whole subtree is walked.
    /// </summary>
    public required int[] Entries { get; init; }

    /// <summary>Per entry: the index of the first entry after its subtree, to skip it when the walk dies there.</summary>
    public required int[] SkipTo { get; init; }

    public const int FullSubtree = 1 << 31;

    public static LexerTokenClass Build(LexerTable lexer, TokenTrie trie, int words, int state, bool fresh)
    {
        var allowed = new uint[words];
        var entries = new List<int>();
        int maxDepth = trie.MaxDepth + 1;
        var ls = new int[maxDepth + 1];
        var crossing = new bool[maxDepth + 1];
        var path = new int[maxDepth + 1];
        var added = new int[maxDepth + 1];
        Array.Fill(added, -1);
        ls[0] = state;
        var bytes = trie.NodeByte;
        var tokens = trie.NodeToken;
        var depthOf = trie.NodeDepth;
        var end = trie.SubtreeEnd;
        var same = trie.SameBytesNext;
        int n = trie.NodeCount;
        int i = 1;
        while (i < n)
        {
            int d = depthOf[i];
            int parent = ls[d - 1];
            bool cross = crossing[d - 1];
            int next = LexerTable.Dead;
            if (parent != LexerTable.Dead)
            {
                next = lexer.Next(parent, bytes[i]);
                // A pending longest match that this byte cannot extend is committed here: the parser takes over.
                if (next == LexerTable.Dead && !(d == 1 && fresh) && lexer[parent].EndIfLongest.Length > 0) cross = true;
            }
            if (next == LexerTable.Dead)
            {
                if (cross)
                {
                    // Everything below depends on the parser: record the subtree root and its unrecorded ancestors.
                    for (int k = 1; k < d; k++)
                    {
                        if (added[k] == path[k]) continue;
                        entries.Add(path[k]);
                        added[k] = path[k];
                        for (int j = k + 1; j <= maxDepth; j++) added[j] = -1;
                    }
                    entries.Add(i | FullSubtree);
                }
                i = end[i];
                continue;
            }
            // The lexer continues (or a lexeme ends here and scans into a non-empty column): the token is allowed.
            for (int t = tokens[i]; t >= 0; t = same[t]) allowed[t >> 5] |= 1u << (t & 31);
            var st = lexer[next];
            path[d] = i;
            ls[d] = st.Continue;
            crossing[d] = cross || st.EndNow.Length > 0;
            i++;
        }
        var arr = entries.ToArray();
        var skip = new int[arr.Length];
        // An entry's subtree ends at the first later entry whose node lies outside it.
        var open = new Stack<int>();
        for (int k = 0; k < arr.Length; k++)
        {
            int node = arr[k] & ~FullSubtree;
            while (open.Count > 0 && node >= end[arr[open.Peek()] & ~FullSubtree]) skip[open.Pop()] = k;
            open.Push(k);
        }
        while (open.Count > 0) skip[open.Pop()] = arr.Length;
        return new LexerTokenClass { Allowed = allowed, Entries = arr, SkipTo = skip };
    }
}
