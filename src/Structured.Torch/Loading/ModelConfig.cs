using System.Text.Json;
using Structured.Models;

namespace Structured.Torch.Loading;

/// <summary>The decoder families the runtime runs.</summary>
public enum DecoderFamily
{
    /// <summary>Llama 2/3/3.x, Mistral, Qwen2/2.5 and the embedded default model: RMSNorm, RoPE, grouped-query attention, SwiGLU.</summary>
    Llama,

    /// <summary>GPT-2: LayerNorm, learned positions, fused Conv1D attention, GELU.</summary>
    Gpt2,
}

/// <summary>The parts of a Hugging Face <c>config.json</c> that shape the decoder.</summary>
public sealed record ModelConfig
{
    /// <summary>The <c>model_type</c> as written.</summary>
    public required string ModelType { get; init; }
    /// <summary>The decoder family that runs it.</summary>
    public required DecoderFamily Family { get; init; }
    /// <summary>Rows of the embedding and of the output.</summary>
    public required int VocabSize { get; init; }
    /// <summary>Model width.</summary>
    public required int HiddenSize { get; init; }
    /// <summary>Decoder layers.</summary>
    public required int Layers { get; init; }
    /// <summary>Query heads.</summary>
    public required int Heads { get; init; }
    /// <summary>Key/value heads (fewer than <see cref="Heads"/> for grouped-query attention).</summary>
    public required int KeyValueHeads { get; init; }
    /// <summary>Width of one head.</summary>
    public required int HeadDim { get; init; }
    /// <summary>Width of the MLP.</summary>
    public required int IntermediateSize { get; init; }
    /// <summary>Normalisation epsilon.</summary>
    public double NormEpsilon { get; init; } = 1e-5;
    /// <summary>RoPE base.</summary>
    public double RopeTheta { get; init; } = 10000;
    /// <summary>RoPE scaling: null, or <c>linear</c> / <c>llama3</c> with their parameters.</summary>
    public RopeScaling? RopeScaling { get; init; }
    /// <summary>Longest context (learned positions for GPT-2).</summary>
    public int MaxPositions { get; init; } = 2048;
    /// <summary>Whether the output projection is the embedding.</summary>
    public bool TieWordEmbeddings { get; init; }
    /// <summary>Qwen2's biases on the query, key and value projections.</summary>
    public bool AttentionBias { get; init; }
    /// <summary>A factorised embedding <c>[V, r] × [r, d]</c> (the embedded default model keeps a 100k vocabulary small this way); 0 for a full embedding.</summary>
    public int EmbeddingRank { get; init; }
    /// <summary>A bias on the output logits.</summary>
    public bool OutputBias { get; init; }
    /// <summary>The beginning-of-sequence id, if the config names one.</summary>
    public int? BosTokenId { get; init; }

