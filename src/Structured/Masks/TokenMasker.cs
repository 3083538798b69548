using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Structured.Parsing;
using Structured.Tokens;

namespace Structured.Masks;

/// <summary>
/// Computes which tokens of a vocabulary keep a parse viable: a bitset with one bit per token id
/// (<c>mask[id >> 5] &amp; (1u &lt;&lt; (id &amp; 31))</c>), sized to the vocabulary's <see cref="TokenVocabulary.Size"/>.
/// End-of-sequence ids are set exactly when the state is accepting; special tokens never are.
/// One masker per (grammar, vocabulary); thread-safe, and its caches are shared by every state of the grammar.
/// </summary>
/// <remarks>
/// A mask is the union over the state's lexer threads. For each thread, the lexer's verdict on every token is cached
/// per lexer state (<see cref="LexerTokenClass"/>); only tokens that cross a lexeme boundary reach the parser, through
/// small tries of their suffixes. A thread whose longest match is pending is split: the match goes on, or it is
/// committed and the token's first byte must be one the match could not take.
/// </remarks>
public sealed class TokenMasker
{
    private readonly ConcurrentDictionary<int, LocalClass> _classes = new();
    private readonly ConcurrentDictionary<int, uint[]> _extending = new();

    /// <summary>A shared token class with this grammar's lexer states at its crossings.</summary>
    internal sealed class LocalClass(LexerTokenClass shared, int[] crossingStates)
    {
        public LexerTokenClass Shared { get; } = shared;

        public int[] CrossingStates { get; } = crossingStates;
    }
    private readonly ConcurrentDictionary<int, Lexing.ByteSet> _firstBytes = new();
    private readonly TokenTrie _trie;

    /// <summary>Creates a masker; the vocabulary's trie is built on first use if it was not yet.</summary>
    /// <remarks>The first masker of a process also masks a small instance over a toy vocabulary (about 50 ms, mostly
    /// compiling), so that no later mask pays for compiling the mask code.</remarks>
    public TokenMasker(CompiledGrammar grammar, TokenVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(vocabulary);
        MaskWarmUp.EnsureRan();
        Grammar = grammar;
        Vocabulary = vocabulary;
        _trie = vocabulary.Trie;
        _ = vocabulary.PlainSlice; // a full pass over the trie: here, not inside the first string's mask
        MaskWords = (vocabulary.Size + 31) / 32;
    }

    /// <summary>This thread's walker for this masker.</summary>
    internal MaskWalker Walker => Internal.PerThread<TokenMasker, MaskWalker>.Get(this, static m => new MaskWalker(m));

    /// <summary>The grammar.</summary>
    public CompiledGrammar Grammar { get; }

    /// <summary>The vocabulary.</summary>
    public TokenVocabulary Vocabulary { get; }

    /// <summary>The number of 32-bit words in one mask.</summary>
    public int MaskWords { get; }

    /// <summary>The number of lexer states whose token classes are cached.</summary>
    public int CachedLexerStates => _classes.Count;

    internal TokenTrie Trie => _trie;

