using System.Text.Json;
using Microsoft.Extensions.AI;
using Structured.Models;

namespace Structured;

/// <summary>
/// The typed generation API over any <see cref="ILanguageModel"/>: <c>model.GenerateAsync&lt;Person&gt;(prompt)</c>
/// returns a <c>Person</c> that the model wrote under the schema of <c>Person</c>. JSON and typed results need a
/// complete text (<see cref="IncompleteGenerationException"/> otherwise); text results may end at the token limit,
/// which <see cref="GenerationResult{T}.FinishReason"/> tells.
/// </summary>
public static class LanguageModelGeneration
{
    /// <summary>Generates a <typeparamref name="T"/>: the text is constrained to the JSON Schema of <typeparamref name="T"/> and deserialized.</summary>
    public static async Task<GenerationResult<T>> GenerateAsync<T>(this ILanguageModel model, string prompt, GenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var stream = GenerateStreamingAsync<T>(model, prompt, options, cancellationToken);
        return await DrainAsync(stream).ConfigureAwait(false);
    }

    /// <summary>The synchronous form of <see cref="GenerateAsync{T}"/>.</summary>
    public static GenerationResult<T> Generate<T>(this ILanguageModel model, string prompt, GenerationOptions? options = null) =>
        GenerateAsync<T>(model, prompt, options).GetAwaiter().GetResult();

    /// <summary>Streams the text of a <typeparamref name="T"/> as it is written; the typed result follows the enumeration.</summary>
    public static StreamingGeneration<T> GenerateStreamingAsync<T>(this ILanguageModel model, string prompt, GenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= GenerationOptions.Default;
        var constraint = Constraint.For<T>(options.SchemaOptions, options.SerializerOptions);
        var serializer = options.SerializerOptions ?? AIJsonUtilities.DefaultOptions;
        return Stream(model, prompt, constraint, options, output => Deserialize<T>(output, serializer), cancellationToken);
    }

    /// <summary>Generates a JSON document valid under <paramref name="schemaJson"/> (JSON Schema text).</summary>
    public static Task<GenerationResult<JsonElement>> GenerateJsonAsync(this ILanguageModel model, string prompt, string schemaJson, GenerationOptions? options = null,
        CancellationToken cancellationToken = default) =>
        GenerateJsonAsync(model, prompt, Constraint.JsonSchema(schemaJson, (options ?? GenerationOptions.Default).SchemaOptions), options, cancellationToken);

    /// <summary>Generates a JSON document valid under <paramref name="schema"/>.</summary>
    public static Task<GenerationResult<JsonElement>> GenerateJsonAsync(this ILanguageModel model, string prompt, JsonElement schema, GenerationOptions? options = null,
        CancellationToken cancellationToken = default) =>
        GenerateJsonAsync(model, prompt, Constraint.JsonSchema(schema, (options ?? GenerationOptions.Default).SchemaOptions), options, cancellationToken);

