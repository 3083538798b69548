using Structured.Evaluation;
using Structured.Models;
using Structured.Parsing;
using Structured.Potentials;
using Structured.Sampling;

namespace Structured.Tests.Sampling;

/// <summary>SMC against exact answers: the closed-form toy problem, the zero-variance identity, unbiasedness and forced stops.</summary>
public class SmcTests
{
    // reference/algorithms.md §7.4: p(a) = .9, p(b) = .1; after a: {a .5, b .1, end .4}; after b: end. L = {b, ab}.
    private const string Toy = """{"tokens": ["a", "b"], "start": [0.9, 0.1, 0], "next": [[0.5, 0.1, 0.4], [0, 0, 1]]}""";

    private static Potential Regex(string pattern) => Potential.FromGrammar(CompiledGrammar.FromRegex(pattern));

    [Fact]
    public void The_toy_posterior_is_enumerated_exactly()
    {
        var exact = ExactPosterior.Enumerate(BigramModel.Parse(Toy), Regex("b|ab"), 5);
        Assert.Equal(Math.Log(0.19), exact.LogZ, 12);
        Assert.Equal(10.0 / 19, exact.Probabilities["b"], 12);
        Assert.Equal(9.0 / 19, exact.Probabilities["ab"], 12);
    }

    [Theory]
    [InlineData(AlignmentMethod.Lcd, 1, 0.426, 0.412, false)]
    [InlineData(AlignmentMethod.Smc, 32, 0.039, 0.032, false)]
    [InlineData(AlignmentMethod.AwrsSmc, 32, 0.039, 0.032, false)]
    [InlineData(AlignmentMethod.Smc, 32, 0.039, 0.032, true)] // the reference protocol, where finished particles are resampled too
    [InlineData(AlignmentMethod.AwrsSmc, 32, 0.039, 0.032, true)]
    [InlineData(AlignmentMethod.Awrs, 8, 0.154, 0.121, false)]
    public async Task Toy_problem_matches_the_golden_table(AlignmentMethod method, int particles, double goldenTv, double goldenGap, bool resampleFinished)
    {
        const int samples = 6000;
        var model = BigramModel.Parse(Toy);
        var constraint = Regex("b|ab");
        var exact = ExactPosterior.Enumerate(model, constraint, 5);
        var report = await AlignmentEvaluator.EvaluateAsync(model, constraint, exact, method, particles, samples, 5, seed: 3, resampleFinished,
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, report.Invalid);
        Assert.Equal(0, report.Failed);
        // Two outcomes: TV = |q̂(b) − π(b)|, whose standard error is that of a proportion.
        double q = report.Counts.GetValueOrDefault("b") / (double)samples;
        double se = Math.Sqrt(q * (1 - q) / samples);
        Assert.True(Math.Abs(report.TotalVariation - goldenTv) <= 5 * se + 1e-9, $"TV {report.TotalVariation:F4}, golden {goldenTv} ± {5 * se:F4}");
        if (method != AlignmentMethod.Lcd)
        {
            Assert.True(Math.Abs(report.Gap - goldenGap) <= 0.05, $"gap {report.Gap:F4}, golden {goldenGap}");
        }
        if (particles >= 32) Assert.True(report.TotalVariation <= 0.05 + 5 * se, $"TV {report.TotalVariation:F4} at N = {particles}");
    }

    // The alignment suite's regex-even case (seed 1): 88% of the posterior is the one-token text "c", which the model
    // ends with a small end-of-sequence probability, while the particles that go on look better until they end.
    private const string EarlyEnd = """
        {"tokens": ["a", "b", "c", "ab"],
         "start": [0.08312480014098021, 0.34913696095372454, 0.2613992668822625, 0.10268259503104515, 0.20365637699198744],
         "next": [[0.007344301073165265, 0.031257642464462755, 0.010626744860007654, 0.7707078008379074, 0.18006351076445704],
                  [0.06528131702961201, 0.15335414831253824, 0.07178676529227437, 0.6738808899571068, 0.03569687940846858],
                  [0.13386210322635494, 0.7347991087719045, 0.030335312012629196, 0.09932352926001137, 0.0016799467290999704],
                  [0.4869184109441174, 0.006909192203002057, 0.09229361275080528, 0.00035187703868463525, 0.4135269070633906]]}
        """;

