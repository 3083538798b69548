using System.Text.Json;
using Structured.Models;
using Structured.Torch.Loading;

namespace Structured.Torch.Tests;

public class LoadingErrorTests
{
    [Fact]
    public void A_missing_config_names_the_file()
    {
        var dir = TinyModels.SaveRandom("llama", 1);
        File.Delete(Path.Combine(dir, "config.json"));
        var e = Assert.Throws<ModelLoadException>(() => TorchLanguageModel.Load(dir));
        Assert.Contains("config.json", e.Message);
    }

    [Fact]
    public void A_missing_weights_file_is_named()
    {
        var dir = TinyModels.SaveRandom("llama", 1);
        File.Delete(Path.Combine(dir, "model.safetensors"));
        var e = Assert.Throws<ModelLoadException>(() => TorchLanguageModel.Load(dir));
        Assert.Contains("model.safetensors", e.Message);
    }

    [Fact]
    public void A_shape_mismatch_names_file_and_tensor()
    {
        var dir = TinyModels.SaveRandom("llama", 1);
        var cfg = Path.Combine(dir, "config.json");
        var json = JsonSerializer.Deserialize<Dictionary<string, object?>>(File.ReadAllText(cfg))!;
        json["intermediate_size"] = 50;
        File.WriteAllText(cfg, JsonSerializer.Serialize(json));
        var e = Assert.Throws<ModelLoadException>(() => TorchLanguageModel.Load(dir));
        Assert.Contains("model.layers.0.mlp.gate_proj.weight", e.Message);
        Assert.Contains("model.safetensors", e.Message);
        Assert.Equal("model.layers.0.mlp.gate_proj.weight", e.Tensor);
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        var dir = TinyModels.SaveRandom("qwen2", 1);
        var cfg = Path.Combine(dir, "config.json");
        var json = JsonSerializer.Deserialize<Dictionary<string, object?>>(File.ReadAllText(cfg))!;
        json["num_hidden_layers"] = 3;
        File.WriteAllText(cfg, JsonSerializer.Serialize(json));
        var e = Assert.Throws<ModelLoadException>(() => TorchLanguageModel.Load(dir));
        Assert.Contains("model.layers.2.", e.Message);
    }

    [Fact]
    public void An_unknown_architecture_is_named()
    {
        var dir = TinyModels.SaveRandom("llama", 1);
        var cfg = Path.Combine(dir, "config.json");
        File.WriteAllText(cfg, File.ReadAllText(cfg).Replace("\"llama\"", "\"mamba\""));
        var e = Assert.Throws<ModelLoadException>(() => TorchLanguageModel.Load(dir));
        Assert.Contains("mamba", e.Message);
        Assert.Contains("config.json", e.Message);
    }

    [Fact]
    public void Sharded_checkpoints_load_through_the_index()
    {
        var dir = TinyModels.SaveRandom("llama", 21);
        var single = Path.Combine(dir, "model.safetensors");
        var headers = SafeTensors.ReadHeader(single);
        var names = headers.Select(h => h.Name).Order(StringComparer.Ordinal).ToList();
        var first = names.Take(names.Count / 2).ToHashSet();
        var map = new Dictionary<string, string>();
        foreach (var (shard, part) in new[] { ("model-00001-of-00002.safetensors", names.Where(first.Contains)), ("model-00002-of-00002.safetensors", names.Where(n => !first.Contains(n))) })
        {
            var tensors = part.ToDictionary(n => n, n => SafeTensors.Read(headers.First(h => h.Name == n)));
            SafeTensors.Write(Path.Combine(dir, shard), tensors);
            foreach (var n in part) map[n] = shard;
        }
        var reference = TorchLanguageModel.Load(dir);
        using var refSeq = reference.CreateSequence([1, 2]);
        var expected = new float[TinyModels.Vocab];
        reference.Score([refSeq]).CopyLogProbs(0, expected);
        File.Delete(single);
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), JsonSerializer.Serialize(new { metadata = new { }, weight_map = map }));
        using var sharded = TorchLanguageModel.Load(dir);
        using var seq = sharded.CreateSequence([1, 2]);
        var actual = new float[TinyModels.Vocab];
        sharded.Score([seq]).CopyLogProbs(0, actual);
        Assert.Equal(expected, actual);
        File.Delete(Path.Combine(dir, "model-00002-of-00002.safetensors"));
        var e = Assert.Throws<ModelLoadException>(() => TorchLanguageModel.Load(dir));
        Assert.Contains("model-00002-of-00002.safetensors", e.Message);
    }
}
