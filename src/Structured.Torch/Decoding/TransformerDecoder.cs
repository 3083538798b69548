using Structured.Torch.Loading;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Structured.Torch.Decoding;

/// <summary>
/// The decoder forward pass for both families, written as functions of the weight tensors (no module tree, so the
/// Hugging Face names are the only names). One call reads new tokens for a batch of sequences against their cached
/// keys and values; rows may have different cache and input lengths, which the attention mask accounts for.
/// </summary>
public sealed class TransformerDecoder
{
    private readonly ModelWeights _w;
    private readonly Tensor? _invFreq;

    /// <summary>Creates the decoder over loaded weights.</summary>
    public TransformerDecoder(ModelConfig config, ModelWeights weights, Device device)
    {
        Config = config;
        _w = weights;
        Device = device;
        if (config.Family == DecoderFamily.Llama) _invFreq = tensor(InverseFrequencies(config), device: device).DetachFromDisposeScope();
    }

    /// <summary>The model's config.</summary>
    public ModelConfig Config { get; }

    /// <summary>Where the weights live.</summary>
    public Device Device { get; }

    /// <summary>
    /// Reads <paramref name="tokens"/> <c>[N, T]</c> at <paramref name="positions"/> <c>[N, T]</c>, attending to the past
    /// keys/values <c>[N, KVH, P, hd]</c> per layer (or none) under <paramref name="mask"/> <c>[N, 1, T, P + T]</c>
    /// (true = may attend). Returns the final-normed hidden states <c>[N, T, d]</c> and every layer's keys and values
    /// including the new positions.
    /// </summary>
    public (Tensor Hidden, Tensor[] Keys, Tensor[] Values) Forward(Tensor tokens, Tensor positions, Tensor[]? pastKeys, Tensor[]? pastValues, Tensor mask)
    {
        var c = Config;
        long n = tokens.shape[0], t = tokens.shape[1];
        var keys = new Tensor[c.Layers];
        var values = new Tensor[c.Layers];
        Tensor x = Embed(tokens);
        Tensor? cos = null, sin = null;
        if (c.Family == DecoderFamily.Gpt2) x = x + Lookup(positions, _w["wpe.weight"]);
        else (cos, sin) = Rotary(positions, x.dtype);
        int groups = c.Heads / c.KeyValueHeads;
        for (int i = 0; i < c.Layers; i++)
        {
            Tensor q, k, v;
            if (c.Family == DecoderFamily.Gpt2)
            {
                string p = $"h.{i}.";
                var h = F.layer_norm(x, [c.HiddenSize], _w[p + "ln_1.weight"], _w[p + "ln_1.bias"], c.NormEpsilon);
                var qkv = h.matmul(_w[p + "attn.c_attn.weight"]) + _w[p + "attn.c_attn.bias"];
                var parts = qkv.split(c.HiddenSize, dim: -1);
                q = Heads(parts[0], n, t, c.Heads); k = Heads(parts[1], n, t, c.KeyValueHeads); v = Heads(parts[2], n, t, c.KeyValueHeads);
            }
            else
            {
                string p = $"model.layers.{i}.";
                var h = RmsNorm(x, _w[p + "input_layernorm.weight"]);
                q = Heads(Linear(h, p + "self_attn.q_proj"), n, t, c.Heads);
                k = Heads(Linear(h, p + "self_attn.k_proj"), n, t, c.KeyValueHeads);
                v = Heads(Linear(h, p + "self_attn.v_proj"), n, t, c.KeyValueHeads);
                q = q * cos! + RotateHalf(q) * sin!;
                k = k * cos! + RotateHalf(k) * sin!;
            }
            if (pastKeys is not null) { k = cat([pastKeys[i], k], 2); v = cat([pastValues![i], v], 2); }
            keys[i] = k; values[i] = v;
            var kk = groups > 1 ? k.repeat_interleave(groups, dim: 1) : k;
            var vv = groups > 1 ? v.repeat_interleave(groups, dim: 1) : v;
            var attn = F.scaled_dot_product_attention(q, kk, vv, attn_mask: mask, p: 0, is_casual: false);
            var merged = attn.transpose(1, 2).reshape(n, t, c.Heads * c.HeadDim);
            if (c.Family == DecoderFamily.Gpt2)
            {
                string p = $"h.{i}.";
                x = x + merged.matmul(_w[p + "attn.c_proj.weight"]) + _w[p + "attn.c_proj.bias"];
                var h = F.layer_norm(x, [c.HiddenSize], _w[p + "ln_2.weight"], _w[p + "ln_2.bias"], c.NormEpsilon);
                var up = h.matmul(_w[p + "mlp.c_fc.weight"]) + _w[p + "mlp.c_fc.bias"];
                x = x + GeluTanh(up).matmul(_w[p + "mlp.c_proj.weight"]) + _w[p + "mlp.c_proj.bias"];
            }
            else
            {
                string p = $"model.layers.{i}.";
                x = x + Linear(merged, p + "self_attn.o_proj");
                var h = RmsNorm(x, _w[p + "post_attention_layernorm.weight"]);
                x = x + Linear(F.silu(Linear(h, p + "mlp.gate_proj")) * Linear(h, p + "mlp.up_proj"), p + "mlp.down_proj");
            }
        }
        x = c.Family == DecoderFamily.Gpt2 ? F.layer_norm(x, [c.HiddenSize], _w["ln_f.weight"], _w["ln_f.bias"], c.NormEpsilon) : RmsNorm(x, _w["model.norm.weight"]);
        return (x, keys, values);
    }

