using Structured.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Structured.Torch.Loading;

/// <summary>
/// A model's tensors under their Hugging Face names, checked against the config's shapes as they are read and moved
/// to the compute device and dtype. Missing tensors and shape mismatches name the file and the tensor.
/// </summary>
public sealed class ModelWeights : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    private ModelWeights() { }

    /// <summary>The tensor under a name (after the GPT-2 <c>transformer.</c> prefix is dropped).</summary>
    public Tensor this[string name] => _tensors[name];

    /// <summary>Whether a tensor is present.</summary>
    public bool Has(string name) => _tensors.ContainsKey(name);

    /// <summary>Every tensor by name.</summary>
    public IReadOnlyDictionary<string, Tensor> All => _tensors;

    /// <summary>The tensors a config requires, with their shapes.</summary>
    public static IEnumerable<(string Name, long[] Shape, bool Optional)> Expected(ModelConfig c)
    {
        long d = c.HiddenSize, v = c.VocabSize, hd = c.HeadDim, q = c.Heads * hd, kv = c.KeyValueHeads * hd, inner = c.IntermediateSize;
        if (c.Family == DecoderFamily.Gpt2)
        {
            yield return ("wte.weight", [v, d], false);
            yield return ("wpe.weight", [c.MaxPositions, d], false);
            for (int i = 0; i < c.Layers; i++)
            {
                string p = $"h.{i}.";
                yield return (p + "ln_1.weight", [d], false); yield return (p + "ln_1.bias", [d], false);
                yield return (p + "attn.c_attn.weight", [d, 3 * d], false); yield return (p + "attn.c_attn.bias", [3 * d], false);
                yield return (p + "attn.c_proj.weight", [d, d], false); yield return (p + "attn.c_proj.bias", [d], false);
                yield return (p + "ln_2.weight", [d], false); yield return (p + "ln_2.bias", [d], false);
                yield return (p + "mlp.c_fc.weight", [d, inner], false); yield return (p + "mlp.c_fc.bias", [inner], false);
                yield return (p + "mlp.c_proj.weight", [inner, d], false); yield return (p + "mlp.c_proj.bias", [d], false);
            }
            yield return ("ln_f.weight", [d], false); yield return ("ln_f.bias", [d], false);
            yield break;
        }
        if (c.EmbeddingRank > 0)
        {
            yield return ("model.embed_tokens.low", [v, c.EmbeddingRank], false);
            yield return ("model.embed_tokens.up", [c.EmbeddingRank, d], false);
        }
        else yield return ("model.embed_tokens.weight", [v, d], false);
        for (int i = 0; i < c.Layers; i++)
        {
            string p = $"model.layers.{i}.";
            yield return (p + "self_attn.q_proj.weight", [q, d], false);
            yield return (p + "self_attn.k_proj.weight", [kv, d], false);
            yield return (p + "self_attn.v_proj.weight", [kv, d], false);
            if (c.AttentionBias)
            {
                yield return (p + "self_attn.q_proj.bias", [q], false);
                yield return (p + "self_attn.k_proj.bias", [kv], false);
                yield return (p + "self_attn.v_proj.bias", [kv], false);
            }
            yield return (p + "self_attn.o_proj.weight", [d, q], false);
            yield return (p + "mlp.gate_proj.weight", [inner, d], false);
            yield return (p + "mlp.up_proj.weight", [inner, d], false);
            yield return (p + "mlp.down_proj.weight", [d, inner], false);
            yield return (p + "input_layernorm.weight", [d], false);
            yield return (p + "post_attention_layernorm.weight", [d], false);
        }
        yield return ("model.norm.weight", [d], false);
        if (c.EmbeddingRank == 0) yield return ("lm_head.weight", [v, d], c.TieWordEmbeddings);
        if (c.OutputBias) yield return ("lm_head.bias", [v], false);
    }

    /// <summary>Loads a folder's tensors for a config, converted to <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public static ModelWeights Load(string directory, ModelConfig config, Device device, ScalarType dtype)
    {
        var headers = SafeTensors.ReadFolderHeaders(directory);
        var byName = new Dictionary<string, SafeTensors.Entry>(StringComparer.Ordinal);
        foreach (var (name, e) in headers)
            byName[config.Family == DecoderFamily.Gpt2 && name.StartsWith("transformer.", StringComparison.Ordinal) ? name["transformer.".Length..] : name] = e;
        var w = new ModelWeights();
        try
        {
            foreach (var (name, shape, optional) in Expected(config))
            {
                if (!byName.TryGetValue(name, out var entry))
                {
                    if (optional) continue;
                    throw new ModelLoadException($"{directory}: tensor {name} is missing (model_type {config.ModelType} needs it)", directory, name);
                }
                if (!entry.Shape.SequenceEqual(shape))
                    throw new ModelLoadException($"{entry.File}: tensor {name} has shape [{string.Join(", ", entry.Shape)}], config.json implies [{string.Join(", ", shape)}]", entry.File, name);
                using var raw = SafeTensors.Read(entry);
                w._tensors[name] = raw.to(dtype).to(device).DetachFromDisposeScope();
            }
        }
        catch
        {
            w.Dispose();
            throw;
        }
        return w;
    }

    /// <summary>Random weights for a config (tests, and the start of training), with small normal values and unit norms.</summary>
    public static ModelWeights Random(ModelConfig config, long seed, double scale = 0.08)
    {
        using var gen = new Generator((ulong)seed);
        var w = new ModelWeights();
        foreach (var (name, shape, optional) in Expected(config))
        {
            if (optional) continue;
            bool isNormWeight = name.EndsWith("norm.weight", StringComparison.Ordinal) || name.Contains("ln_", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal);
            var t = isNormWeight ? ones(shape) + randn(shape, generator: gen) * 0.1 : randn(shape, generator: gen) * scale;
            w._tensors[name] = t.DetachFromDisposeScope();
        }
        return w;
    }

    /// <summary>Writes the tensors as a <c>model.safetensors</c> with the config beside it.</summary>
    public void Save(string directory, ModelConfig config, ScalarType? dtype = null)
    {
        Directory.CreateDirectory(directory);
        var tensors = _tensors.ToDictionary(p => config.Family == DecoderFamily.Gpt2 ? "transformer." + p.Key : p.Key, p => dtype is { } t ? p.Value.to(t) : p.Value);
        SafeTensors.Write(Path.Combine(directory, "model.safetensors"), tensors);
        File.WriteAllText(Path.Combine(directory, "config.json"), System.Text.Json.JsonSerializer.Serialize(config.ToJson()));
    }

    /// <summary>Wraps tensors that already have the expected names (training).</summary>
    public static ModelWeights FromTensors(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var w = new ModelWeights();
        foreach (var (k, t) in tensors) w._tensors[k] = t;
        return w;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }
}
