using Structured.Models;
using Structured.Potentials;
using Structured.Tokens;

namespace Structured.Sampling;

/// <summary>
/// Draws the next token of many sequences at once, each with a log weight that makes it properly weighted for the
/// local target <c>t(y) = p(y | x) · c(x, y)</c> (the model's next-token probability times the condition's
/// next-token weight): <c>E[w · 1{Y = y}] = t(y)</c>. Summed over steps, the log weights are importance weights
/// toward the model's distribution conditioned on the constraint; <see cref="SequentialMonteCarlo"/> uses them.
/// An instance keeps buffers between steps: use it for one generation at a time.
/// </summary>
public abstract class TokenSampler
{
    /// <summary>Binds the sampler to a condition over a vocabulary.</summary>
    protected TokenSampler(Potential condition, TokenVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(vocabulary);
        Condition = condition.Coerce(vocabulary);
    }

    /// <summary>The condition, over the model's tokens.</summary>
    public TokenPotential Condition { get; }

    /// <summary>What the sampler has done so far.</summary>
    public SamplerStatistics Statistics { get; } = new();

    /// <summary>Work that does not need the model's scores, done while the model runs (LCD computes its masks here).</summary>
    public virtual void Prepare(IReadOnlyList<PotentialState> states) { }

    /// <summary>
    /// Draws one token per row. A row with no allowed token gets token -1 and log weight negative infinity.
    /// <see cref="Prepare"/> must have been called with the same states, unless the sampler does not need it.
    /// </summary>
    public abstract void Sample(INextTokenScores scores, IReadOnlyList<PotentialState> states, Random random, Span<int> tokens, Span<double> logWeights);

    /// <summary>
    /// The log weight of ending row <paramref name="row"/> here, when the token limit forces it: the model's
    /// end-of-sequence probability (all end-of-sequence ids together) times the condition's complete weight.
    /// </summary>
    public double ForcedEndLogWeight(INextTokenScores scores, int row, PotentialState state)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(state);
        double condition = state.LogComplete - state.LogPrefix;
        if (double.IsNegativeInfinity(condition) || double.IsNaN(condition)) return double.NegativeInfinity;
        double mass = double.NegativeInfinity;
        foreach (int eos in Condition.Vocabulary.EndOfSequenceIds)
            if (eos < scores.Width) mass = LogSpace.Add(mass, scores.LogProb(row, eos));
        return mass + condition;
    }
}

/// <summary>Counters of a <see cref="TokenSampler"/>; safe to read while it runs.</summary>
public sealed class SamplerStatistics
{
    private long _steps, _checks, _cachedChecks, _masks, _fallbacks;

    /// <summary>Tokens drawn (one per row per step).</summary>
    public long Steps => Interlocked.Read(ref _steps);

    /// <summary>Single-token constraint checks that ran (AWRS), cache hits excluded.</summary>
    public long Checks => Interlocked.Read(ref _checks);

    /// <summary>Single-token checks answered from the per-state cache.</summary>
    public long CachedChecks => Interlocked.Read(ref _cachedChecks);

    /// <summary>Full token masks computed (LCD every step; AWRS only when it falls back to an exact mask).</summary>
    public long Masks => Interlocked.Read(ref _masks);

    /// <summary>AWRS draws that switched to an exact mask after too many rejections.</summary>
    public long Fallbacks => Interlocked.Read(ref _fallbacks);

    internal void Add(long steps = 0, long checks = 0, long cached = 0, long masks = 0, long fallbacks = 0)
    {
        if (steps != 0) Interlocked.Add(ref _steps, steps);
        if (checks != 0) Interlocked.Add(ref _checks, checks);
        if (cached != 0) Interlocked.Add(ref _cachedChecks, cached);
        if (masks != 0) Interlocked.Add(ref _masks, masks);
        if (fallbacks != 0) Interlocked.Add(ref _fallbacks, fallbacks);
    }
}

/// <summary>Arithmetic on log weights.</summary>
public static class LogSpace
{
    /// <summary><c>log(exp(a) + exp(b))</c> without overflow.</summary>
    public static double Add(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        return a > b ? a + Math.Log(1 + Math.Exp(b - a)) : b + Math.Log(1 + Math.Exp(a - b));
    }

    /// <summary><c>log Σ exp(x)</c>; negative infinity for an empty or all-zero-weight input.</summary>
    public static double Sum(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (double v in values) if (v > max) max = v;
        if (double.IsNegativeInfinity(max)) return max;
        double sum = 0;
        foreach (double v in values) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    /// <summary><c>log((1/n) Σ exp(x))</c>.</summary>
    public static double Mean(ReadOnlySpan<double> values) => values.IsEmpty ? double.NegativeInfinity : Sum(values) - Math.Log(values.Length);
}
