using FsCheck;
using FsCheck.Fluent;
using Structured.Models;
using Structured.Sampling;

namespace Structured.Tests.Sampling;

/// <summary>
/// AWRS is properly weighted: <c>E[ŵ · 1{Y = y}] = p(y) · c(y)</c> for every token. Checked exactly by enumerating
/// every Gumbel order with its Plackett–Luce probability, and by Monte Carlo through the real sampler.
/// </summary>
public class AwrsEstimatorTests
{
    /// <summary>Replays one fixed visiting order.</summary>
    private sealed class Replay(int[] order, double[] p) : CandidateStream
    {
        private int _at;
        public override bool Next(out int token, out double logProb)
        {
            if (_at == order.Length) { token = -1; logProb = double.NegativeInfinity; return false; }
            token = order[_at++];
            logProb = Math.Log(p[token]);
            return true;
        }
        public override void Restart(IReadOnlyCollection<int> excluded) => throw new NotSupportedException("the recursive estimator runs one order");
        public override int FirstAllowed(Func<int, bool> allowed)
        {
            while (_at < order.Length) if (allowed(order[_at++])) return order[_at - 1];
            return -1;
        }
        public override double LogMass(Func<int, bool> allowed) => Math.Log(Enumerable.Range(0, p.Length).Where(t => p[t] > 0 && allowed(t)).Sum(t => p[t]));
    }