    /// <summary>Reads <c>config.json</c>; an unknown architecture or a missing field names the file and the field.</summary>
    public static ModelConfig Load(string file)
    {
        if (!File.Exists(file)) throw new ModelLoadException($"{file}: missing (a model folder needs config.json)", file);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(file)); }
        catch (JsonException e) { throw new ModelLoadException($"{file}: not valid JSON ({e.Message})", file); }
        using (doc) return Parse(doc.RootElement, file);
    }

    /// <summary>Reads a config from its JSON.</summary>
    public static ModelConfig Parse(JsonElement c, string file = "config.json")
    {
        string type = Str(c, "model_type") ?? throw new ModelLoadException($"{file}: no \"model_type\"", file);
        int Req(string key) => Int(c, key) ?? throw new ModelLoadException($"{file}: \"{key}\" is missing (model_type {type})", file);
        switch (type)
        {
            case "llama" or "mistral" or "qwen2" or "structured-tiny":
                {
                    int hidden = Req("hidden_size"), heads = Req("num_attention_heads");
                    return new ModelConfig
                    {
                        ModelType = type,
                        Family = DecoderFamily.Llama,
                        VocabSize = Req("vocab_size"),
                        HiddenSize = hidden,
                        Layers = Req("num_hidden_layers"),
                        Heads = heads,
                        KeyValueHeads = Int(c, "num_key_value_heads") ?? heads,
                        HeadDim = Int(c, "head_dim") ?? hidden / heads,
                        IntermediateSize = Req("intermediate_size"),
                        NormEpsilon = Dbl(c, "rms_norm_eps") ?? 1e-6,
                        RopeTheta = Dbl(c, "rope_theta") ?? 10000,
                        RopeScaling = Scaling(c, file),
                        MaxPositions = Int(c, "max_position_embeddings") ?? 2048,
                        TieWordEmbeddings = Bool(c, "tie_word_embeddings") ?? false,
                        AttentionBias = type == "qwen2" || (Bool(c, "attention_bias") ?? false),
                        EmbeddingRank = Int(c, "embedding_rank") ?? 0,
                        OutputBias = Bool(c, "output_bias") ?? false,
                        BosTokenId = Int(c, "bos_token_id"),
                    };
                }
            case "gpt2":
                {
                    int hidden = Req("n_embd"), heads = Req("n_head");
                    return new ModelConfig
                    {
                        ModelType = type,
                        Family = DecoderFamily.Gpt2,
                        VocabSize = Req("vocab_size"),
                        HiddenSize = hidden,
                        Layers = Req("n_layer"),
                        Heads = heads,
                        KeyValueHeads = heads,
                        HeadDim = hidden / heads,
                        IntermediateSize = Int(c, "n_inner") ?? 4 * hidden,
                        NormEpsilon = Dbl(c, "layer_norm_epsilon") ?? 1e-5,
                        MaxPositions = Int(c, "n_positions") ?? 1024,
                        TieWordEmbeddings = true,
                        BosTokenId = Int(c, "bos_token_id"),
                    };
                }
            default:
                throw new ModelLoadException($"{file}: model_type \"{type}\" is not supported (llama, mistral, qwen2, gpt2)", file);
        }
    }

    /// <summary>Writes the config as Hugging Face's field names.</summary>
    public Dictionary<string, object?> ToJson() => Family == DecoderFamily.Gpt2
        ? new() { ["model_type"] = ModelType, ["vocab_size"] = VocabSize, ["n_embd"] = HiddenSize, ["n_layer"] = Layers, ["n_head"] = Heads, ["n_inner"] = IntermediateSize, ["layer_norm_epsilon"] = NormEpsilon, ["n_positions"] = MaxPositions, ["bos_token_id"] = BosTokenId }
        : new()
        {
            ["model_type"] = ModelType, ["vocab_size"] = VocabSize, ["hidden_size"] = HiddenSize, ["num_hidden_layers"] = Layers,
            ["num_attention_heads"] = Heads, ["num_key_value_heads"] = KeyValueHeads, ["head_dim"] = HeadDim, ["intermediate_size"] = IntermediateSize,
            ["rms_norm_eps"] = NormEpsilon, ["rope_theta"] = RopeTheta, ["max_position_embeddings"] = MaxPositions,
            ["tie_word_embeddings"] = TieWordEmbeddings, ["attention_bias"] = AttentionBias, ["embedding_rank"] = EmbeddingRank,
            ["output_bias"] = OutputBias, ["bos_token_id"] = BosTokenId,
            ["rope_scaling"] = RopeScaling is null ? null : new Dictionary<string, object> { ["rope_type"] = RopeScaling.Type, ["factor"] = RopeScaling.Factor, ["low_freq_factor"] = RopeScaling.LowFrequencyFactor, ["high_freq_factor"] = RopeScaling.HighFrequencyFactor, ["original_max_position_embeddings"] = RopeScaling.OriginalMaxPositions },
        };

    private static RopeScaling? Scaling(JsonElement c, string file)
    {
        if (!c.TryGetProperty("rope_scaling", out var s) || s.ValueKind != JsonValueKind.Object) return null;
        string kind = Str(s, "rope_type") ?? Str(s, "type") ?? "default";
        return kind switch
        {
            "default" => null,
            "linear" or "llama3" => new RopeScaling(kind, Dbl(s, "factor") ?? 1, Dbl(s, "low_freq_factor") ?? 1, Dbl(s, "high_freq_factor") ?? 4,
                Int(s, "original_max_position_embeddings") ?? 8192),
            _ => throw new ModelLoadException($"{file}: rope_scaling type \"{kind}\" is not supported (linear, llama3)", file),
        };
    }

    private static string? Str(JsonElement e, string k) => e.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    private static int? Int(JsonElement e, string k) => e.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : null;
    private static double? Dbl(JsonElement e, string k) => e.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
    private static bool? Bool(JsonElement e, string k) => e.TryGetProperty(k, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
}

/// <summary>RoPE frequency scaling: <c>linear</c> divides positions by the factor; <c>llama3</c> rescales low frequencies smoothly.</summary>
public sealed record RopeScaling(string Type, double Factor, double LowFrequencyFactor, double HighFrequencyFactor, int OriginalMaxPositions);
