using System.Collections.Concurrent;

namespace Structured.Tokens;

/// <summary>
/// A model's vocabulary as exact byte strings: token id → the bytes it stands for. Special tokens (end of sequence,
/// chat markers) have no text and never match grammar text; end-of-sequence ids are allowed exactly when the parse
/// is complete. <see cref="Size"/> is the logits width, which may exceed the tokenizer's count.
/// Immutable and thread-safe.
/// </summary>
public sealed class TokenVocabulary
{
    private static readonly ConcurrentDictionary<string, Lazy<TokenVocabulary>> Cache = new(StringComparer.Ordinal);
    // Every token's bytes in one array: 200,000 small arrays would be objects that the collector copies, twice,
    // inside whichever masks come first after loading.
    private readonly byte[] _bytes;
    private readonly int[] _starts; // token id's bytes are _bytes[_starts[id].._starts[id + 1]]
    private readonly Lazy<TokenTrie> _trie;

    /// <summary>Creates a vocabulary. <paramref name="tokens"/>[id] is null for ids that are special or unused.</summary>
    public TokenVocabulary(string name, IReadOnlyList<byte[]?> tokens, int size, IEnumerable<int> endOfSequenceIds,
        IReadOnlyDictionary<string, int>? specialTokens = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, tokens.Count);
        Name = name;
        long total = 0;
        foreach (var t in tokens) total += t?.Length ?? 0;
        if (total > Array.MaxLength) throw new ArgumentException("the tokens hold more bytes than one array can", nameof(tokens));
        _bytes = new byte[total];
        _starts = new int[tokens.Count + 1];
        int at = 0;
        for (int id = 0; id < tokens.Count; id++)
        {
            _starts[id] = at;
            if (tokens[id] is { } b)
            {
                b.CopyTo(_bytes, at);
                at += b.Length;
            }
        }
        _starts[tokens.Count] = at;
        Size = size;
        EndOfSequenceIds = endOfSequenceIds.Distinct().Order().ToArray();
        foreach (int id in EndOfSequenceIds) ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, size);
        SpecialTokens = specialTokens ?? new Dictionary<string, int>();
        _trie = new Lazy<TokenTrie>(() => TokenTrie.Build(this));
    }

    /// <summary>
    /// The trie depth down to which token classes are built apart from the deeper nodes (<see cref="TokenTrie.SplitDepth"/>).
    /// Tokens longer than 24 bytes are few (836 of o200k's 200,000; 14,000 of its 420,000 trie nodes lie on their paths
    /// or below them). Tests set it low, so that tiny vocabularies have deep nodes too.
    /// </summary>
    internal int ClassSplitDepth { get; init; } = 24;

    /// <summary>A label such as <c>o200k_base</c>.</summary>
    public string Name { get; }

    /// <summary>The mask width: the model's vocabulary dimension.</summary>
    public int Size { get; }

    /// <summary>The ids that end generation.</summary>
    public IReadOnlyList<int> EndOfSequenceIds { get; }

    /// <summary>Special tokens by name.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>The number of ids that may carry text (the tokenizer's count).</summary>
    public int TokenCount => _starts.Length - 1;

    /// <summary>The exact bytes of a token, or an empty span for special and unused ids.</summary>
    public ReadOnlySpan<byte> this[int id] => (uint)id < (uint)TokenCount ? _bytes.AsSpan(_starts[id], _starts[id + 1] - _starts[id]) : default;

    /// <summary>True when the id stands for text.</summary>
    public bool HasText(int id) => (uint)id < (uint)TokenCount && _starts[id + 1] > _starts[id];

    /// <summary>Token classes by lexer-state signature, shared by the maskers of every grammar over this vocabulary.</summary>
    internal Internal.GenerationalCache<Lexing.Fingerprint, Masks.LexerTokenClass> SharedClasses { get; } = new(1 << 15);

    /// <summary>
    /// The lexer's verdict on the tokens under one first byte, by (byte, signature of the lexer state after it): the
    /// parts token classes are made of. For the nodes down to the trie's split depth, by the signature over that depth.
    /// </summary>
    internal Internal.GenerationalCache<(byte, Lexing.Fingerprint), Masks.SubtreeClass> SharedSubtrees { get; } = new(1 << 17);

    /// <summary>The same for the nodes deeper than the trie's split depth, by the signature over the whole longest token.</summary>
    internal Internal.GenerationalCache<(byte, Lexing.Fingerprint), Masks.SubtreeClass> SharedDeepSubtrees { get; } = new(1 << 16);

    /// <summary>Per lexer-state signature: the bytes the state can take (spares a new grammar 256 DFA transitions per state).</summary>
    internal Internal.GenerationalCache<Lexing.Fingerprint, Lexing.ByteSet> SharedFirstBytes { get; } = new(1 << 15);

    /// <summary>Per lexer-state signature: the tokens whose first byte extends the state's match.</summary>
    internal Internal.GenerationalCache<Lexing.Fingerprint, uint[]> SharedExtending { get; } = new(1 << 12);

    private readonly ConcurrentDictionary<Lexing.ContentKey<uint>, uint[]> _sharedMasks = new(Lexing.ContentKey<uint>.Comparer.Instance);

    /// <summary>
    /// One array per distinct whole mask that caches keep: classes inside strings mostly allow the same tokens, and a
    /// copy of 25 KB per lexer state (a large schema makes thousands) was most of what garbage collections moved.
    /// </summary>
    internal uint[] SharedMask(ReadOnlySpan<uint> words)
    {
        var lookup = _sharedMasks.GetAlternateLookup<ReadOnlySpan<uint>>();
        if (lookup.TryGetValue(words, out var known)) return known;
        var copy = words.ToArray();
        return _sharedMasks.GetOrAdd(new Lexing.ContentKey<uint>(copy), copy);
    }

    /// <summary>The byte trie of the vocabulary, built on first use and shared.</summary>
    public TokenTrie Trie => _trie.Value;

    private uint[]? _trieTokenBits;

    /// <summary>A mask with the bit of every token in the trie: where a token class allows nearly everything, it starts from a copy of this.</summary>
    internal uint[] TrieTokenBits => _trieTokenBits ??= BuildTrieTokenBits();

    private Masks.PlainSlice? _plainSlice;

    /// <summary>The tokens of plain string text, and the trie nodes outside them (built once, with the first masker).</summary>
    internal Masks.PlainSlice PlainSlice => _plainSlice ??= Masks.PlainSlice.Build(Trie, (Size + 31) / 32);

    private uint[] BuildTrieTokenBits()
    {
        var bits = new uint[(Size + 31) / 32];
        foreach (int t in Trie.TokensInOrder) bits[t >> 5] |= 1u << (t & 31);
        return bits;
    }

    /// <summary>
    /// A tiktoken encoding shipped in the Microsoft.ML.Tokenizers data packages: <c>o200k_base</c> (or <c>o200k</c>)
    /// and <c>cl100k_base</c> (or <c>cl100k</c>). Loaded once per process.
    /// </summary>
    public static TokenVocabulary Tiktoken(string encoding)
    {
        string key = TiktokenFiles.Canonical(encoding);
        return Cache.GetOrAdd(key, k => new Lazy<TokenVocabulary>(() => TiktokenFiles.LoadBuiltIn(k))).Value;
    }
}
