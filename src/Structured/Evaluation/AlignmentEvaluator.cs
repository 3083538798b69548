using Structured.Models;
using Structured.Potentials;
using Structured.Sampling;

namespace Structured.Evaluation;

/// <summary>The sampling methods the alignment evaluation compares.</summary>
public enum AlignmentMethod
{
    /// <summary>Locally constrained decoding, one particle, weights ignored: the distorted baseline.</summary>
    Lcd,

    /// <summary>AWRS proposals, N particles, no resampling (importance sampling), one text drawn by weight.</summary>
    Awrs,

    /// <summary>SMC with LCD proposals (exact local weights), resampling at ESS 0.5.</summary>
    Smc,

    /// <summary>SMC with AWRS proposals, resampling at ESS 0.5.</summary>
    AwrsSmc,
}

/// <summary>How far one method's samples are from the exact target.</summary>
/// <param name="Method">The method.</param>
/// <param name="Particles">Particles per run.</param>
/// <param name="Samples">Runs, one text drawn from each.</param>
/// <param name="Failed">Runs that ended with every particle dead (no text).</param>
/// <param name="Invalid">Texts drawn that the target gives no weight (always 0 for a correct sampler).</param>
/// <param name="TotalVariation">
/// Total variation between the empirical distribution of the runs' outcomes and the target; a failed run is an outcome
/// outside the target's support.
/// </param>
/// <param name="KlDivergence">KL(texts drawn ‖ target), with add-½ smoothing over the target's support; failed runs are left out (see <paramref name="Failed"/>).</param>
/// <param name="LogZ">The exact log normaliser.</param>
/// <param name="MeanLogZHat">The mean over runs of the log normaliser estimate.</param>
/// <param name="Counts">How often each text was drawn.</param>
public sealed record AlignmentReport(AlignmentMethod Method, int Particles, int Samples, int Failed, int Invalid, double TotalVariation,
    double KlDivergence, double LogZ, double MeanLogZHat, IReadOnlyDictionary<string, int> Counts)
{
    /// <summary><c>log Z − mean(log Ẑ)</c>: an upper bound on KL(SIR ‖ target), which needs no histogram.</summary>
    public double Gap => LogZ - MeanLogZHat;
}

/// <summary>
/// Compares a sampler's texts with the exact posterior of a small bigram model under a constraint
/// (<c>structured eval alignment</c>).
/// </summary>
public static class AlignmentEvaluator
{
    /// <summary>
    /// Draws <paramref name="samples"/> texts, each from its own run of <paramref name="particles"/> particles, and
    /// compares their distribution with <paramref name="posterior"/>. <paramref name="resampleFinished"/> is
    /// <see cref="SmcOptions.ResampleFinished"/>.
    /// </summary>
    public static async Task<AlignmentReport> EvaluateAsync(BigramModel model, Potential constraint, ExactPosterior posterior, AlignmentMethod method,
        int particles, int samples, int maxTokens, int seed, bool resampleFinished = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(constraint);
        ArgumentNullException.ThrowIfNull(posterior);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        if (method == AlignmentMethod.Lcd) particles = 1;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int failed = 0;
        double sumLogZ = 0;
        for (int run = 0; run < samples; run++)
        {
            TokenSampler sampler = method is AlignmentMethod.Lcd or AlignmentMethod.Smc
                ? new LcdSampler(constraint, model.Vocabulary)
                : new AwrsSampler(constraint, model.Vocabulary);
            var options = new SmcOptions
            {
                Particles = particles,
                EssThreshold = method is AlignmentMethod.Smc or AlignmentMethod.AwrsSmc ? 0.5 : 0,
                MaxTokens = maxTokens,
                Seed = RunSeed(seed, run, (int)method, particles),
                ResampleFinished = resampleFinished,
            };
            var result = await SequentialMonteCarlo.RunAsync(model, sampler, [], options, cancellationToken).ConfigureAwait(false);
            sumLogZ += result.LogMarginalLikelihood;
            if (result.Sample is not { } s) { failed++; continue; }
            counts[s.Text] = counts.TryGetValue(s.Text, out int c) ? c + 1 : 1;
        }
        int drawn = samples - failed;
        int invalid = counts.Where(kv => !posterior.Probabilities.ContainsKey(kv.Key)).Sum(kv => kv.Value);
        // A run that ends with no text (every particle died) is an outcome the target never gives: it counts against TV.
        double tv = (invalid + failed) / (double)samples;
        foreach (var (text, p) in posterior.Probabilities) tv += Math.Abs((counts.TryGetValue(text, out int c) ? c : 0) / (double)samples - p);
        tv /= 2;
        double kl = invalid > 0 || drawn == 0 ? double.PositiveInfinity : SmoothedKl(counts, posterior.Probabilities, drawn);
        return new AlignmentReport(method, particles, samples, failed, invalid, tv, kl, posterior.LogZ, sumLogZ / samples, counts);
    }

    // A fixed mix (HashCode.Combine is seeded per process, so runs would not repeat across processes).
    private static int RunSeed(int seed, int run, int method, int particles)
    {
        ulong x = (ulong)(uint)seed;
        foreach (int v in (ReadOnlySpan<int>)[run, method, particles])
        {
            x = (x ^ (uint)v) * 0x9E3779B97F4A7C15UL;
            x ^= x >> 29;
        }
        return (int)(x >> 33);
    }

    private static double SmoothedKl(Dictionary<string, int> counts, IReadOnlyDictionary<string, double> target, int drawn)
    {
        const double alpha = 0.5;
        double denominator = drawn + alpha * target.Count, kl = 0;
        foreach (var (text, p) in target)
        {
            double q = ((counts.TryGetValue(text, out int c) ? c : 0) + alpha) / denominator;
            kl += q * Math.Log(q / p);
        }
        return kl;
    }
}
