namespace Structured.Sampling;

/// <summary>The constraint as one AWRS draw sees it: single-token checks, and the exact mask for the fallback.</summary>
internal interface IAwrsConstraint
{
    /// <summary>Whether the token is allowed (cached per state and token).</summary>
    bool Check(int token);

    /// <summary>Computes the full mask and returns a lookup into it.</summary>
    Func<int, bool> ExactMask();
}

/// <summary>
/// One AWRS draw over a candidate stream (the estimators of <c>reference/algorithms.md</c> §1.3–1.4). The first
/// accepted token in Gumbel order is an exact sample from the masked distribution; the returned log weight is an
/// unbiased estimate of the log of the allowed mass (the model's probabilities are normalised, so its <c>Zp</c> is 1).
/// </summary>
internal static class AwrsDraw
{
    private const double MassFloor = 1e-9; // below this much mass left, the exact mask is cheaper and safer than more checks

    /// <summary>
    /// Recursive estimator: every rejection of a token with conditional probability <c>q</c> multiplies the weight by
    /// <c>1 − q</c>; at the first acceptance one more token in the same order is checked and the weight is multiplied by
    /// <c>q + (1 − q) · c(next)</c>, an unbiased estimate of the acceptance rate from there on. After
    /// <paramref name="maxRejects"/> rejections it switches to the exact mask, which keeps proper weighting because the
    /// switch depends only on what was already observed.
    /// </summary>
    public static (int Token, double LogWeight, bool Fallback) Recursive(CandidateStream stream, IAwrsConstraint constraint, int? maxRejects)
    {
        // The factors telescope: Π(1 − q) over the rejections is 1 − removed, and with q = p / (1 − removed) the weight
        // (1 − removed) · (q + (1 − q) · c(next)) is p when the next token fails and 1 − removed otherwise. Computed
        // this way it avoids the cancellation of 1 − q when little mass is left.
        double removed = 0;
        int rejects = 0;
        while (stream.Next(out int token, out double logProb))
        {
            double p = Math.Exp(logProb);
            if (constraint.Check(token))
            {
                bool nextFails = stream.Next(out int next, out _) && !constraint.Check(next);
                return (token, nextFails ? logProb : Math.Log(Math.Max(p, 1 - removed)), false);
            }
            removed += p;
            rejects++;
            if (rejects == maxRejects || 1 - removed < MassFloor) return Exact(stream, constraint);
        }
        return (-1, double.NegativeInfinity, false);
    }

    /// <summary>
    /// Geometric estimator: sees the run as draws with replacement, where a draw landing on an already rejected token
    /// is a phantom rejection (geometric in number, never checked). Runs until <paramref name="accepts"/> acceptances,
    /// starting a fresh order after each; with <c>F</c> rejections in all, <c>(K − 1) / (K − 1 + F)</c> is unbiased for
    /// the acceptance rate, and the first accepted token is independent of <c>F</c>.
    /// </summary>
    public static (int Token, double LogWeight) Geometric(CandidateStream stream, IAwrsConstraint constraint, int accepts, Random random)
    {
        var rejected = new List<int>();
        double removed = 0;
        long failures = 0;
        int accepted = 0, first = -1;
        while (true)
        {
            if (removed > 0)
            {
                // Draws that land on rejected tokens before the next new one: P(G ≥ g) = removed^g.
                double u = 1 - random.NextDouble();
                failures += removed >= 1 ? long.MaxValue / 4 : (long)Math.Floor(Math.Log(u) / Math.Log(removed));
            }
            if (!stream.Next(out int token, out double logProb))
            {
                if (accepted == 0) return (-1, double.NegativeInfinity);
                stream.Restart(rejected);
                continue;
            }
            if (constraint.Check(token))
            {
                if (first < 0) first = token;
                if (++accepted == accepts) return (first, Math.Log(accepts - 1.0) - Math.Log(accepts - 1.0 + failures));
                stream.Restart(rejected);
                continue;
            }
            failures++;
            removed += Math.Exp(logProb);
            rejected.Add(token);
        }
    }

    private static (int, double, bool) Exact(CandidateStream stream, IAwrsConstraint constraint)
    {
        var allowed = constraint.ExactMask();
        double logZ = stream.LogMass(allowed);
        if (double.IsNegativeInfinity(logZ)) return (-1, logZ, true);
        return (stream.FirstAllowed(allowed), logZ, true);
    }
}
