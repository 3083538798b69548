namespace Structured.Cli.Bench;

/// <summary>Nearest-rank summary statistics, as the peer harness computes them.</summary>
internal static class Stats
{
    public static Dictionary<string, double> Of(IReadOnlyCollection<double> xs, int digits = 1)
    {
        if (xs.Count == 0) return new() { ["n"] = 0 };
        var s = xs.Order().ToArray();
        double Rank(double p) => s[Math.Clamp((int)Math.Ceiling(p * s.Length) - 1, 0, s.Length - 1)];
        return new()
        {
            ["n"] = s.Length,
            ["median"] = Math.Round(Rank(0.5), digits),
            ["p90"] = Math.Round(Rank(0.9), digits),
            ["p99"] = Math.Round(Rank(0.99), digits),
            ["p999"] = Math.Round(Rank(0.999), digits),
            ["max"] = Math.Round(s[^1], digits),
            ["min"] = Math.Round(s[0], digits),
            ["mean"] = Math.Round(s.Average(), digits),
        };
    }
}
