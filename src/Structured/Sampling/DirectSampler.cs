using Structured.Models;
using Structured.Potentials;
using Structured.Tokens;

namespace Structured.Sampling;

/// <summary>
/// Samples exactly from <c>p(y | x) · φ(y | x)</c> for any potential φ, Boolean or graded, by computing every
/// token's weight on the CPU (the model's log-probabilities plus the potential's next-token log weights through the
/// trie). The log weight is the exact local normaliser. Costs a full vocabulary pass per row; meant for graded
/// potentials and small vocabularies, and as the exact reference for the other samplers.
/// </summary>
public sealed class DirectSampler : TokenSampler
{
    private float[] _logProbs = [];
    private float[] _weights = [];

    /// <summary>Creates the sampler.</summary>
    public DirectSampler(Potential condition, TokenVocabulary vocabulary) : base(condition, vocabulary) { }

    /// <inheritdoc />
    public override void Sample(INextTokenScores scores, IReadOnlyList<PotentialState> states, Random random, Span<int> tokens, Span<double> logWeights)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(random);
        int width = scores.Width;
        if (_logProbs.Length < width) { _logProbs = new float[width]; _weights = new float[width]; }
        for (int row = 0; row < states.Count; row++)
        {
            scores.CopyLogProbs(row, _logProbs);
            Array.Fill(_weights, float.NegativeInfinity);
            Condition.LogWeightsNext(states[row], _weights.AsSpan(0, Math.Min(width, Condition.Vocabulary.Size)));
            double max = double.NegativeInfinity;
            for (int t = 0; t < width; t++) max = Math.Max(max, (double)_logProbs[t] + _weights[t]);
            if (double.IsNegativeInfinity(max)) { tokens[row] = -1; logWeights[row] = max; continue; }
            double sum = 0;
            for (int t = 0; t < width; t++) sum += Math.Exp(_logProbs[t] + (double)_weights[t] - max);
            double u = random.NextDouble() * sum, acc = 0;
            int chosen = -1;
            for (int t = 0; t < width; t++)
            {
                double e = Math.Exp(_logProbs[t] + (double)_weights[t] - max);
                if (e <= 0) continue;
                chosen = t;
                acc += e;
                if (u < acc) break;
            }
            tokens[row] = chosen;
            logWeights[row] = max + Math.Log(sum);
        }
        Statistics.Add(steps: states.Count, masks: states.Count);
    }
}
