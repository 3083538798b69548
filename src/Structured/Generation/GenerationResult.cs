using Structured.Sampling;

namespace Structured;

/// <summary>Why generation stopped.</summary>
public enum FinishReason
{
    /// <summary>The model ended the text (end-of-sequence), in an accepting state of the constraint.</summary>
    Stop,

    /// <summary>The token limit was reached first: the text is a prefix, not a complete sentence.</summary>
    Length,
}

/// <summary>The outcome of one generation, with the value read from the text.</summary>
/// <typeparam name="T">The value's type: a deserialized object, a <see cref="System.Text.Json.JsonElement"/>, or the text itself.</typeparam>
public sealed class GenerationResult<T>
{
    internal GenerationResult(T value, GenerationOutput output)
    {
        Value = value;
        Text = output.Text;
        PromptTokens = output.PromptTokens;
        CompletionTokens = output.CompletionTokens;
        FinishReason = output.FinishReason;
        LogWeight = output.LogWeight;
        Posterior = output.Smc?.Posterior;
        LogMarginalLikelihood = output.Smc?.LogMarginalLikelihood;
        Smc = output.Smc;
        Warnings = output.Warnings;
        Elapsed = output.Elapsed;
    }

    /// <summary>The value.</summary>
    public T Value { get; }

    /// <summary>The generated text, exactly as the model wrote it.</summary>
    public string Text { get; }

    /// <summary>Tokens in the prompt.</summary>
    public int PromptTokens { get; }

    /// <summary>Tokens generated (end-of-sequence excluded).</summary>
    public int CompletionTokens { get; }

    /// <summary>Why it stopped.</summary>
    public FinishReason FinishReason { get; }

    /// <summary>
    /// The text's log importance weight toward the model's distribution under the constraint (LCD: the log of the
    /// masses the masks allowed; AWRS: its unbiased estimate; SMC: the chosen particle's weight).
    /// </summary>
    public double LogWeight { get; }

    /// <summary>SMC: the texts of the final particles with their normalised weights, most probable first; null for other samplers.</summary>
    public IReadOnlyList<PosteriorEntry>? Posterior { get; }

    /// <summary>SMC: the log of the estimated probability that the model's text satisfies the constraint (times the critic); null for other samplers.</summary>
    public double? LogMarginalLikelihood { get; }

    /// <summary>SMC: the whole run (particles, ESS history, resamplings); null for other samplers.</summary>
    public SmcResult? Smc { get; }

    /// <summary>Schema keywords dropped in lenient mode.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Wall-clock time of the generation, compilation excluded.</summary>
    public TimeSpan Elapsed { get; }
}

/// <summary>What a generation produced, before the text is read as a value.</summary>
internal sealed record GenerationOutput(string Text, int PromptTokens, int CompletionTokens, FinishReason FinishReason, double LogWeight,
    SmcResult? Smc, IReadOnlyList<string> Warnings, TimeSpan Elapsed);
