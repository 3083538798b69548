using Structured.Potentials;

namespace Structured.Sampling;

/// <summary>Options of a <see cref="SequentialMonteCarlo"/> run.</summary>
public sealed record SmcOptions
{
    /// <summary>The number of particles.</summary>
    public int Particles { get; init; } = 16;

    /// <summary>Resample when the effective sample size falls below this share of the particles; 0 never resamples (importance sampling).</summary>
    public double EssThreshold { get; init; } = 0.5;

    /// <summary>
    /// Whether finished particles take part in resampling. False (the default): only live particles are resampled,
    /// when their own effective sample size falls below <see cref="EssThreshold"/> of their number, and finished
    /// particles keep their weights. True: every particle counts in the ESS and may be resampled, as in llamppl's and
    /// genlm's <c>smc_standard</c>; a text that ends early with a small weight is then often dropped in favour of
    /// particles whose small weights show only later (see docs/alignment.md). Both are properly weighted.
    /// </summary>
    public bool ResampleFinished { get; init; }

    /// <summary>How ancestors are drawn when resampling.</summary>
    public ResamplingMethod Resampling { get; init; } = ResamplingMethod.Stratified;

    /// <summary>
    /// The most tokens a particle may draw; a particle that reaches it ends with end-of-sequence, weighted by the
    /// probability of ending there, so the posterior is the target restricted to texts of at most this many tokens.
    /// </summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Seed of every random draw of the run.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// An optional critic: a potential that enters the weights as a twist (its prefix weight at each step, its
    /// complete weight at the end) rather than the proposal. Use it for checks too costly or too coarse for a mask.
    /// </summary>
    public Potential? Critic { get; init; }

    /// <summary>Receives one report per step.</summary>
    public IProgress<SmcProgress>? Progress { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (Particles < 1) throw new ArgumentOutOfRangeException(nameof(Particles), Particles, "at least one particle");
        if (!(EssThreshold >= 0 && EssThreshold <= 1)) throw new ArgumentOutOfRangeException(nameof(EssThreshold), EssThreshold, "the ESS threshold is a share in [0, 1]");
        if (MaxTokens < 1) throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "at least one token");
    }
}

/// <summary>Where an SMC run stands after a step.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="Live">Particles still drawing tokens.</param>
/// <param name="EffectiveSampleSize">The ESS after the step, before any resampling.</param>
/// <param name="Resampled">Whether the step ended with resampling.</param>
public readonly record struct SmcProgress(int Step, int Live, double EffectiveSampleSize, bool Resampled);

/// <summary>One particle at the end of a run.</summary>
/// <param name="Text">Its text, decoded from the tokens' exact bytes.</param>
/// <param name="Tokens">Its tokens, end-of-sequence excluded.</param>
/// <param name="LogWeight">Its final log importance weight (negative infinity if it died).</param>
/// <param name="Complete">Whether it ended with end-of-sequence (drawn or forced at the token limit) and a positive weight.</param>
public sealed record SmcParticle(string Text, IReadOnlyList<int> Tokens, double LogWeight, bool Complete);

/// <summary>One text of the posterior, with the total normalised weight of the particles that produced it.</summary>
public readonly record struct PosteriorEntry(string Text, double Probability);

/// <summary>The result of a <see cref="SequentialMonteCarlo"/> run.</summary>
public sealed class SmcResult
{
    internal SmcResult(IReadOnlyList<SmcParticle> particles, double logMarginalLikelihood, IReadOnlyList<double> essHistory, int resamplings, Random random)
    {
        Particles = particles;
        LogMarginalLikelihood = logMarginalLikelihood;
        EssHistory = essHistory;
        Resamplings = resamplings;
        var weights = particles.Select(p => p.LogWeight).ToArray();
        double total = LogSpace.Sum(weights);
        Posterior = double.IsNegativeInfinity(total) ? []
            : particles.Where(p => p.Complete && !double.IsNegativeInfinity(p.LogWeight))
                .GroupBy(p => p.Text, StringComparer.Ordinal)
                .Select(g => new PosteriorEntry(g.Key, g.Sum(p => Math.Exp(p.LogWeight - total))))
                .OrderByDescending(e => e.Probability).ThenBy(e => e.Text, StringComparer.Ordinal).ToList();
        if (!double.IsNegativeInfinity(total))
        {
            double u = random.NextDouble(), acc = 0;
            foreach (var p in particles)
            {
                if (double.IsNegativeInfinity(p.LogWeight)) continue;
                Sample = p;
                acc += Math.Exp(p.LogWeight - total);
                if (u < acc) break;
            }
        }
    }

    /// <summary>Every particle, with its final weight.</summary>
    public IReadOnlyList<SmcParticle> Particles { get; }

    /// <summary>Texts by normalised weight, duplicates merged, most probable first.</summary>
    public IReadOnlyList<PosteriorEntry> Posterior { get; }

    /// <summary>One particle drawn by normalised weight; null when every particle died.</summary>
    public SmcParticle? Sample { get; }

    /// <summary>
    /// The log of the unbiased estimate of the normaliser Z (the probability that the model's text satisfies the
    /// constraint, times the critic): the log-mean-exp of the final weights.
    /// </summary>
    public double LogMarginalLikelihood { get; }

    /// <summary>The effective sample size after each step, before resampling.</summary>
    public IReadOnlyList<double> EssHistory { get; }

    /// <summary>How many times the particles were resampled.</summary>
    public int Resamplings { get; }
}