    /// <summary>Generates a JSON document under a JSON constraint made already (reuse it to skip compilation).</summary>
    public static async Task<GenerationResult<JsonElement>> GenerateJsonAsync(this ILanguageModel model, string prompt, Constraint constraint, GenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(constraint);
        if (!constraint.IsJson) throw new ArgumentException($"{constraint.Description} is not a JSON constraint; use GenerateTextAsync", nameof(constraint));
        return await DrainAsync(Stream(model, prompt, constraint, options ?? GenerationOptions.Default, ParseJson, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The synchronous form of <see cref="GenerateJsonAsync(ILanguageModel, string, string, GenerationOptions?, CancellationToken)"/>.</summary>
    public static GenerationResult<JsonElement> GenerateJson(this ILanguageModel model, string prompt, string schemaJson, GenerationOptions? options = null) =>
        GenerateJsonAsync(model, prompt, schemaJson, options).GetAwaiter().GetResult();

    /// <summary>Generates text in the language of <paramref name="constraint"/> (a grammar or regex); null generates freely.</summary>
    public static Task<GenerationResult<string>> GenerateTextAsync(this ILanguageModel model, string prompt, Constraint? constraint, GenerationOptions? options = null,
        CancellationToken cancellationToken = default) =>
        DrainAsync(GenerateTextStreamingAsync(model, prompt, constraint, options, cancellationToken));

    /// <summary>The synchronous form of <see cref="GenerateTextAsync"/>.</summary>
    public static GenerationResult<string> GenerateText(this ILanguageModel model, string prompt, Constraint? constraint, GenerationOptions? options = null) =>
        GenerateTextAsync(model, prompt, constraint, options).GetAwaiter().GetResult();

    /// <summary>Streams text in the language of <paramref name="constraint"/> as it is written.</summary>
    public static StreamingGeneration<string> GenerateTextStreamingAsync(this ILanguageModel model, string prompt, Constraint? constraint, GenerationOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Stream(model, prompt, constraint, options ?? GenerationOptions.Default, output => new GenerationResult<string>(output.Text, output), cancellationToken);

    /// <summary>
    /// Fill-in-the-middle: generates the text between <paramref name="prefix"/> and <paramref name="suffix"/> so that
    /// <c>prefix + middle + suffix</c> is a sentence of <paramref name="grammar"/> (a grammar or regex constraint), and
    /// stops only where it is. The model's prompt is <see cref="FillInTheMiddlePrompt.For"/>.
    /// </summary>
    /// <exception cref="EmptyLanguageException">No middle can join the prefix and the suffix.</exception>
    public static Task<GenerationResult<string>> GenerateMiddleAsync(this ILanguageModel model, string prefix, string suffix, Constraint grammar,
        GenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        DrainAsync(GenerateMiddleStreamingAsync(model, prefix, suffix, grammar, options, cancellationToken));

    /// <summary>The synchronous form of <see cref="GenerateMiddleAsync"/>.</summary>
    public static GenerationResult<string> GenerateMiddle(this ILanguageModel model, string prefix, string suffix, Constraint grammar, GenerationOptions? options = null) =>
        GenerateMiddleAsync(model, prefix, suffix, grammar, options).GetAwaiter().GetResult();

    /// <summary>Streams the middle as it is written; see <see cref="GenerateMiddleAsync"/>.</summary>
    public static StreamingGeneration<string> GenerateMiddleStreamingAsync(this ILanguageModel model, string prefix, string suffix, Constraint grammar,
        GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(grammar);
        var middle = Constraint.Middle(grammar, prefix, suffix);
        return Stream(model, FillInTheMiddlePrompt.For(model.Vocabulary, prefix, suffix), middle, options ?? GenerationOptions.Default,
            output => new GenerationResult<string>(output.Text, output), cancellationToken);
    }

    /// <summary>Streams a JSON document under a JSON constraint as it is written.</summary>
    public static StreamingGeneration<JsonElement> GenerateJsonStreamingAsync(this ILanguageModel model, string prompt, Constraint constraint, GenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(constraint);
        return Stream(model, prompt, constraint, options ?? GenerationOptions.Default, ParseJson, cancellationToken);
    }

    private static StreamingGeneration<T> Stream<T>(ILanguageModel model, string prompt, Constraint? constraint, GenerationOptions options,
        Func<GenerationOutput, GenerationResult<T>> finish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompt);
        options.Validate();
        return new StreamingGeneration<T>((outcome, ct) => GenerationRunner.RunAsync(model, prompt, constraint, options, outcome, ct), finish, cancellationToken);
    }

    private static async Task<GenerationResult<T>> DrainAsync<T>(StreamingGeneration<T> stream)
    {
        await foreach (var _ in stream.ConfigureAwait(false)) { }
        return stream.Result;
    }

    private static GenerationResult<T> Deserialize<T>(GenerationOutput output, JsonSerializerOptions serializer)
    {
        RequireComplete(output);
        try
        {
            return new GenerationResult<T>(JsonSerializer.Deserialize<T>(output.Text, serializer)!, output);
        }
        catch (JsonException e)
        {
            throw new GenerationException($"the output does not deserialize to {typeof(T).Name}: {e.Message}", output.Text, e);
        }
    }

    private static GenerationResult<JsonElement> ParseJson(GenerationOutput output)
    {
        RequireComplete(output);
        try
        {
            using var doc = JsonDocument.Parse(output.Text);
            return new GenerationResult<JsonElement>(doc.RootElement.Clone(), output);
        }
        catch (JsonException e)
        {
            throw new GenerationException($"the output is not JSON: {e.Message}", output.Text, e);
        }
    }

    private static void RequireComplete(GenerationOutput output)
    {
        if (output.FinishReason == FinishReason.Length) throw new IncompleteGenerationException(output.Text, output.CompletionTokens);
    }
}
