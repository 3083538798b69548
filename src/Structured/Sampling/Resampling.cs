namespace Structured.Sampling;

/// <summary>How SMC picks ancestors when it resamples.</summary>
public enum ResamplingMethod
{
    /// <summary>N independent draws by weight.</summary>
    Multinomial,

    /// <summary>One uniform draw in each of N equal strata.</summary>
    Stratified,

    /// <summary>One uniform offset shared by N equally spaced points.</summary>
    Systematic,

    /// <summary>⌊N·W⌋ copies of each particle, the rest by multinomial draws on the remainders.</summary>
    Residual,
}

/// <summary>
/// Ancestor selection. Every scheme gives particle <c>i</c> <c>N·W_i</c> offspring in expectation; stratified,
/// systematic and residual do so with less variance than multinomial.
/// </summary>
public static class Resampling
{
    /// <summary>
    /// Writes <paramref name="ancestors"/>.Length ancestor indices drawn by the normalised weights
    /// <paramref name="weights"/> (non-negative, summing to 1).
    /// </summary>
    public static void Resample(ResamplingMethod method, ReadOnlySpan<double> weights, Random random, Span<int> ancestors)
    {
        ArgumentNullException.ThrowIfNull(random);
        int n = ancestors.Length;
        if (n == 0) return;
        switch (method)
        {
            case ResamplingMethod.Multinomial:
                for (int i = 0; i < n; i++) ancestors[i] = Pick(weights, random.NextDouble());
                break;
            case ResamplingMethod.Stratified:
            case ResamplingMethod.Systematic:
            {
                double shared = random.NextDouble();
                double cumulative = weights[0];
                int j = 0;
                for (int i = 0; i < n; i++)
                {
                    double u = (i + (method == ResamplingMethod.Systematic ? shared : random.NextDouble())) / n;
                    while (u >= cumulative && j < weights.Length - 1) cumulative += weights[++j];
                    ancestors[i] = Positive(weights, j);
                }
                break;
            }
            case ResamplingMethod.Residual:
            {
                int filled = 0;
                var rest = new double[weights.Length];
                double restSum = 0;
                for (int j = 0; j < weights.Length; j++)
                {
                    int copies = (int)Math.Floor(n * weights[j]);
                    for (int c = 0; c < copies && filled < n; c++) ancestors[filled++] = j;
                    rest[j] = n * weights[j] - copies;
                    restSum += rest[j];
                }
                for (int j = 0; j < rest.Length; j++) rest[j] = restSum > 0 ? rest[j] / restSum : 0;
                while (filled < n) ancestors[filled++] = Pick(rest, random.NextDouble());
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "unknown resampling method");
        }
    }

    // Rounding can leave the last strata past the final positive weight.
    private static int Positive(ReadOnlySpan<double> weights, int j)
    {
        for (int k = j; k >= 0; k--) if (weights[k] > 0) return k;
        return j;
    }

    private static int Pick(ReadOnlySpan<double> weights, double u)
    {
        double acc = 0;
        int last = 0;
        for (int j = 0; j < weights.Length; j++)
        {
            if (weights[j] <= 0) continue;
            last = j;
            acc += weights[j];
            if (u < acc) return j;
        }
        return last;
    }

    /// <summary>The effective sample size <c>1 / Σ W²</c> of normalised weights.</summary>
    public static double EffectiveSampleSize(ReadOnlySpan<double> weights)
    {
        double s = 0;
        foreach (double w in weights) s += w * w;
        return s > 0 ? 1 / s : 0;
    }
}