    private sealed class Mask(bool[] allowed) : IAwrsConstraint
    {
        public int Checks;
        public int ChecksToFirstAcceptance = -1;
        public bool Check(int token)
        {
            Checks++;
            if (allowed[token] && ChecksToFirstAcceptance < 0) ChecksToFirstAcceptance = Checks;
            return allowed[token];
        }
        public Func<int, bool> ExactMask() => t => allowed[t];
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1) { yield return items; yield break; }
        for (int i = 0; i < items.Length; i++)
            foreach (var rest in Permutations([.. items[..i], .. items[(i + 1)..]]))
                yield return [items[i], .. rest];
    }

    private static double PlackettLuce(int[] order, double[] p)
    {
        double prob = 1, left = order.Sum(t => p[t]);
        foreach (int t in order)
        {
            prob *= p[t] / left;
            left -= p[t];
        }
        return prob;
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1)]
    [InlineData(2)]
    public void Recursive_estimator_is_properly_weighted_by_exact_enumeration(int? maxRejects)
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(120), Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var rng = new Random(seed);
            int v = rng.Next(1, 7);
            // Random probabilities, some exactly zero; a random mask.
            var p = Enumerable.Range(0, v).Select(_ => rng.Next(5) == 0 ? 0 : rng.NextDouble()).ToArray();
            if (p.Sum() == 0) p[0] = 1;
            double s = p.Sum();
            for (int i = 0; i < v; i++) p[i] /= s;
            var allowed = Enumerable.Range(0, v).Select(_ => rng.Next(2) == 0).ToArray();
            double theta = Enumerable.Range(0, v).Where(t => allowed[t]).Sum(t => p[t]);

            var expected = new double[v];
            double expectedEvaluations = 0;
            var support = Enumerable.Range(0, v).Where(t => p[t] > 0).ToArray();
            foreach (var order in Permutations(support))
            {
                double prob = PlackettLuce(order, p);
                var mask = new Mask(allowed);
                var (token, logWeight, _) = AwrsDraw.Recursive(new Replay(order, p), mask, maxRejects);
                if (token >= 0) expected[token] += prob * Math.Exp(logWeight);
                else Assert.True(double.IsNegativeInfinity(logWeight));
                expectedEvaluations += prob * (mask.ChecksToFirstAcceptance < 0 ? mask.Checks : mask.ChecksToFirstAcceptance);
            }
            // An absolute bound of 1e-9: both sides divide by masses left over (1 − Σ visited p), which lose about
            // 1e-16 / (mass left) of relative precision; with masses near 1e-5 that reaches 1e-11 (seen at 3e-12).
            // A real bias would be orders of magnitude larger.
            const double Bound = 1e-9;
            for (int y = 0; y < v; y++) Assert.Equal(allowed[y] ? p[y] : 0, expected[y], tolerance: Bound);
            if (maxRejects is null && theta > 0)
            {
                // The cost of the rejection run: 1 + Σ over invalid r of p_r / (p_r + θ).
                double formula = 1 + Enumerable.Range(0, v).Where(r => !allowed[r] && p[r] > 0).Sum(r => p[r] / (p[r] + theta));
                Assert.Equal(formula, expectedEvaluations, tolerance: Bound);
            }
        }));
    }

    public static TheoryData<string, int, int?, int> RealSamplerCases => new()
    {
        { "Recursive", 2, null, 32 },
        { "Recursive", 2, null, 1 },   // one candidate per block: every further token comes from GumbelOrder
        { "Recursive", 2, 1, 32 },     // exact-mask fallback after one rejection
        { "Geometric", 2, null, 32 },
        { "Geometric", 3, null, 2 },
        { "Auto", 2, null, 32 },
    };

    [Theory]
    [MemberData(nameof(RealSamplerCases))]
    public void Sampler_weights_are_unbiased_by_monte_carlo(string estimator, int maxAccepts, int? maxRejects, int block)
    {
        const int v = 5, rows = 500, rounds = 40;
        var rng = new Random(11);
        var vocabulary = SamplingFixtures.Letters(v);
        var p = new[] { 0.35, 0.05, 0.3, 0.12, 0.08, 0.1 };
        var allowed = new[] { false, true, false, true, true, false };
        var condition = SamplingFixtures.FirstToken(allowed, v);
        var sampler = new AwrsSampler(condition, vocabulary, new AwrsOptions
        {
            Estimator = Enum.Parse<AwrsEstimator>(estimator), MaxAccepts = maxAccepts, MaxRejects = maxRejects, CandidateBlock = block,
        });
        var scores = new CpuScores(Enumerable.Range(0, rows).Select(_ => p.Select(x => Math.Log(x)).ToArray()).ToArray());
        var states = Enumerable.Repeat(condition.Start, rows).ToList();
        var tokens = new int[rows];
        var weights = new double[rows];
        var contributions = Enumerable.Range(0, v + 1).Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            sampler.Sample(scores, states, rng, tokens, weights);
            for (int r = 0; r < rows; r++)
            {
                Assert.True(tokens[r] >= 0 && allowed[tokens[r]], $"drew a disallowed token {tokens[r]}");
                for (int y = 0; y <= v; y++) contributions[y].Add(tokens[r] == y ? Math.Exp(weights[r]) : 0);
            }
        }
        for (int y = 0; y <= v; y++)
            Assert.True(Math.Abs(contributions[y].Average() - (allowed[y] ? p[y] : 0)) <= SamplingFixtures.Tolerance(contributions[y]),
                $"token {y}: E[w·1] = {contributions[y].Average():F4}, expected {(allowed[y] ? p[y] : 0)}");
        Assert.True(sampler.Statistics.Checks > 0);
        if (maxRejects is not null) Assert.True(sampler.Statistics.Fallbacks > 0);
    }

    [Fact]
    public void A_row_with_nothing_allowed_gets_no_token_and_zero_weight()
    {
        var vocabulary = SamplingFixtures.Letters(3);
        var condition = SamplingFixtures.FirstToken([false, false, false, false], 3);
        foreach (var estimator in new[] { AwrsEstimator.Recursive, AwrsEstimator.Geometric })
        {
            var sampler = new AwrsSampler(condition, vocabulary, new AwrsOptions { Estimator = estimator, CandidateBlock = 2, MaxRejects = null });
            var scores = new CpuScores([[Math.Log(0.7), Math.Log(0.1), Math.Log(0.1), Math.Log(0.1)]]);
            var tokens = new int[1];
            var weights = new double[1];
            sampler.Sample(scores, [condition.Start], new Random(1), tokens, weights);
            Assert.Equal(-1, tokens[0]);
            Assert.True(double.IsNegativeInfinity(weights[0]));
        }
    }

    [Fact]
    public void Options_out_of_range_are_named()
    {
        Assert.Contains("MaxAccepts", Assert.Throws<ArgumentOutOfRangeException>(() => new AwrsOptions { MaxAccepts = 1 }.Validate()).Message);
        Assert.Contains("recursive", Assert.Throws<ArgumentException>(() => new AwrsOptions { MaxRejects = 3, Estimator = AwrsEstimator.Geometric }.Validate()).Message);
    }
}