    [Theory]
    [InlineData(AlignmentMethod.Smc)]
    [InlineData(AlignmentMethod.AwrsSmc)]
    public async Task Finished_particles_keep_their_weights_so_an_early_end_is_not_resampled_away(AlignmentMethod method)
    {
        const int samples = 2000;
        var model = BigramModel.Parse(EarlyEnd);
        var constraint = Regex("((a|b)(a|b))*c");
        var exact = ExactPosterior.Enumerate(model, constraint, 8);
        Assert.True(exact.Probabilities["c"] > 0.85);
        var liveOnly = await AlignmentEvaluator.EvaluateAsync(model, constraint, exact, method, 32, samples, 8, seed: 1,
            cancellationToken: TestContext.Current.CancellationToken);
        var everyone = await AlignmentEvaluator.EvaluateAsync(model, constraint, exact, method, 32, samples, 8, seed: 1, resampleFinished: true,
            cancellationToken: TestContext.Current.CancellationToken);
        // Five standard errors of the share of "c" bound the noise of the dominant outcome.
        double se = Math.Sqrt(0.88 * 0.12 / samples);
        Assert.True(liveOnly.TotalVariation <= 0.05 + 5 * se, $"live-only resampling: TV {liveOnly.TotalVariation:F3}");
        Assert.True(everyone.TotalVariation >= 0.2, $"resampling finished particles too: TV {everyone.TotalVariation:F3}");
        Assert.True(Math.Abs(liveOnly.Gap) < 0.2, $"log Z gap {liveOnly.Gap:F3}");
    }

    /// <summary>
    /// The optimal twist h(x) = P(the model completes x inside the language within T tokens): with it as the target's
    /// potential every step weight is exactly 1, so every particle's weight and the estimate are exactly log Z (to the
    /// float precision in which next-token weights are kept).
    /// </summary>
    private static (BigramModel Model, Potential Twist, Potential Grammar, ExactPosterior Exact) TwistedProblem(int maxTokens)
    {
        var model = BigramModel.Parse(SamplingFixtures.RandomBigram(new Random(7), 3, endBias: 0.5));
        var grammarPotential = Regex("(ab|c)+a?");
        var exactH = new Dictionary<string, double>();
        double H(string text)
        {
            if (exactH.TryGetValue(text, out double h)) return h;
            var state = grammarPotential.Start.Advance(System.Text.Encoding.UTF8.GetBytes(text));
            if (double.IsNegativeInfinity(state.LogPrefix)) return exactH[text] = double.NegativeInfinity;
            int last = text.Length == 0 ? -1 : text[^1] - 'a';
            double total = model.NextLogProbability(last, model.EndOfSequence) + state.LogComplete;
            if (text.Length < maxTokens)
                for (int t = 0; t < 3; t++) total = LogSpace.Add(total, model.NextLogProbability(last, t) + H(text + (char)('a' + t)));
            return exactH[text] = total;
        }
        var twist = Potential.FromLogWeights(H, text => grammarPotential.Complete(System.Text.Encoding.UTF8.GetBytes(text)));
        return (model, twist, grammarPotential, ExactPosterior.Enumerate(model, grammarPotential, maxTokens));
    }

    [Fact]
    public async Task Direct_sampling_of_an_exact_potential_has_zero_variance()
    {
        const int maxTokens = 6;
        var (model, twist, grammar, exact) = TwistedProblem(maxTokens);
        var sampler = new DirectSampler(twist * grammar, model.Vocabulary);
        var result = await SequentialMonteCarlo.RunAsync(model, sampler, [], new SmcOptions { Particles = 12, MaxTokens = maxTokens, Seed = 2 }, TestContext.Current.CancellationToken);
        Assert.All(result.Particles, p => Assert.Equal(exact.LogZ, p.LogWeight, tolerance: 1e-6));
        Assert.Equal(exact.LogZ, result.LogMarginalLikelihood, tolerance: 1e-6);
        // Some particles end at the token limit: the forced end is weighted exactly too.
        Assert.Contains(result.Particles, p => p.Tokens.Count == maxTokens);
    }

    [Fact]
    public async Task With_a_critic_each_weight_is_log_z_plus_the_critics_complete_weight()
    {
        const int maxTokens = 6;
        var (model, twist, grammar, exact) = TwistedProblem(maxTokens);
        static double Score(string text) => -0.3 * text.Count(c => c == 'a');
        var critic = Potential.FromLogWeights(text => Score(text) / 2, Score);
        var sampler = new DirectSampler(twist * grammar, model.Vocabulary);
        var result = await SequentialMonteCarlo.RunAsync(model, sampler, [], new SmcOptions { Particles = 10, MaxTokens = maxTokens, Seed = 4, Critic = critic, EssThreshold = 1 },
            TestContext.Current.CancellationToken);
        Assert.True(result.Resamplings > 0);
        // After resampling, weights are reset to the mean, so check the identity on a run without resampling.
        var plain = await SequentialMonteCarlo.RunAsync(model, new DirectSampler(twist * grammar, model.Vocabulary), [],
            new SmcOptions { Particles = 10, MaxTokens = maxTokens, Seed = 4, Critic = critic, EssThreshold = 0 }, TestContext.Current.CancellationToken);
        Assert.All(plain.Particles, p => Assert.Equal(exact.LogZ + Score(p.Text), p.LogWeight, tolerance: 1e-6));
        Assert.All(result.Particles, p => Assert.True(p.Complete));
    }

