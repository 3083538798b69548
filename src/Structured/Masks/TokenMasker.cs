using System.Collections.Concurrent;
using System.Numerics;
using Structured.Parsing;
using Structured.Tokens;

namespace Structured.Masks;

/// <summary>
/// Computes which tokens of a vocabulary keep a parse viable: a bitset with one bit per token id
/// (<c>mask[id >> 5] &amp; (1u &lt;&lt; (id &amp; 31))</c>), sized to the vocabulary's <see cref="TokenVocabulary.Size"/>.
/// End-of-sequence ids are set exactly when the state is accepting; special tokens never are.
/// One masker per (grammar, vocabulary); thread-safe, and its caches are shared by every state of the grammar.
/// </summary>
public sealed class TokenMasker
{
    private readonly ConcurrentDictionary<long, LexerTokenClass> _classes = new();
    private readonly TokenTrie _trie;

    /// <summary>Creates a masker; the vocabulary's trie is built on first use if it was not yet.</summary>
    public TokenMasker(CompiledGrammar grammar, TokenVocabulary vocabulary)
    {
        Grammar = grammar;
        Vocabulary = vocabulary;
        _trie = vocabulary.Trie;
        MaskWords = (vocabulary.Size + 31) / 32;
    }

    /// <summary>The grammar.</summary>
    public CompiledGrammar Grammar { get; }

    /// <summary>The vocabulary.</summary>
    public TokenVocabulary Vocabulary { get; }

    /// <summary>The number of 32-bit words in one mask.</summary>
    public int MaskWords { get; }

    /// <summary>The number of lexer states whose token classes are cached.</summary>
    public int CachedLexerStates => _classes.Count;

    /// <summary>Writes the mask of <paramref name="state"/> into <paramref name="mask"/> (at least <see cref="MaskWords"/> words).</summary>
    public void FillMask(ParserState state, Span<uint> mask)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Grammar != Grammar) throw new ArgumentException("the state belongs to another grammar", nameof(state));
        if (mask.Length < MaskWords) throw new ArgumentException($"the mask needs {MaskWords} words", nameof(mask));
        mask = mask[..MaskWords];
        mask.Clear();
        if (!state.IsViable) return;
        var threads = state.Threads;
        var walker = MaskWalker.For(this);
        for (int k = 0; k < threads.Length; k++)
        {
            var t = threads[k];
            var cls = ClassOf(t.LexerState, t.Fresh);
            if (k == 0) cls.Allowed.AsSpan().CopyTo(mask);
            else Or(mask, cls.Allowed);
            if (cls.Entries.Length > 0) walker.WalkDependent(t, cls, state.Offset, mask);
        }
        if (state.IsAccepting)
            foreach (int eos in Vocabulary.EndOfSequenceIds) mask[eos >> 5] |= 1u << (eos & 31);
    }

    /// <summary>
    /// Writes the masks of several states, row after row (<c>states.Count × MaskWords</c> words), in parallel across cores.
    /// </summary>
    public void FillMasks(IReadOnlyList<ParserState> states, Span<uint> masks)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (masks.Length < states.Count * MaskWords) throw new ArgumentException($"the masks need {states.Count * MaskWords} words", nameof(masks));
        if (states.Count == 1)
        {
            FillMask(states[0], masks);
            return;
        }
        var buffer = new uint[states.Count * MaskWords];
        Parallel.For(0, states.Count, i => FillMask(states[i], buffer.AsSpan(i * MaskWords, MaskWords)));
        buffer.AsSpan().CopyTo(masks);
    }

    /// <summary>
    /// Writes the masks of several states into <paramref name="masks"/>, in parallel across cores, without copying.
    /// </summary>
    public void FillMasks(IReadOnlyList<ParserState> states, uint[] masks)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.Length < states.Count * MaskWords) throw new ArgumentException($"the masks need {states.Count * MaskWords} words", nameof(masks));
        Parallel.For(0, states.Count, i => FillMask(states[i], masks.AsSpan(i * MaskWords, MaskWords)));
    }

    /// <summary>True when <paramref name="tokenId"/> keeps the parse viable (for end of sequence: the parse is complete).</summary>
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

    internal LexerTokenClass ClassOf(int lexerState, bool fresh)
    {
        long key = ((long)lexerState << 1) | (fresh ? 1L : 0L);
        if (_classes.TryGetValue(key, out var cls)) return cls;
        cls = LexerTokenClass.Build(Grammar.T.Lexer, _trie, MaskWords, lexerState, fresh);
        return _classes.GetOrAdd(key, cls);
    }

    internal TokenTrie Trie => _trie;

    private static void Or(Span<uint> into, ReadOnlySpan<uint> from)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<uint>.Count;
            for (; i + width <= into.Length; i += width)
                (new Vector<uint>(into[i..]) | new Vector<uint>(from[i..])).CopyTo(into[i..]);
        }
        for (; i < into.Length; i++) into[i] |= from[i];
    }
}
