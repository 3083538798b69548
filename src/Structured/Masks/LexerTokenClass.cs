using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Structured.Lexing;
using Structured.Tokens;

namespace Structured.Masks;

/// <summary>
/// What the lexer alone decides about every token from one lexer state (with no lexeme to commit before the first
/// byte), and what it leaves to the parser.
/// <list type="bullet">
/// <item><see cref="AllowedWords"/>: tokens whose bytes the lexer takes (a lexeme continues, or ends right at the token's
/// end and scans into a column): allowed whatever the parser says.</item>
/// <item><see cref="Crossings"/>: tokens that cross a lexeme boundary inside. From a given root column, every crossing
/// at the same lexer state leads to the same parser frame, so the tokens are grouped by that state, and only the
/// distinct suffixes after the boundary are kept, in small tries walked once per mask.</item>
/// </list>
/// Inside a free JSON string nearly every token is in <see cref="AllowedWords"/>, so a mask there is a copy plus a short
/// walk. Assembled from the subtree classes of the state's first bytes (<see cref="SubtreeClass"/>) and cached by the masker.
/// </summary>
internal sealed class LexerTokenClass
{
    /// <summary>A group of tokens that cross a boundary at the same lexer state.</summary>
    /// <param name="Path">Bytes from the root to the boundary. Classes are shared across grammars, so each grammar
    /// finds its own lexer state at the boundary by stepping its own lexer along this path.</param>
    /// <param name="Commit">True: a longest match ends because the next byte cannot extend it (the suffix starts with that byte).
    /// False: lexemes end at once after the byte (the suffix starts after it).</param>
    /// <param name="Suffixes">The bytes after the boundary, with the tokens that have them, for small subtrees (shared suffixes are walked once).</param>
    /// <param name="Ranges">Large subtrees walked in place: main-trie node ranges whose bytes after depth Cut are the suffixes.</param>
    internal sealed record Crossing(byte[] Path, bool Commit, ByteTrie Suffixes, SuffixRange[] Ranges)
    {
        // Most crossings meet one lexer behaviour at their boundary; a dictionary (five objects) only for those that meet more.
        private sealed record Known(Fingerprint Key, SuffixClass Class);
        private Known? _first;
        private ConcurrentDictionary<Fingerprint, SuffixClass>? _more;
        private SuffixSource[]? _sources;

        /// <summary>This grammar's lexer state at the boundary, from the root state of the class.</summary>
        public int StateFrom(LexerTable lexer, int root) => SuffixGroup.BoundaryState(lexer, root, Path, Commit);

        /// <summary>The suffixes as sources: the copied trie, then each range child in place.</summary>
        public SuffixSource[] Sources(TokenTrie main) => _sources ??= BuildSources(main);

        // Kept apart from Sources: a lambda capturing a parameter allocates its closure on every call of the method that declares it.
        private SuffixSource[] BuildSources(TokenTrie main) =>
            [new SuffixSource(Suffixes), .. Ranges.SelectMany(r => r.Children.Select(c => new SuffixSource(main, c, r.Cut)))];

        /// <summary>The lexer's verdict on these suffixes from a fresh thread in <paramref name="state"/>, cached by the state's behaviour.</summary>
        public SuffixClass ClassFor(LexerTable lexer, TokenTrie main, int state)
        {
            var key = lexer.Signature(state, main.MaxDepth);
            if (Volatile.Read(ref _first) is { } known && known.Key == key) return known.Class;
            if (_more is { } more && more.TryGetValue(key, out var c)) return c;
            c = BuildClass(lexer, main, state);
            if (_first is null && Interlocked.CompareExchange(ref _first, new Known(key, c), null) is null) return c;
            if (_first is { } raced && raced.Key == key) return raced.Class;
            var dictionary = _more;
            if (dictionary is null)
            {
                var fresh = new ConcurrentDictionary<Fingerprint, SuffixClass>();
                dictionary = Interlocked.CompareExchange(ref _more, fresh, null) ?? fresh;
            }
            return dictionary.GetOrAdd(key, c);
        }

        private SuffixClass BuildClass(LexerTable lexer, TokenTrie main, int state) => SuffixClass.Build(lexer, Sources(main), state);
    }

