using FsCheck;
using FsCheck.Fluent;
using Structured.Models;
using TorchSharp;

namespace Structured.Torch.Tests;

/// <summary>The device path (one masked log-softmax over [N, V], top-k/top-p, Gumbel-max) against the scalar CPU reference.</summary>
public class DeviceSamplingTests
{
    private static (TorchScores Device, CpuScores Reference, uint[] Masks) Make(int seed, int n, int v, double density)
    {
        var rng = new Random(seed);
        var logits = new float[n][];
        for (int i = 0; i < n; i++) logits[i] = Enumerable.Range(0, v).Select(_ => (float)(rng.NextDouble() * 8 - 4)).ToArray();
        // On the best device there is: these tests are the GPU check of the device path where CUDA is available.
        var device = new TorchScores(torch.tensor(logits.SelectMany(r => r).ToArray(), [n, v]).to(torch.cuda.is_available() ? torch.CUDA : torch.CPU));
        var reference = CpuScores.FromLogits(logits);
        int words = (v + 31) / 32;
        var masks = new uint[n * words];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < v; t++)
                if (rng.NextDouble() < density) masks[i * words + t / 32] |= 1u << (t % 32);
        return (device, reference, masks);
    }

    [Fact]
    public void Masked_distributions_match_the_scalar_reference()
    {
        var options = new[]
        {
            SamplingOptions.Default,
            new SamplingOptions { Temperature = 0.7 },
            new SamplingOptions { Temperature = 1.3, TopK = 5 },
            new SamplingOptions { TopP = 0.8 },
            new SamplingOptions { Temperature = 0.5, TopK = 20, TopP = 0.6 },
        };
        Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), Gen.Choose(1, 70).ToArbitrary(), (seed, v) =>
        {
            var (device, reference, masks) = Make(seed, 3, v, density: 0.4);
            using (device)
            {
                foreach (var o in options)
                {
                    var a = new float[3 * v];
                    var b = new float[3 * v];
                    device.CopySamplingDistribution(masks, o, a);
                    reference.CopySamplingDistribution(masks, o, b);
                    for (int i = 0; i < a.Length; i++)
                    {
                        bool bothImpossible = float.IsNegativeInfinity(a[i]) && float.IsNegativeInfinity(b[i]) || float.IsNaN(a[i]) && float.IsNegativeInfinity(b[i]);
                        if (!bothImpossible && Math.Abs(a[i] - b[i]) > 1e-4) return false;
                    }
                    var ta = new int[3]; var tb = new int[3]; var ma = new double[3]; var mb = new double[3];
                    device.Sample(masks, o, new Random(1), ta, ma);
                    reference.Sample(masks, o, new Random(1), tb, mb);
                    for (int r = 0; r < 3; r++)
                    {
                        if (double.IsNegativeInfinity(mb[r]) != double.IsNegativeInfinity(ma[r])) return false;
                        if (!double.IsNegativeInfinity(mb[r]) && Math.Abs(ma[r] - mb[r]) > 1e-4) return false;
                        // Every drawn token is one the distribution allows.
                        if (ta[r] >= 0 && float.IsNegativeInfinity(b[r * v + ta[r]])) return false;
                        if ((ta[r] < 0) != (tb[r] < 0)) return false;
                    }
                }
                return true;
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Device_samples_follow_the_masked_distribution()
    {
        var (device, reference, masks) = Make(seed: 42, n: 1, v: 40, density: 0.3);
        using (device)
        {
            var expected = new float[40];
            reference.CopySamplingDistribution(masks, SamplingOptions.Default, expected);
            var counts = new int[40];
            var rng = new Random(7);
            var tokens = new int[1];
            var mass = new double[1];
            const int draws = 20000;
            for (int i = 0; i < draws; i++)
            {
                device.Sample(masks, SamplingOptions.Default, rng, tokens, mass);
                counts[tokens[0]]++;
            }
            for (int t = 0; t < 40; t++)
            {
                double p = Math.Exp(expected[t]);
                double sd = Math.Sqrt(draws * p * (1 - p)) + 1e-9;
                Assert.True(Math.Abs(counts[t] - draws * p) <= 5 * sd + 1, $"token {t}: {counts[t]} draws, expected {draws * p:F1}");
            }
        }
    }

    [Fact]
    public void Greedy_picks_the_most_probable_allowed_token_and_an_empty_mask_gives_none()
    {
        var (device, reference, masks) = Make(seed: 9, n: 2, v: 64, density: 0.5);
        using (device)
        {
            Array.Clear(masks, 2, 2); // row 1 allows nothing
            var t = new int[2]; var m = new double[2];
            device.Sample(masks, new SamplingOptions { Temperature = 0 }, new Random(0), t, m);
            var lp = new float[64];
            reference.CopyLogProbs(0, lp);
            int best = Enumerable.Range(0, 64).Where(i => CpuScores.IsAllowed(masks.AsSpan(0, 2), i)).MaxBy(i => lp[i]);
            Assert.Equal(best, t[0]);
            Assert.Equal(-1, t[1]);
            Assert.True(double.IsNegativeInfinity(m[1]));
        }
    }

    [Fact]
    public void Gumbel_order_lists_allowed_tokens_without_repeats_and_its_first_follows_the_distribution()
    {
        var (device, reference, masks) = Make(seed: 5, n: 1, v: 30, density: 0.5);
        using (device)
        {
            var allowed = Enumerable.Range(0, 30).Where(t => CpuScores.IsAllowed(masks, t)).ToHashSet();
            var order = new int[30];
            int n = device.GumbelOrder(0, masks, 1.0, new Random(3), order);
            Assert.Equal(allowed.Count, n);
            Assert.Equal(allowed.Order(), order[..n].Order());
            var expected = new float[30];
            reference.CopySamplingDistribution(masks, SamplingOptions.Default, expected);
            var counts = new int[30];
            var rng = new Random(11);
            var first = new int[1];
            const int draws = 10000;
            for (int i = 0; i < draws; i++) { device.GumbelOrder(0, masks, 1.0, rng, first); counts[first[0]]++; }
            for (int t = 0; t < 30; t++)
            {
                double p = Math.Exp(expected[t]);
                Assert.True(Math.Abs(counts[t] - draws * p) <= 5 * Math.Sqrt(draws * p * (1 - p)) + 1, $"token {t}");
            }
        }
    }
}
