using System.IO.Compression;
using System.Security.Cryptography;
using Structured.Models;
using Structured.Tokens;
using Structured.Torch.Loading;

namespace Structured.Torch;

/// <summary>
/// The small model embedded in this assembly, so that generation works with no download: a 4-layer Llama-style
/// decoder (width 128, grouped-query attention) over tiktoken <c>cl100k_base</c> with a rank-32 factorised
/// embedding, trained by <c>tools/TrainDefaultModel</c> on generated JSON, SQL and English. It is not clever; it
/// writes plausible JSON and SQL often enough that the value of a constraint shows.
/// </summary>
public static class DefaultModel
{
    private const string Prefix = "Structured.Torch.DefaultModel.";

    /// <summary>The name reported in results.</summary>
    public const string Name = "structured-tiny (default)";

    /// <summary>Loads the embedded model (its files are unpacked once into the user's cache folder).</summary>
    public static TorchLanguageModel Load(TorchModelOptions? options = null)
    {
        string dir = Unpack();
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        return TorchLanguageModel.Create(Name, dir, config, TokenVocabulary.Tiktoken("cl100k_base"), TextEncoder.Tiktoken("cl100k_base"), options);
    }

    private static string Unpack()
    {
        var asm = typeof(DefaultModel).Assembly;
        using var config = asm.GetManifestResourceStream(Prefix + "config.json") ?? throw new ModelLoadException("the embedded default model is missing from Structured.Torch");
        using var packed = asm.GetManifestResourceStream(Prefix + "model.safetensors.gz") ?? throw new ModelLoadException("the embedded default model is missing from Structured.Torch");
        var configBytes = new byte[config.Length];
        config.ReadExactly(configBytes);
        string hash = Convert.ToHexStringLower(SHA256.HashData(configBytes))[..12] + "-" + packed.Length;
        string dir = CacheFolder.For("default-model-" + hash);
        string weights = Path.Combine(dir, "model.safetensors");
        if (File.Exists(weights) && File.Exists(Path.Combine(dir, "config.json"))) return dir;
        Directory.CreateDirectory(dir);
        string temp = weights + "." + Environment.ProcessId + ".tmp";
        using (var gz = new GZipStream(packed, CompressionMode.Decompress))
        using (var file = File.Create(temp))
            gz.CopyTo(file);
        File.WriteAllBytes(Path.Combine(dir, "config.json"), configBytes);
        File.Move(temp, weights, overwrite: true);
        return dir;
    }
}