    /// <summary>
    /// The allowed tokens as mask words: with <see cref="AllowedWordIndex"/> null, the whole mask; otherwise only its
    /// nonzero words, at those indices. Most classes allow few tokens (a number, a literal, the end of a key), and a
    /// whole 200k-token mask per class would be 25 KB of heap and a 6,250-word OR per mask.
    /// </summary>
    public required uint[] AllowedWords { get; init; }

    /// <inheritdoc cref="AllowedWords"/>
    public required int[]? AllowedWordIndex { get; init; }

    /// <summary>ORs the allowed tokens into <paramref name="mask"/>.</summary>
    public void OrAllowedInto(Span<uint> mask)
    {
        var words = AllowedWords;
        if (AllowedWordIndex is not { } index)
        {
            TokenMasker.Or(mask, words);
            return;
        }
        for (int i = 0; i < index.Length; i++) mask[index[i]] |= words[i];
    }

    [ThreadStatic] private static uint[]? t_scratch;
    [ThreadStatic] private static SubtreeClass?[]? t_subs;
    [ThreadStatic] private static SubtreeClass?[]? t_deeps;
    // The groups by boundary state (builds do not nest; most classes have a few groups, so only the table is kept).
    [ThreadStatic] private static Dictionary<(int, bool), List<SuffixGroup>>? t_groups;
    [ThreadStatic] private static List<TokenSuffix>? t_suffixes;

    public required Crossing[] Crossings { get; init; }

    /// <summary>
    /// Builds the class of <paramref name="state"/>: where plain string text cannot end its lexeme, nor kill it before a
    /// count of characters, from the vocabulary's <see cref="PlainSlice"/> and a walk of the nodes outside it; otherwise
    /// from the subtree classes of its first bytes, each taken from the vocabulary's cache or walked once and added to it.
    /// </summary>
    public static LexerTokenClass Build(LexerTable lexer, TokenTrie trie, TokenVocabulary vocab, int words, int state)
    {
        var allowed = t_scratch is { } scratch && scratch.Length == words ? scratch : t_scratch = new uint[words];
        var groups = t_groups ??= [];
        groups.Clear();
        var rows = WalkRows.Begin(lexer);
        try
        {
            if (!TryFromSubtreeClasses(rows, trie, vocab, words, state, allowed, groups, out int bound))
            {
                var slice = vocab.PlainSlice;
                slice.BitsWithin(bound).AsSpan(0, words).CopyTo(allowed);
                var outside = SubtreeClass.BuildOutsideSlice(rows, trie, vocab, slice, state);
                outside.SetAllowed(trie, allowed);
                AddGroups(lexer, state, outside, groups);
            }
        }
        finally
        {
            rows.End();
        }
        var crossings = new Crossing[groups.Count];
        int c = 0;
        foreach (var list in groups.Values) crossings[c++] = Join(vocab, list);
        int nonzero = 0;
        foreach (uint w in allowed) if (w != 0) nonzero++;
        if (nonzero * 3 >= words) return new LexerTokenClass { AllowedWords = vocab.SharedMask(allowed), AllowedWordIndex = null, Crossings = crossings };
        var index = new int[nonzero];
        var bits = new uint[nonzero];
        for (int i = 0, k = 0; i < words; i++)
        {
            if (allowed[i] == 0) continue;
            index[k] = i;
            bits[k++] = allowed[i];
        }
        return new LexerTokenClass { AllowedWords = bits, AllowedWordIndex = index, Crossings = crossings };
    }

    // Subtree walks cost about as much per node as the slice's spine walk does, and that walk visits a few percent of
    // the trie after a closure search: fewer nodes to walk than a tenth of the trie are walked as they are. (Relative,
    // so that the warm-up's toy vocabulary takes the slice too, and its code is compiled there.)
    private static int SliceWorthNodes(TokenTrie trie) => trie.NodeCount / 10;

    [ThreadStatic] private static int[]? t_next;

