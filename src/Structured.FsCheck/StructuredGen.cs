using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.AI;
using Structured.Grammars;
using Structured.Models;

namespace Structured.FsCheck;

/// <summary>
/// FsCheck generators for the languages of constraints: strings of a grammar or regex, JSON documents of a schema,
/// and values of .NET types (through their schema). Without a model they expand the grammar (size controls depth);
/// with a model they draw what the model would write under the constraint. Every value is checked by the
/// constraint's parser before it is handed out.
/// </summary>
public static class StructuredGen
{
    /// <summary>Sentences of a constraint, drawn from its grammar without a model.</summary>
    public static Gen<string> Sentences(Constraint constraint, SentenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(constraint);
        var draw = Drawer(constraint, options ?? SentenceOptions.Default);
        return Gen.Sized(size => ArbMap.Default.GeneratorFor<int>().Select(seed => draw(seed, size)));
    }

    /// <summary>Strings that match a regex (the whole string).</summary>
    public static Gen<string> Regex(string pattern, SentenceOptions? options = null) => Sentences(Constraint.Regex(pattern), options);

    /// <summary>Sentences of a GBNF grammar.</summary>
    public static Gen<string> Gbnf(string grammar, SentenceOptions? options = null) => Sentences(Constraint.Gbnf(grammar), options);

    /// <summary>JSON documents valid under a schema (JSON text).</summary>
    public static Gen<JsonElement> Json(string schemaJson, Schemas.JsonSchemaOptions? schemaOptions = null, SentenceOptions? options = null) =>
        Sentences(Constraint.JsonSchema(schemaJson, schemaOptions), options).Select(Parse);

    /// <summary>Values of <typeparamref name="T"/>: JSON documents of its schema, deserialized.</summary>
    public static Gen<T> For<T>(JsonSerializerOptions? serializerOptions = null, SentenceOptions? options = null) =>
        Sentences(Constraint.For<T>(null, serializerOptions), options).Select(text => Deserialize<T>(text, serializerOptions));

    /// <summary>
    /// Sentences a model writes under the constraint after <paramref name="prompt"/>, for realistic values. Each draw is
    /// one seeded generation (deterministic for a given FsCheck seed).
    /// </summary>
    public static Gen<string> FromModel(ILanguageModel model, string prompt, Constraint constraint, GenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(constraint);
        options ??= GenerationOptions.Default;
        return ArbMap.Default.GeneratorFor<int>().Select(seed =>
        {
            var r = model.GenerateText(prompt, constraint, options with { Seed = seed });
            return r.FinishReason == FinishReason.Stop ? r.Value
                : throw new InvalidOperationException($"the model reached the token limit ({options.MaxTokens}) before completing a sentence of the {constraint.Description}; raise MaxTokens");
        });
    }

    /// <summary>Values of <typeparamref name="T"/> as a model writes them.</summary>
    public static Gen<T> FromModel<T>(ILanguageModel model, string prompt, GenerationOptions? options = null)
    {
        options ??= GenerationOptions.Default;
        return FromModel(model, prompt, Constraint.For<T>(options.SchemaOptions, options.SerializerOptions), options)
            .Select(text => Deserialize<T>(text, options.SerializerOptions));
    }

    internal static Func<int, int, string> Drawer(Constraint constraint, SentenceOptions options)
    {
        var sampler = new GrammarSampler(constraint.Grammar.Source) { RuleWeights = options.RuleWeights };
        return (seed, size) =>
        {
            int depth = options.MinDepth + Math.Max(0, size) / Math.Max(1, options.SizePerDepth);
            for (int attempt = 0; attempt < options.MaxAttempts; attempt++)
            {
                // Deterministic per (seed, size, attempt) across processes, so FsCheck's replay reproduces the value
                // (HashCode.Combine is randomised per process).
                var bytes = sampler.Sample(new Random(unchecked((seed * 1_000_003) ^ (size * 7_919) ^ (attempt * 104_729))), depth);
                if (constraint.Grammar.Accepts(bytes) && Utf8(bytes) is { } text) return text;
            }
            throw new InvalidOperationException($"no sentence of the {constraint.Description} was drawn in {options.MaxAttempts} attempts (seed {seed}, size {size}); "
                + "its lexing rules may reject most derivations of its grammar");
        };
    }

    private static string? Utf8(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null; // byte-level grammars may produce invalid UTF-8; a string cannot hold it
        }
    }

    internal static JsonElement Parse(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    internal static T Deserialize<T>(string text, JsonSerializerOptions? options) => JsonSerializer.Deserialize<T>(text, options ?? AIJsonUtilities.DefaultOptions)!;
}
