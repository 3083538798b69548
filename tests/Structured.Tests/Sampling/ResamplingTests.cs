using Structured.Sampling;

namespace Structured.Tests.Sampling;

public class ResamplingTests
{
    [Theory]
    [InlineData(ResamplingMethod.Multinomial)]
    [InlineData(ResamplingMethod.Stratified)]
    [InlineData(ResamplingMethod.Systematic)]
    [InlineData(ResamplingMethod.Residual)]
    public void Expected_offspring_is_n_times_the_weight(ResamplingMethod method)
    {
        const int n = 7, repeats = 20000;
        var weights = new[] { 0.31, 0.0, 0.02, 0.25, 0.17, 0.2, 0.05 };
        var rng = new Random(9);
        var ancestors = new int[n];
        var offspring = Enumerable.Range(0, n).Select(_ => new List<double>(repeats)).ToArray();
        for (int r = 0; r < repeats; r++)
        {
            Resampling.Resample(method, weights, rng, ancestors);
            var counts = new int[n];
            foreach (int a in ancestors) counts[a]++;
            for (int i = 0; i < n; i++) offspring[i].Add(counts[i]);
            Assert.Equal(0, counts[1]); // a zero weight is never picked
            if (method is ResamplingMethod.Systematic or ResamplingMethod.Residual)
                for (int i = 0; i < n; i++) Assert.True(counts[i] >= Math.Floor(n * weights[i] - 1e-9), $"{method} gave {counts[i]} copies to weight {weights[i]}");
        }
        for (int i = 0; i < n; i++)
            Assert.True(Math.Abs(offspring[i].Average() - n * weights[i]) <= SamplingFixtures.Tolerance(offspring[i]),
                $"particle {i}: {offspring[i].Average():F4} copies, expected {n * weights[i]}");
    }

    [Fact]
    public void Ess_is_n_for_equal_weights_and_1_for_a_single_one()
    {
        Assert.Equal(4, Resampling.EffectiveSampleSize([0.25, 0.25, 0.25, 0.25]), 12);
        Assert.Equal(1, Resampling.EffectiveSampleSize([0, 1, 0]), 12);
    }
}
