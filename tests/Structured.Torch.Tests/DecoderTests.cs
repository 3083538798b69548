using Structured.Models;
using Structured.Torch.Loading;
using TorchSharp;
using static TorchSharp.torch;

namespace Structured.Torch.Tests;

public class DecoderTests
{
    public static TheoryData<string> Kinds() => new(TinyModels.Kinds);

    /// <summary>A model of the kind with random weights, held in memory (the model owns and disposes the weights).</summary>
    private static TorchLanguageModel RandomModel(string kind, long seed)
    {
        var config = TinyModels.Config(kind);
        var vocab = Tokens.HuggingFaceVocabulary.FromTokenizerJson(TinyModels.ByteLevelTokenizerJson());
        return TorchLanguageModel.FromWeights(kind, config, ModelWeights.Random(config, seed), vocab);
    }

    private static float[] Row(INextTokenScores s, int row)
    {
        var r = new float[s.Width];
        s.CopyLogProbs(row, r);
        return r;
    }

    private static void Close(float[] a, float[] b, double tolerance = 1e-4)
    {
        Assert.Equal(a.Length, b.Length);
        double worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        Assert.True(worst <= tolerance, $"largest difference {worst}");
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task Saved_and_reloaded_models_give_identical_logits(string kind)
    {
        var config = TinyModels.Config(kind);
        using var weights = ModelWeights.Random(config, seed: 7);
        var dir = TinyModels.SaveRandom(kind, seed: 7);
        var vocab = Tokens.HuggingFaceVocabulary.FromTokenizerJson(TinyModels.ByteLevelTokenizerJson());
        using var inMemory = TorchLanguageModel.FromWeights(kind, config, weights, vocab);
        using var loaded = TorchLanguageModel.Load(dir);
        int[] prompt = [5, 100, 258, 7, 33, 33, 2];
        using var a = inMemory.CreateSequence(prompt);
        using var b = loaded.CreateSequence(prompt);
        using var sa = await inMemory.ScoreAsync([a], TestContext.Current.CancellationToken);
        using var sb = loaded.Score([b]);
        // Loading picks CUDA where there is one: the same weights then agree to float tolerance, not bit for bit.
        if (loaded.Device.type == inMemory.Device.type) Assert.Equal(Row(sa, 0), Row(sb, 0));
        else Close(Row(sa, 0), Row(sb, 0), tolerance: 1e-3);
        Assert.Equal(config.VocabSize, sb.Width);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Incremental_decoding_with_the_cache_equals_a_full_forward_pass(string kind)
    {
        using var model = RandomModel(kind, seed: 11);
        int[] tokens = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 200, 259];
        using var incremental = model.CreateSequence(tokens[..3]);
        (model.Score([incremental])).Dispose();
        foreach (var t in tokens[3..])
        {
            incremental.Append(t);
            (model.Score([incremental])).Dispose();
        }
        using var full = model.CreateSequence(tokens);
        using var si = model.Score([incremental]);
        using var sf = model.Score([full]);
        Close(Row(si, 0), Row(sf, 0));
    }

    [Theory, MemberData(nameof(Kinds))]
    public void A_forked_sequence_continues_as_the_original_would(string kind)
    {
        using var model = RandomModel(kind, seed: 3);
        using var original = model.CreateSequence([9, 8, 7, 6]);
        (model.Score([original])).Dispose();
        using var fork = original.Fork();
        // The fork takes another path first; the original must not see it.
        fork.Append(50);
        (model.Score([fork])).Dispose();
        original.Append(60);
        using var fork2 = original.Fork();
        original.Append(61);
        fork2.Append(61);
        using var s = model.Score([original, fork2]);
        using var reference = model.CreateSequence([9, 8, 7, 6, 60, 61]);
        using var sr = model.Score([reference]);
        Close(Row(s, 0), Row(sr, 0));
        Close(Row(s, 1), Row(sr, 0));
        using var forkRef = model.CreateSequence([9, 8, 7, 6, 50]);
        using var sfr = model.Score([forkRef]);
        using var sfork = model.Score([fork]);
        Close(Row(sfork, 0), Row(sfr, 0));
    }

    [Theory, MemberData(nameof(Kinds))]
    public void A_batch_of_sequences_of_different_lengths_scores_as_each_alone(string kind)
    {
        using var model = RandomModel(kind, seed: 5);
        int[][] prompts = [[1], [2, 3, 4, 5, 6], [7, 8, 9]];
        var seqs = prompts.Select(p => model.CreateSequence(p)).ToArray();
        (model.Score(seqs)).Dispose();
        seqs[0].Append(10); seqs[0].Append(11); // two pending tokens in one row, one in another, none in the third
        seqs[1].Append(12);
        using var batched = model.Score(seqs);
        for (int i = 0; i < seqs.Length; i++)
        {
            using var alone = model.CreateSequence(seqs[i].Tokens);
            using var s = model.Score([alone]);
            Close(Row(batched, i), Row(s, 0));
        }
        foreach (var s in seqs) s.Dispose();
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void Half_precision_checkpoints_load_as_float32_on_the_cpu(ScalarType stored)
    {
        var dir = TinyModels.SaveRandom("llama", seed: 13, dtype: stored);
        var config = TinyModels.Config("llama");
        using var reference = ModelWeights.Random(config, seed: 13);
        var rounded = ModelWeights.FromTensors(reference.All.ToDictionary(p => p.Key, p => p.Value.to(stored).to(ScalarType.Float32)));
        var vocab = Tokens.HuggingFaceVocabulary.FromTokenizerJson(TinyModels.ByteLevelTokenizerJson());
        using var expected = TorchLanguageModel.FromWeights("ref", config, rounded, vocab);
        using var loaded = TorchLanguageModel.Load(dir, new TorchModelOptions { Device = "cpu" });
        using var a = expected.CreateSequence([1, 2, 3]);
        using var b = loaded.CreateSequence([1, 2, 3]);
        using var sa = expected.Score([a]);
        using var sb = loaded.Score([b]);
        Assert.Equal(Row(sa, 0), Row(sb, 0));
    }

    [Fact]
    public void Llama3_rope_scaling_keeps_high_frequencies_and_divides_low_ones()
    {
        var plain = TinyModels.Config("llama") with { RopeTheta = 500000, HeadDim = 64 };
        var scaled = plain with { RopeScaling = new RopeScaling("llama3", 8, 1, 4, 8192) };
        var f0 = Decoding.TransformerDecoder.InverseFrequencies(plain);
        var f1 = Decoding.TransformerDecoder.InverseFrequencies(scaled);
        Assert.Equal(f0[0], f1[0]);                       // wavelength 2π: far below 8192/4
        Assert.Equal(f0[^1] / 8, f1[^1], 1e-12);          // wavelength far above 8192
        Assert.Contains(Enumerable.Range(0, f0.Length), i => f1[i] < f0[i] && f1[i] > f0[i] / 8); // the smooth band
    }
}
