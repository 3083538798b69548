using Structured.Models;
using Structured.Potentials;
using Structured.Tokens;

namespace Structured.Sampling;

/// <summary>
/// Locally constrained decoding: the full token mask of a Boolean condition, then one masked sampling step on the
/// model's device with temperature, top-k and top-p. The log weight is the log of the (tempered) probability mass
/// the mask allows, which is the exact local normaliser at temperature 1 without top-k/top-p.
/// </summary>
public sealed class LcdSampler : TokenSampler
{
    private uint[] _masks = [];
    private int _prepared = -1;

    /// <summary>Creates the sampler.</summary>
    public LcdSampler(Potential condition, TokenVocabulary vocabulary, SamplingOptions? options = null) : base(condition, vocabulary)
    {
        if (!condition.IsBoolean) throw new ArgumentException("LCD masks need a Boolean condition; use DirectSampler for graded potentials", nameof(condition));
        Options = options ?? SamplingOptions.Default;
        Options.Validate();
    }

    /// <summary>Temperature, top-k and top-p.</summary>
    public SamplingOptions Options { get; }

    /// <inheritdoc />
    public override void Prepare(IReadOnlyList<PotentialState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        int words = Condition.MaskWords;
        if (_masks.Length < states.Count * words) _masks = new uint[states.Count * words];
        Condition.FillMasks(states, _masks);
        _prepared = states.Count;
        Statistics.Add(masks: states.Count);
    }

    /// <inheritdoc />
    public override void Sample(INextTokenScores scores, IReadOnlyList<PotentialState> states, Random random, Span<int> tokens, Span<double> logWeights)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(states);
        if (_prepared != states.Count) Prepare(states);
        _prepared = -1;
        scores.Sample(_masks.AsSpan(0, states.Count * Condition.MaskWords), Options, random, tokens[..states.Count], logWeights[..states.Count]);
        Statistics.Add(steps: states.Count);
    }
}