    /// <summary>Output logits <c>[…, V]</c> for hidden states <c>[…, d]</c>, as float32.</summary>
    public Tensor Logits(Tensor hidden)
    {
        var c = Config;
        Tensor logits;
        if (c.Family == DecoderFamily.Gpt2) logits = hidden.matmul(_w["wte.weight"].t());
        else if (c.EmbeddingRank > 0) logits = hidden.matmul(_w["model.embed_tokens.up"].t()).matmul(_w["model.embed_tokens.low"].t());
        else logits = hidden.matmul((_w.Has("lm_head.weight") ? _w["lm_head.weight"] : _w["model.embed_tokens.weight"]).t());
        if (c.OutputBias) logits = logits + _w["lm_head.bias"];
        return logits.to(ScalarType.Float32);
    }

    private Tensor Embed(Tensor tokens)
    {
        var c = Config;
        if (c.Family == DecoderFamily.Gpt2) return Lookup(tokens, _w["wte.weight"]);
        if (c.EmbeddingRank > 0) return Lookup(tokens, _w["model.embed_tokens.low"]).matmul(_w["model.embed_tokens.up"]);
        return Lookup(tokens, _w["model.embed_tokens.weight"]);
    }

    private static Tensor Lookup(Tensor ids, Tensor table)
    {
        var shape = ids.shape.Append(table.shape[1]).ToArray();
        return table.index_select(0, ids.reshape(-1)).reshape(shape);
    }

    private Tensor Linear(Tensor x, string prefix) =>
        F.linear(x, _w[prefix + ".weight"], _w.Has(prefix + ".bias") ? _w[prefix + ".bias"] : null);

    private Tensor RmsNorm(Tensor x, Tensor weight)
    {
        var f = x.to(ScalarType.Float32);
        var normed = f * rsqrt(f.pow(2).mean([-1], keepdim: true) + Config.NormEpsilon);
        return normed.to(x.dtype) * weight;
    }

    private Tensor Heads(Tensor x, long n, long t, int heads) => x.view(n, t, heads, Config.HeadDim).transpose(1, 2);

    private static Tensor RotateHalf(Tensor x)
    {
        var halves = x.chunk(2, -1);
        return cat([-halves[1], halves[0]], -1);
    }

    private static Tensor GeluTanh(Tensor x) => 0.5 * x * (1 + tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x.pow(3))));

    private (Tensor Cos, Tensor Sin) Rotary(Tensor positions, ScalarType dtype)
    {
        var freqs = positions.to(ScalarType.Float32).unsqueeze(-1) * _invFreq!;
        var emb = cat([freqs, freqs], -1).unsqueeze(1);
        return (emb.cos().to(dtype), emb.sin().to(dtype));
    }

    /// <summary>RoPE inverse frequencies, with linear or Llama 3 scaling.</summary>
    public static float[] InverseFrequencies(ModelConfig c)
    {
        int half = c.HeadDim / 2;
        var f = new float[half];
        for (int i = 0; i < half; i++)
        {
            double freq = 1.0 / Math.Pow(c.RopeTheta, 2.0 * i / c.HeadDim);
            if (c.RopeScaling is { Type: "linear" } lin) freq /= lin.Factor;
            else if (c.RopeScaling is { Type: "llama3" } s)
            {
                double lowWave = s.OriginalMaxPositions / s.LowFrequencyFactor, highWave = s.OriginalMaxPositions / s.HighFrequencyFactor;
                double wave = 2 * Math.PI / freq;
                if (wave > lowWave) freq /= s.Factor;
                else if (wave >= highWave)
                {
                    double smooth = (s.OriginalMaxPositions / wave - s.LowFrequencyFactor) / (s.HighFrequencyFactor - s.LowFrequencyFactor);
                    freq = (1 - smooth) * freq / s.Factor + smooth * freq;
                }
            }
            f[i] = (float)freq;
        }
        return f;
    }
}
