using System.Text;
using Structured.Models;
using Structured.Potentials;
using Structured.Sampling;

namespace Structured.Evaluation;

/// <summary>
/// The exact target of constrained sampling on a small bigram model: every token sequence of at most
/// <c>maxTokens</c> tokens that ends with end-of-sequence, weighted by the model's probability times the
/// constraint's complete weight, merged by text and normalised. The reference the alignment evaluation and the
/// sampler tests compare against.
/// </summary>
public sealed class ExactPosterior
{
    private ExactPosterior(IReadOnlyDictionary<string, double> probabilities, double logZ, long sequences)
    {
        Probabilities = probabilities;
        LogZ = logZ;
        Sequences = sequences;
    }

    /// <summary>Each text's probability under the target.</summary>
    public IReadOnlyDictionary<string, double> Probabilities { get; }

    /// <summary>The log of the normaliser: the probability that the model's text (of at most the token limit) satisfies the constraint, times its weight.</summary>
    public double LogZ { get; }

    /// <summary>How many token sequences the enumeration visited.</summary>
    public long Sequences { get; }

    /// <summary>
    /// Enumerates the target. Prefixes of weight zero are pruned; past <paramref name="maxSequences"/> visited
    /// sequences it throws <see cref="InvalidOperationException"/> rather than run for ever.
    /// </summary>
    public static ExactPosterior Enumerate(BigramModel model, Potential constraint, int maxTokens, long maxSequences = 2_000_000)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(constraint);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        long visited = 0;
        var bytes = new List<byte>();
        int eos = model.EndOfSequence;

        void Visit(PotentialState state, int previous, double logP, int depth)
        {
            if (++visited > maxSequences)
                throw new InvalidOperationException($"exact enumeration would visit more than {maxSequences:N0} token sequences; lower the token limit or use a smaller model");
            double end = logP + model.NextLogProbability(previous, eos) + state.LogComplete;
            if (!double.IsNegativeInfinity(end))
            {
                string text = Encoding.UTF8.GetString(bytes.ToArray());
                weights[text] = weights.TryGetValue(text, out double w) ? LogSpace.Add(w, end) : end;
            }
            if (depth == maxTokens) return;
            for (int t = 0; t < eos; t++)
            {
                double lp = model.NextLogProbability(previous, t);
                if (double.IsNegativeInfinity(lp)) continue;
                var tokenBytes = model.Vocabulary[t].ToArray();
                var next = state.Advance(tokenBytes);
                if (double.IsNegativeInfinity(next.LogPrefix)) continue;
                int mark = bytes.Count;
                bytes.AddRange(tokenBytes);
                Visit(next, t, logP + lp, depth + 1);
                bytes.RemoveRange(mark, bytes.Count - mark);
            }
        }

        var start = constraint.Start;
        if (!double.IsNegativeInfinity(start.LogPrefix)) Visit(start, -1, 0, 0);
        double logZ = LogSpace.Sum(weights.Values.ToArray());
        var probabilities = weights.ToDictionary(kv => kv.Key, kv => Math.Exp(kv.Value - logZ), StringComparer.Ordinal);
        return new ExactPosterior(probabilities, logZ, visited);
    }
}
