using System.Text;
using System.Text.Json;
using Structured.Torch.Loading;

namespace Structured.Torch.Tests;

/// <summary>Tiny configs of each architecture and a byte-level tokenizer.json to go with them.</summary>
internal static class TinyModels
{
    public const int Vocab = 262; // 256 bytes, 5 merges, <|endoftext|>

    public static ModelConfig Config(string kind) => kind switch
    {
        "llama" => Llama("llama"),
        "llama3" => Llama("llama") with { RopeScaling = new RopeScaling("llama3", 8, 1, 4, 16), RopeTheta = 500000 },
        "mistral" => Llama("mistral") with { KeyValueHeads = 1 },
        "qwen2" => Llama("qwen2") with { AttentionBias = true, TieWordEmbeddings = true },
        "factorised" => Llama("structured-tiny") with { EmbeddingRank = 8, OutputBias = true, TieWordEmbeddings = true },
        "gpt2" => new ModelConfig
        {
            ModelType = "gpt2", Family = DecoderFamily.Gpt2, VocabSize = Vocab, HiddenSize = 32, Layers = 2, Heads = 4, KeyValueHeads = 4,
            HeadDim = 8, IntermediateSize = 64, MaxPositions = 64, TieWordEmbeddings = true,
        },
        _ => throw new ArgumentException(kind),
    };

    public static readonly string[] Kinds = ["llama", "llama3", "mistral", "qwen2", "factorised", "gpt2"];

    private static ModelConfig Llama(string type) => new()
    {
        ModelType = type, Family = DecoderFamily.Llama, VocabSize = Vocab, HiddenSize = 32, Layers = 2, Heads = 4, KeyValueHeads = 2,
        HeadDim = 8, IntermediateSize = 48, NormEpsilon = 1e-5, MaxPositions = 64,
    };

    /// <summary>A byte-level BPE tokenizer.json with a few merges, as GPT-2-style models ship it.</summary>
    public static string ByteLevelTokenizerJson()
    {
        var alphabet = ByteAlphabet();
        var vocab = new Dictionary<string, int>();
        for (int b = 0; b < 256; b++) vocab[alphabet[b]] = b;
        string sp = alphabet[' '];
        var merges = new[] { ("t", "h"), ("th", "e"), (sp, "the"), ("{", "\""), ("\"", ":") };
        int id = 256;
        foreach (var (a, b) in merges) vocab[a + b] = id++;
        var doc = new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["added_tokens"] = new[] { new { id = 261, content = "<|endoftext|>", special = true } },
            ["normalizer"] = null,
            ["pre_tokenizer"] = new { type = "ByteLevel", add_prefix_space = false, trim_offsets = true, use_regex = true },
            ["post_processor"] = null,
            ["decoder"] = new { type = "ByteLevel" },
            ["model"] = new { type = "BPE", vocab, merges = merges.Select(m => $"{m.Item1} {m.Item2}").ToArray() },
        };
        return JsonSerializer.Serialize(doc);
    }

    /// <summary>A Llama-2-style tokenizer.json: Metaspace (▁ for space, a prefix space) with byte fallback.</summary>
    public static string MetaspaceTokenizerJson()
    {
        var vocab = new Dictionary<string, int> { ["<unk>"] = 0, ["<s>"] = 1, ["</s>"] = 2 };
        for (int b = 0; b < 256; b++) vocab[$"<0x{b:X2}>"] = 3 + b;
        int id = 259;
        foreach (var piece in new[] { "▁", "h", "e", "l", "o", "w", "r", "d", "▁h", "▁he", "ll", "▁hell", "▁hello", "▁w", "or", "▁wor", "ld", "▁world" })
            vocab[piece] = id++;
        var merges = new[] { "▁ h", "▁h e", "l l", "▁he ll", "▁hell o", "▁ w", "o r", "▁w or", "l d", "▁wor ld" };
        var doc = new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["added_tokens"] = new object[] { new { id = 0, content = "<unk>", special = true }, new { id = 1, content = "<s>", special = true }, new { id = 2, content = "</s>", special = true } },
            ["normalizer"] = new { type = "Sequence", normalizers = new object[] { new { type = "Prepend", prepend = "▁" }, new { type = "Replace", pattern = new { String = " " }, content = "▁" } } },
            ["pre_tokenizer"] = null,
            ["post_processor"] = new { type = "TemplateProcessing", single = new object[] { new { SpecialToken = new { id = "<s>", type_id = 0 } }, new { Sequence = new { id = "A", type_id = 0 } } } },
            ["decoder"] = new { type = "Sequence", decoders = new object[] { new { type = "Replace", pattern = new { String = "▁" }, content = " " }, new { type = "ByteFallback" } } },
            ["model"] = new { type = "BPE", vocab, merges, byte_fallback = true, unk_token = "<unk>" },
        };
        return JsonSerializer.Serialize(doc);
    }

    private static Dictionary<int, string> ByteAlphabet()
    {
        var map = new Dictionary<int, string>();
        int extra = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= 33 and <= 126 or >= 161 and <= 172 or >= 174 and <= 255;
            map[b] = ((char)(printable ? b : 256 + extra++)).ToString();
        }
        return map;
    }

    /// <summary>Saves random weights of a kind with the byte-level tokenizer into a fresh folder.</summary>
    public static string SaveRandom(string kind, long seed, TorchSharp.torch.ScalarType? dtype = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "structured-tiny-" + kind + "-" + Guid.NewGuid().ToString("N")[..8]);
        var config = Config(kind);
        using var w = ModelWeights.Random(config, seed);
        w.Save(dir, config, dtype);
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), ByteLevelTokenizerJson(), Encoding.UTF8);
        return dir;
    }
}
