using Structured.Models;
using Structured.Torch;

namespace Structured.Cli;

/// <summary>Opens the model a <c>--model</c> value names: <c>default</c>, a Hugging Face folder, or <c>bigram:FILE</c>.</summary>
internal static class ModelOption
{
    /// <summary>Loads the model; on failure writes the reason (file and tensor) to stderr and returns null.</summary>
    public static ILanguageModel? Open(string spec)
    {
        try
        {
            if (spec == "default") return DefaultModel.Load();
            if (spec.StartsWith("bigram:", StringComparison.Ordinal)) return BigramModel.Load(spec["bigram:".Length..]);
            return TorchLanguageModel.Load(spec);
        }
        catch (ModelLoadException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return null;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"error: cannot read the model {spec}: {e.Message}");
            return null;
        }
    }
}
