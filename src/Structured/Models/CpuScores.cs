namespace Structured.Models;

/// <summary>
/// Next-token scores held on the CPU, in double precision, with straightforward scalar sampling. The scores of
/// <see cref="BigramModel"/>, and the reference that device implementations are tested against.
/// </summary>
public sealed class CpuScores : INextTokenScores
{
    private readonly double[][] _logProbs;

    /// <summary>Wraps rows of log-probabilities (each row must sum to 1 in probability; not checked here).</summary>
    public CpuScores(double[][] logProbs)
    {
        _logProbs = logProbs;
        Width = logProbs.Length == 0 ? 0 : logProbs[0].Length;
    }

    /// <summary>Normalises rows of logits into log-probabilities.</summary>
    public static CpuScores FromLogits(float[][] logits) =>
        new(logits.Select(row => LogSoftmax(row.Select(x => (double)x).ToArray(), 1.0)).ToArray());

    /// <inheritdoc />
    public int Count => _logProbs.Length;

    /// <inheritdoc />
    public int Width { get; }

    /// <inheritdoc />
    public double LogProb(int row, int token) => _logProbs[row][token];

    /// <inheritdoc />
    public void CopyLogProbs(int row, Span<float> destination)
    {
        var r = _logProbs[row];
        for (int i = 0; i < r.Length; i++) destination[i] = (float)r[i];
    }

    /// <inheritdoc />
    public void Sample(ReadOnlySpan<uint> masks, SamplingOptions options, Random random, Span<int> tokens, Span<double> logMass)
    {
        options.Validate();
        int words = (Width + 31) / 32;
        for (int row = 0; row < Count; row++)
        {
            var mask = masks.IsEmpty ? default : masks.Slice(row * words, words);
            var dist = Distribution(row, mask, options, out logMass[row]);
            if (double.IsNegativeInfinity(logMass[row])) { tokens[row] = -1; continue; }
            if (options.Temperature == 0) { tokens[row] = ArgMax(dist); continue; }
            double u = random.NextDouble(), acc = 0;
            int chosen = -1;
            for (int t = 0; t < dist.Length; t++)
            {
                if (double.IsNegativeInfinity(dist[t])) continue;
                chosen = t;
                acc += Math.Exp(dist[t]);
                if (u < acc) break;
            }
            tokens[row] = chosen;
        }
    }

    /// <inheritdoc />
    public int GumbelOrder(int row, ReadOnlySpan<uint> mask, double temperature, Random random, Span<int> destination)
    {
        double t = temperature <= 0 ? 1 : temperature;
        var keys = new List<(double Key, int Token)>();
        var lp = _logProbs[row];
        for (int token = 0; token < Width; token++)
        {
            if (!mask.IsEmpty && !IsAllowed(mask, token)) continue;
            if (double.IsNegativeInfinity(lp[token])) continue;
            double u = random.NextDouble();
            while (u == 0) u = random.NextDouble();
            keys.Add((lp[token] / t - Math.Log(-Math.Log(u)), token));
        }
        keys.Sort((a, b) => b.Key.CompareTo(a.Key));
        int n = Math.Min(destination.Length, keys.Count);
        for (int i = 0; i < n; i++) destination[i] = keys[i].Token;
        return n;
    }

    /// <inheritdoc />
    public void CopySamplingDistribution(ReadOnlySpan<uint> masks, SamplingOptions options, Span<float> destination)
    {
        options.Validate();
        int words = (Width + 31) / 32;
        for (int row = 0; row < Count; row++)
        {
            var dist = Distribution(row, masks.IsEmpty ? default : masks.Slice(row * words, words), options, out _);
            for (int t = 0; t < Width; t++) destination[row * Width + t] = (float)dist[t];
        }
    }

    /// <inheritdoc />
    public INextTokenScores Rows(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Count);
        return new CpuScores(_logProbs[start..(start + count)], Width);
    }

    // An empty view still has the parent's width.
    private CpuScores(double[][] logProbs, int width)
    {
        _logProbs = logProbs;
        Width = width;
    }

    /// <inheritdoc />
    public void Dispose() { }

    /// <summary>Whether <paramref name="token"/>'s bit is set.</summary>
    public static bool IsAllowed(ReadOnlySpan<uint> mask, int token) => ((mask[token >> 5] >> (token & 31)) & 1) != 0;

    /// <summary>The sampling distribution of one row, as log-probabilities; <paramref name="logMass"/> as in <see cref="INextTokenScores.Sample"/>.</summary>
    private double[] Distribution(int row, ReadOnlySpan<uint> mask, SamplingOptions options, out double logMass)
    {
        var tempered = LogSoftmax(_logProbs[row], options.Temperature == 0 ? 1 : options.Temperature);
        var dist = new double[Width];
        for (int t = 0; t < Width; t++) dist[t] = mask.IsEmpty || IsAllowed(mask, t) ? tempered[t] : double.NegativeInfinity;
        logMass = Sampling.LogSpace.Sum(dist);
        if (double.IsNegativeInfinity(logMass)) return dist;
        if (options.Temperature == 0)
        {
            int best = ArgMax(dist);
            for (int t = 0; t < Width; t++) dist[t] = t == best ? 0 : double.NegativeInfinity;
            return dist;
        }
        for (int t = 0; t < Width; t++) dist[t] -= logMass;
        if (options.TopK > 0 && options.TopK < Width)
        {
            var sorted = dist.Where(x => !double.IsNegativeInfinity(x)).OrderByDescending(x => x).ToArray();
            if (sorted.Length > options.TopK)
            {
                double kth = sorted[options.TopK - 1];
                for (int t = 0; t < Width; t++) if (dist[t] < kth) dist[t] = double.NegativeInfinity;
            }
        }
        if (options.TopP < 1)
        {
            var order = Enumerable.Range(0, Width).Where(t => !double.IsNegativeInfinity(dist[t])).OrderByDescending(t => dist[t]).ToArray();
            double total = order.Sum(t => Math.Exp(dist[t])), before = 0;
            foreach (int t in order)
            {
                double p = Math.Exp(dist[t]);
                if (before >= options.TopP * total) dist[t] = double.NegativeInfinity;
                before += p;
            }
        }
        double z = Sampling.LogSpace.Sum(dist);
        for (int t = 0; t < Width; t++) dist[t] -= z;
        return dist;
    }

    private static int ArgMax(double[] values)
    {
        int best = -1;
        for (int t = 0; t < values.Length; t++) if (best < 0 || values[t] > values[best]) best = t;
        return double.IsNegativeInfinity(values[best]) ? -1 : best;
    }

    internal static double[] LogSoftmax(double[] values, double temperature)
    {
        var scaled = values.Select(v => v / temperature).ToArray();
        double z = Sampling.LogSpace.Sum(scaled);
        for (int i = 0; i < scaled.Length; i++) scaled[i] -= z;
        return scaled;
    }
}
