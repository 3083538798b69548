using Structured.Tokens;

namespace Structured.Potentials;

/// <summary>
/// A byte-level <see cref="Potential"/> seen over a model's tokens (its coercion): the weight of a token after a state
/// is the potential's prefix weight after the token's bytes over the prefix weight before them; for an
/// end-of-sequence id it is the complete weight over the prefix weight. Tokens without text (other special tokens)
/// weigh zero. The generic next-token weights walk the vocabulary's byte trie, advancing one byte per node and
/// skipping every subtree under a prefix of weight zero; the grammar constraint overrides it with the mask engine.
/// </summary>
public class TokenPotential
{
    private readonly HashSet<int> _eos;

    /// <summary>Creates the view; use <see cref="Potential.Coerce"/>, which caches it.</summary>
    protected internal TokenPotential(Potential potential, TokenVocabulary vocabulary)
    {
        Potential = potential;
        Vocabulary = vocabulary;
        _eos = [.. vocabulary.EndOfSequenceIds];
    }

    /// <summary>The byte-level potential.</summary>
    public Potential Potential { get; }

    /// <summary>The vocabulary.</summary>
    public TokenVocabulary Vocabulary { get; }

    /// <summary>Words per token mask.</summary>
    public int MaskWords => (Vocabulary.Size + 31) / 32;

    /// <summary>Whether <paramref name="token"/> is an end-of-sequence id.</summary>
    public bool IsEndOfSequence(int token) => _eos.Contains(token);

    /// <summary>The state after <paramref name="token"/> (end-of-sequence leaves it as it is).</summary>
    public PotentialState Advance(PotentialState state, int token) => state.Advance(Vocabulary[token]);

    /// <summary>The log weight of <paramref name="token"/> after <paramref name="state"/>: a single-token check.</summary>
    public virtual double LogWeightNext(PotentialState state, int token)
    {
        ArgumentNullException.ThrowIfNull(state);
        double before = state.LogPrefix;
        if (double.IsNegativeInfinity(before) || (uint)token >= (uint)Vocabulary.Size) return double.NegativeInfinity;
        if (_eos.Contains(token)) return state.LogComplete - before;
        var bytes = Vocabulary[token];
        if (bytes.IsEmpty) return double.NegativeInfinity;
        return state.Advance(bytes).LogPrefix - before;
    }

    /// <summary>Whether <paramref name="token"/> has positive weight after <paramref name="state"/>.</summary>
    public virtual bool Allows(PotentialState state, int token) => !double.IsNegativeInfinity(LogWeightNext(state, token));

    /// <summary>Writes the log weight of every token after <paramref name="state"/> (<see cref="TokenVocabulary.Size"/> values).</summary>
    public virtual void LogWeightsNext(PotentialState state, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(state);
        int size = Vocabulary.Size;
        if (destination.Length < size) throw new ArgumentException($"needs {size} values", nameof(destination));
        destination[..size].Fill(float.NegativeInfinity);
        double before = state.LogPrefix;
        if (double.IsNegativeInfinity(before)) return;
        var trie = Vocabulary.Trie;
        var path = new PotentialState[trie.MaxDepth + 1];
        path[0] = state;
        Span<byte> one = stackalloc byte[1];
        for (int node = 1; node < trie.NodeCount;)
        {
            int depth = trie.NodeDepth[node];
            one[0] = trie.NodeByte[node];
            var next = path[depth - 1].Advance(one);
            double w = next.LogPrefix;
            if (double.IsNegativeInfinity(w))
            {
                node = trie.SubtreeEnd[node];
                continue;
            }
            path[depth] = next;
            for (int t = trie.NodeToken[node]; t >= 0; t = trie.SameBytesNext[t]) destination[t] = (float)(w - before);
            node++;
        }
        foreach (int eos in _eos) destination[eos] = (float)(state.LogComplete - before);
    }

    /// <summary>
    /// Writes the token mask of a Boolean potential after <paramref name="state"/>: bit <c>t % 32</c> of word
    /// <c>t / 32</c> is set when token <c>t</c> is allowed.
    /// </summary>
    public virtual void FillMask(PotentialState state, Span<uint> mask)
    {
        if (mask.Length < MaskWords) throw new ArgumentException($"the mask needs {MaskWords} words", nameof(mask));
        var weights = new float[Vocabulary.Size];
        LogWeightsNext(state, weights);
        mask[..MaskWords].Clear();
        for (int t = 0; t < weights.Length; t++)
            if (!float.IsNegativeInfinity(weights[t])) mask[t >> 5] |= 1u << (t & 31);
    }

    /// <summary>Writes the masks of several states, row after row, in parallel.</summary>
    public virtual void FillMasks(IReadOnlyList<PotentialState> states, uint[] masks)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(masks);
        int words = MaskWords;
        if (masks.Length < states.Count * words) throw new ArgumentException($"the masks need {states.Count * words} words", nameof(masks));
        Parallel.For(0, states.Count, i => FillMask(states[i], masks.AsSpan(i * words, words)));
    }

    /// <summary>Writes the next-token log weights of several states, row after row, in parallel.</summary>
    public void LogWeightsNext(IReadOnlyList<PotentialState> states, float[] destination)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(destination);
        int size = Vocabulary.Size;
        if (destination.Length < states.Count * size) throw new ArgumentException($"needs {states.Count * size} values", nameof(destination));
        Parallel.For(0, states.Count, i => LogWeightsNext(states[i], destination.AsSpan(i * size, size)));
    }

    /// <summary>Next-token weights of a Boolean potential from its mask: 0 where allowed, negative infinity elsewhere.</summary>
    protected void MaskToWeights(PotentialState state, Span<float> destination)
    {
        int size = Vocabulary.Size;
        if (destination.Length < size) throw new ArgumentException($"needs {size} values", nameof(destination));
        var mask = new uint[MaskWords];
        FillMask(state, mask);
        for (int t = 0; t < size; t++) destination[t] = ((mask[t >> 5] >> (t & 31)) & 1) != 0 ? 0f : float.NegativeInfinity;
    }
}