    /// <summary>Writes the mask of <paramref name="state"/> into <paramref name="mask"/> (at least <see cref="MaskWords"/> words).</summary>
    public void FillMask(ParserState state, Span<uint> mask)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Grammar != Grammar) throw new ArgumentException("the state belongs to another grammar", nameof(state));
        if (mask.Length < MaskWords) throw new ArgumentException($"the mask needs {MaskWords} words", nameof(mask));
        mask = mask[..MaskWords];
        mask.Clear();
        if (!state.IsViable) return;
        var walker = MaskWalker.For(this);
        var lexer = Grammar.T.Lexer;
        foreach (var t in state.Threads)
        {
            if (!t.Fresh && lexer[t.LexerState].EndsIfLongest)
            {
                // The match may go on…
                walker.AddThread(t.Column, t.LexerState, state.Offset, mask);
                // …or end here, when the token's first byte cannot extend it.
                var temp = walker.Temp(MaskWords);
                temp.Clear();
                foreach (var b in walker.CommitBases(t.Column, t.LexerState, state.Offset))
                    walker.AddThread(b, b.LexerStart, state.Offset, temp);
                AndNotOr(mask, temp, Extending(t.LexerState));
            }
            else
            {
                walker.AddThread(t.Column, t.LexerState, state.Offset, mask);
            }
        }
        if (state.IsAccepting)
            foreach (int eos in Vocabulary.EndOfSequenceIds) mask[eos >> 5] |= 1u << (eos & 31);
    }

    /// <summary>
    /// Writes the masks of several states, row after row (<c>states.Count × MaskWords</c> words), in parallel across cores.
    /// </summary>
    public void FillMasks(IReadOnlyList<ParserState> states, uint[] masks)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.Length < states.Count * MaskWords) throw new ArgumentException($"the masks need {states.Count * MaskWords} words", nameof(masks));
        if (states.Count == 1)
        {
            FillMask(states[0], masks);
            return;
        }
        FillInParallel(states, masks);
    }

    private void FillInParallel(IReadOnlyList<ParserState> states, uint[] masks)
    {
        Parallel.For(0, states.Count, i => FillMask(states[i], masks.AsSpan(i * MaskWords, MaskWords)));
    }

    /// <summary>True when <paramref name="tokenId"/> keeps the parse viable (for end of sequence: the parse is complete).</summary>
    /// <remarks>Advances the lexer and parser through the token's bytes; it does not consult the mask caches.</remarks>
    public bool IsAllowed(ParserState state, int tokenId)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.IsViable || (uint)tokenId >= (uint)Vocabulary.Size) return false;
        foreach (int eos in Vocabulary.EndOfSequenceIds)
            if (eos == tokenId) return state.IsAccepting;
        var bytes = Vocabulary[tokenId];
        if (bytes.IsEmpty) return false;
        return MaskWalker.For(this).Allows(state, bytes);
    }

    /// <summary>The number of bits set in a mask.</summary>
    public static int CountAllowed(ReadOnlySpan<uint> mask)
    {
        int n = 0;
        foreach (uint w in mask) n += BitOperations.PopCount(w);
        return n;
    }

    internal LocalClass ClassOf(int lexerState)
    {
        if (_classes.TryGetValue(lexerState, out var local)) return local;
        return _classes.GetOrAdd(lexerState, Resolve(lexerState));
    }

    // Token classes depend only on what a lexer state does, so grammars with the same lexemes (every JSON Schema has
    // strings and numbers) share them through the vocabulary; each grammar resolves its own states at the crossings.
    private LocalClass Resolve(int lexerState)
    {
        var lexer = Grammar.T.Lexer;
        var key = lexer.Signature(lexerState, _trie.MaxDepth);
        if (!Vocabulary.SharedClasses.TryGetValue(key, out var shared))
            shared = Vocabulary.SharedClasses.GetOrAdd(key, LexerTokenClass.Build(lexer, _trie, Vocabulary, MaskWords, lexerState));
        var states = new int[shared.Crossings.Length];
        for (int k = 0; k < states.Length; k++) states[k] = shared.Crossings[k].StateFrom(lexer, lexerState);
        return new LocalClass(shared, states);
    }

    /// <summary>The bytes a lexer state can take (for a fresh thread: the bytes that may start a token's walk).</summary>
    internal Lexing.ByteSet FirstBytes(int lexerState)
    {
        if (_firstBytes.TryGetValue(lexerState, out var set)) return set;
        var lexer = Grammar.T.Lexer;
        var key = lexer.Signature(lexerState, _trie.MaxDepth);
        if (!Vocabulary.SharedFirstBytes.TryGetValue(key, out set))
        {
            set = Lexing.ByteSet.Empty;
            for (int b = 0; b < 256; b++)
                if (lexer.Next(lexerState, (byte)b) != Lexing.LexerTable.Dead) set = set.Add((byte)b);
            set = Vocabulary.SharedFirstBytes.GetOrAdd(key, set);
        }
        return _firstBytes.GetOrAdd(lexerState, set);
    }

    // The tokens whose first byte extends the match of a lexer state.
    private uint[] Extending(int lexerState)
    {
        if (_extending.TryGetValue(lexerState, out var bits)) return bits;
        var key = Grammar.T.Lexer.Signature(lexerState, _trie.MaxDepth);
        if (Vocabulary.SharedExtending.TryGetValue(key, out bits)) return _extending.GetOrAdd(lexerState, bits);
        bits = new uint[MaskWords];
        var lexer = Grammar.T.Lexer;
        var trie = _trie;
        for (int i = 1; i < trie.NodeCount; i = trie.SubtreeEnd[i])
        {
            if (lexer.Next(lexerState, trie.NodeByte[i]) == Lexing.LexerTable.Dead) continue;
            for (int j = i; j < trie.SubtreeEnd[i]; j++)
                for (int t = trie.NodeToken[j]; t >= 0; t = trie.SameBytesNext[t]) bits[t >> 5] |= 1u << (t & 31);
        }
        bits = Vocabulary.SharedExtending.GetOrAdd(key, Vocabulary.SharedMask(bits));
        return _extending.GetOrAdd(lexerState, bits);
    }

    internal static void Or(Span<uint> into, ReadOnlySpan<uint> from)
    {
        ref uint d = ref MemoryMarshal.GetReference(into);
        ref uint f = ref MemoryMarshal.GetReference(from);
        nuint n = (nuint)into.Length, i = 0;
        for (; i + 8 <= n; i += 8)
            (Vector256.LoadUnsafe(ref d, i) | Vector256.LoadUnsafe(ref f, i)).StoreUnsafe(ref d, i);
        for (; i < n; i++) Unsafe.Add(ref d, i) |= Unsafe.Add(ref f, i);
    }

    private static void AndNotOr(Span<uint> into, ReadOnlySpan<uint> from, ReadOnlySpan<uint> not)
    {
        ref uint d = ref MemoryMarshal.GetReference(into);
        ref uint f = ref MemoryMarshal.GetReference(from);
        ref uint x = ref MemoryMarshal.GetReference(not);
        nuint n = (nuint)into.Length, i = 0;
        for (; i + 8 <= n; i += 8)
            (Vector256.LoadUnsafe(ref d, i) | Vector256.AndNot(Vector256.LoadUnsafe(ref f, i), Vector256.LoadUnsafe(ref x, i))).StoreUnsafe(ref d, i);
        for (; i < n; i++) Unsafe.Add(ref d, i) |= Unsafe.Add(ref f, i) & ~Unsafe.Add(ref x, i);
    }
}