    /// <summary>
    /// The allowed tokens and crossings, from the subtree classes of the state's first bytes. False, with nothing
    /// written, when the subtrees not cached yet are large and the plain slice covers the state (up to
    /// <paramref name="bound"/> characters): it serves better.
    /// </summary>
    private static bool TryFromSubtreeClasses(WalkRows rows, TokenTrie trie, TokenVocabulary vocab, int words, int state,
        uint[] allowed, Dictionary<(int, bool), List<SuffixGroup>> groups, out int bound)
    {
        bound = PlainSlice.NotCovered;
        var lexer = rows.Lexer;
        var subs = t_subs ??= new SubtreeClass?[256];
        var deeps = t_deeps ??= new SubtreeClass?[256];
        var nexts = t_next ??= new int[256];
        Array.Clear(subs);
        Array.Clear(deeps);
        int split = trie.SplitDepth;
        int missing = 0;
        for (int child = 1; child < trie.NodeCount; child = trie.SubtreeEnd[child])
        {
            byte b = trie.NodeByte[child];
            int next = nexts[b] = lexer.Next(state, b);
            if (next == LexerTable.Dead) continue;
            if (vocab.SharedSubtrees.TryGetValue((b, lexer.Signature(next, split)), out var sub)) subs[b] = sub;
            else missing += trie.SubtreeEnd[child] - child;
            if (trie.DeepestBelow[child] > split && vocab.SharedDeepSubtrees.TryGetValue((b, lexer.Signature(next, trie.MaxDepth)), out var deep))
                deeps[b] = deep;
        }
        if (missing > SliceWorthNodes(trie) && (bound = PlainSlice.Cover(lexer, state, split)) != PlainSlice.NotCovered) return false;
        int allowedTokens = 0;
        for (int child = 1; child < trie.NodeCount; child = trie.SubtreeEnd[child])
        {
            byte b = trie.NodeByte[child];
            int next = nexts[b];
            if (next == LexerTable.Dead) continue;
            var sub = subs[b] ??= vocab.SharedSubtrees.GetOrAdd((b, lexer.Signature(next, split)), SubtreeClass.Build(rows, trie, vocab, child, next, deep: false));
            allowedTokens += sub.AllowedCount;
            if (trie.DeepestBelow[child] <= split) continue;
            var deep = deeps[b] ??= vocab.SharedDeepSubtrees.GetOrAdd((b, lexer.Signature(next, trie.MaxDepth)), SubtreeClass.Build(rows, trie, vocab, child, next, deep: true));
            allowedTokens += deep.AllowedCount;
        }
        // Inside a free string the lexer takes nearly every token: copying the all-tokens mask and clearing the few it
        // does not take is far cheaper than setting some 200,000 bits one by one.
        bool dense = allowedTokens * 2 > trie.TokensInOrder.Length;
        if (dense) vocab.TrieTokenBits.AsSpan(0, words).CopyTo(allowed);
        else Array.Clear(allowed);
        for (int child = 1; child < trie.NodeCount; child = trie.SubtreeEnd[child])
        {
            var sub = subs[trie.NodeByte[child]];
            var deep = deeps[trie.NodeByte[child]];
            if (!dense)
            {
                sub?.SetAllowed(trie, allowed);
                deep?.SetAllowed(trie, allowed);
            }
            else if (sub is null) trie.ClearBits(child, trie.SubtreeEnd[child], allowed);
            else sub.KeepOnlyAllowed(trie, child, allowed, deep);
            if (sub is null) continue;
            AddGroups(lexer, state, sub, groups);
            if (deep is not null) AddGroups(lexer, state, deep, groups);
        }
        return true;
    }

    // Merged by this grammar's state at the boundary, not by its signature: states that lex alike may end different
    // lexemes, which the parser tells apart.
    private static void AddGroups(LexerTable lexer, int state, SubtreeClass sub, Dictionary<(int, bool), List<SuffixGroup>> groups)
    {
        foreach (var g in sub.Groups)
        {
            var at = (g.StateFrom(lexer, state), g.Commit);
            if (!groups.TryGetValue(at, out var list)) groups[at] = list = [];
            list.Add(g);
        }
    }

    private static Crossing Join(TokenVocabulary vocab, List<SuffixGroup> groups)
    {
        var suffixes = t_suffixes ??= [];
        suffixes.Clear();
        int ranges = 0;
        foreach (var g in groups)
        {
            suffixes.AddRange(g.Suffixes);
            ranges += g.Ranges.Length;
        }
        var joined = ranges == 0 ? [] : new SuffixRange[ranges];
        int r = 0;
        foreach (var g in groups)
            foreach (var range in g.Ranges) joined[r++] = range;
        return new Crossing(groups[0].Path, groups[0].Commit, ByteTrie.Build(vocab, CollectionsMarshal.AsSpan(suffixes)), joined);
    }
}