    [Theory]
    [InlineData(AlignmentMethod.Smc)]
    [InlineData(AlignmentMethod.AwrsSmc)]
    public async Task The_estimate_of_z_is_unbiased_and_forced_stops_weight_the_target_restricted_to_the_limit(AlignmentMethod method)
    {
        // A Dyck-like language that the limit cuts: many prefixes cannot close in time.
        const int maxTokens = 5, runs = 3000;
        var model = BigramModel.Parse(SamplingFixtures.RandomBigram(new Random(3), 3, endBias: 0.3));
        var constraint = Potential.FromGrammar(CompiledGrammar.FromGbnf("root ::= s\ns ::= \"a\" s \"b\" s | \"c\""));
        var exact = ExactPosterior.Enumerate(model, constraint, maxTokens);
        var z = new List<double>();
        var perText = exact.Probabilities.Keys.ToDictionary(k => k, _ => new List<double>());
        for (int run = 0; run < runs; run++)
        {
            TokenSampler sampler = method == AlignmentMethod.Smc ? new LcdSampler(constraint, model.Vocabulary) : new AwrsSampler(constraint, model.Vocabulary);
            var result = await SequentialMonteCarlo.RunAsync(model, sampler, [], new SmcOptions { Particles = 4, MaxTokens = maxTokens, Seed = run },
                TestContext.Current.CancellationToken);
            double zHat = Math.Exp(result.LogMarginalLikelihood);
            z.Add(zHat);
            // Z-hat times the posterior is an unbiased estimate of the unnormalised target of each text.
            foreach (var (text, list) in perText) list.Add(zHat * result.Posterior.Where(e => e.Text == text).Sum(e => e.Probability));
            Assert.All(result.Particles, p => Assert.True(p.Tokens.Count <= maxTokens));
            Assert.All(result.Posterior, e => Assert.True(exact.Probabilities.ContainsKey(e.Text), $"'{e.Text}' is outside the target"));
        }
        double zExact = Math.Exp(exact.LogZ);
        Assert.True(Math.Abs(z.Average() - zExact) <= SamplingFixtures.Tolerance(z), $"mean Ẑ {z.Average():G5}, Z {zExact:G5}");
        foreach (var (text, list) in perText)
            Assert.True(Math.Abs(list.Average() - zExact * exact.Probabilities[text]) <= SamplingFixtures.Tolerance(list),
                $"'{text}': {list.Average():G5} against {zExact * exact.Probabilities[text]:G5}");
    }

    [Fact]
    public async Task A_population_that_dies_out_ends_cleanly()
    {
        var model = BigramModel.Parse(Toy);
        var result = await SequentialMonteCarlo.RunAsync(model, new LcdSampler(Regex("aaaa"), model.Vocabulary), [],
            new SmcOptions { Particles = 6, MaxTokens = 2 }, TestContext.Current.CancellationToken);
        Assert.True(double.IsNegativeInfinity(result.LogMarginalLikelihood));
        Assert.Null(result.Sample);
        Assert.Empty(result.Posterior);
        Assert.All(result.Particles, p => Assert.False(p.Complete));
    }

    [Fact]
    public async Task Progress_is_reported_every_step_and_the_ess_history_matches()
    {
        var model = BigramModel.Parse(Toy);
        var reports = new List<SmcProgress>();
        var progress = new SynchronousProgress(reports.Add);
        var result = await SequentialMonteCarlo.RunAsync(model, new LcdSampler(Regex("b|ab"), model.Vocabulary), [],
            new SmcOptions { Particles = 8, MaxTokens = 5, Progress = progress }, TestContext.Current.CancellationToken);
        Assert.Equal(result.EssHistory.Count, reports.Count);
        Assert.Equal(result.EssHistory, reports.Select(r => r.EffectiveSampleSize));
        Assert.Equal(0, reports[^1].Live);
    }

    private sealed class SynchronousProgress(Action<SmcProgress> report) : IProgress<SmcProgress>
    {
        public void Report(SmcProgress value) => report(value);
    }
}
