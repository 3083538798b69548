using Structured.Lexing;
using Structured.Tokens;

namespace Structured.Masks;

/// <summary>
/// What the lexer alone decides about every token from one lexer state (with no lexeme to commit before the first
/// byte), and what it leaves to the parser.
/// <list type="bullet">
/// <item><see cref="Allowed"/>: tokens whose bytes the lexer takes (a lexeme continues, or ends right at the token's
/// end and scans into a column): allowed whatever the parser says.</item>
/// <item><see cref="Crossings"/>: tokens that cross a lexeme boundary inside. From a given root column, every crossing
/// at the same lexer state leads to the same parser frame, so the tokens are grouped by that state, and only the
/// distinct suffixes after the boundary are kept, in a small trie walked once per mask.</item>
/// </list>
/// Inside a free JSON string nearly every token is in <see cref="Allowed"/>, so a mask there is a copy plus a short
/// walk. Computed once per lexer state and cached by the masker.
/// </summary>
internal sealed class LexerTokenClass
{
    /// <summary>A group of tokens that cross a boundary at the same lexer state.</summary>
    /// <param name="Path">Bytes from the root to the boundary. Classes are shared across grammars, so each grammar
    /// finds its own lexer state at the boundary by stepping its own lexer along this path.</param>
    /// <param name="Commit">True: a longest match ends because the next byte cannot extend it (the suffix starts with that byte).
    /// False: lexemes end at once after the byte (the suffix starts after it).</param>
    /// <param name="Suffixes">The bytes after the boundary, with the tokens that have them, for small subtrees (shared suffixes are walked once).</param>
    /// <param name="Ranges">Large subtrees walked in place: main-trie node ranges [From, To) whose bytes after depth Cut are the suffixes.</param>
    internal sealed record Crossing(byte[] Path, bool Commit, ByteTrie Suffixes, Range[] Ranges)
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Fingerprint, SuffixClass> _bySignature = new();

        /// <summary>This grammar's lexer state at the boundary, from the root state of the class.</summary>
        public int StateFrom(LexerTable lexer, int root)
        {
            int s = root;
            for (int i = 0; i < Path.Length; i++)
            {
                int next = lexer.Next(s, Path[i]);
                if (!Commit && i == Path.Length - 1) return next;
                s = lexer[next].Continue;
            }
            return s;
        }

        /// <summary>The suffixes as sources: the copied trie, then each range child in place.</summary>
        public SuffixSource[] Sources(TokenTrie main) => _sources ??= BuildSources(main);

        // Kept apart from Sources: a lambda capturing a parameter allocates its closure on every call of the method that declares it.
        private SuffixSource[] BuildSources(TokenTrie main) =>
            [new SuffixSource(Suffixes), .. Ranges.SelectMany(r => r.Children.Select(c => new SuffixSource(main, c, r.Cut)))];

        private SuffixSource[]? _sources;

        /// <summary>The lexer's verdict on these suffixes from a fresh thread in <paramref name="state"/>, cached by the state's behaviour.</summary>
        public SuffixClass ClassFor(LexerTable lexer, TokenTrie main, int state)
        {
            var key = lexer.Signature(state, main.MaxDepth);
            return _bySignature.TryGetValue(key, out var c) ? c : _bySignature.GetOrAdd(key, BuildClass(lexer, main, state));
        }

        private SuffixClass BuildClass(LexerTable lexer, TokenTrie main, int state) => SuffixClass.Build(lexer, Sources(main), state);
    }


    /// <summary>A main-trie range walked in place: the subtrees of <see cref="Children"/>, whose bytes after depth <see cref="Cut"/> are the suffixes.</summary>
    internal sealed record Range(int Cut, int[] Children);

    // Subtrees up to this many nodes are copied into the shared suffix trie; larger ones are walked where they are.
    private const int InlineLimit = 48;

    private sealed class Group(byte[] path)
    {
        public readonly byte[] Path = path;
        public readonly List<(byte[], int)> Suffixes = [];
        public readonly List<Range> Ranges = [];
    }

    public required uint[] Allowed { get; init; }

    public required Crossing[] Crossings { get; init; }

    public static LexerTokenClass Build(LexerTable lexer, TokenTrie trie, TokenVocabulary vocab, int words, int state)
    {
        var allowed = new uint[words];
        var groups = new Dictionary<(int, bool), Group>();
        int maxDepth = trie.MaxDepth + 1;
        var ls = new int[maxDepth + 1];
        var pathBytes = new byte[maxDepth + 1];
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
            int next = lexer.Next(parent, bytes[i]);
            if (next == LexerTable.Dead)
            {
                // A pending longest match that this byte cannot extend is committed here (never before the first byte:
                // the masker splits such roots itself).
                if (d > 1 && lexer[parent].EndIfLongest.Length > 0) AddSubtree(groups, (parent, true), pathBytes.AsSpan(1, d - 1), trie, vocab, i, i, d - 1);
                i = end[i];
                continue;
            }
            for (int t = tokens[i]; t >= 0; t = same[t]) allowed[t >> 5] |= 1u << (t & 31);
            var st = lexer[next];
            pathBytes[d] = bytes[i];
            if (st.EndNow.Length > 0) AddSubtree(groups, (next, false), pathBytes.AsSpan(1, d), trie, vocab, i + 1, i, d);
            if (st.Continue == LexerTable.Dead)
            {
                i = end[i];
                continue;
            }
            ls[d] = st.Continue;
            i++;
        }
        var crossings = groups.Select(kv => new Crossing(kv.Value.Path, kv.Key.Item2, ByteTrie.Build(kv.Value.Suffixes), kv.Value.Ranges.ToArray())).ToArray();
        return new LexerTokenClass { Allowed = allowed, Crossings = crossings };
    }

    // Every token in the subtree of root from node `from` on, keyed by its bytes from offset `cut`.
    private static void AddSubtree(Dictionary<(int, bool), Group> groups, (int, bool) key, ReadOnlySpan<byte> path, TokenTrie trie, TokenVocabulary vocab, int from, int root, int cut)
    {
        int stop = trie.SubtreeEnd[root];
        if (from >= stop) return;
        if (!groups.TryGetValue(key, out var group)) groups[key] = group = new Group(path.ToArray());
        if (stop - from > InlineLimit)
        {
            var children = new List<int>();
            for (int c = from; c < stop; c = trie.SubtreeEnd[c]) children.Add(c);
            group.Ranges.Add(new Range(cut, children.ToArray()));
            return;
        }
        var list = group.Suffixes;
        for (int j = from; j < stop; j++)
        {
            for (int t = trie.NodeToken[j]; t >= 0; t = trie.SameBytesNext[t])
                list.Add((vocab[t][cut..].ToArray(), t));
        }
    }
}
