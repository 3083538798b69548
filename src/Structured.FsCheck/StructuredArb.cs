using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;

namespace Structured.FsCheck;

/// <summary>
/// FsCheck arbitraries: the generators of <see cref="StructuredGen"/> with shrinkers that stay inside the language,
/// so a failing property is reported with a small counterexample that the constraint still accepts.
/// </summary>
public static class StructuredArb
{
    /// <summary>Sentences of a constraint; shrinks to shorter sentences of the same language.</summary>
    public static Arbitrary<string> Sentences(Constraint constraint, SentenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(constraint);
        options ??= SentenceOptions.Default;
        var draw = StructuredGen.Drawer(constraint, options);
        string? Shortest(int seed, int size)
        {
            try { return draw(seed, size); }
            catch (InvalidOperationException) { return null; }
        }
        return Arb.From(StructuredGen.Sentences(constraint, options), s => constraint.IsJson
            ? LanguageShrinker.Json(s, constraint, options).Concat(LanguageShrinker.Text(s, constraint, Shortest, options))
            : LanguageShrinker.Text(s, constraint, Shortest, options));
    }

    /// <summary>Strings that match a regex.</summary>
    public static Arbitrary<string> Regex(string pattern, SentenceOptions? options = null) => Sentences(Constraint.Regex(pattern), options);

    /// <summary>Sentences of a GBNF grammar.</summary>
    public static Arbitrary<string> Gbnf(string grammar, SentenceOptions? options = null) => Sentences(Constraint.Gbnf(grammar), options);

    /// <summary>JSON documents valid under a schema; shrinks by removing items and optional properties and shrinking scalars.</summary>
    public static Arbitrary<JsonElement> Json(string schemaJson, Schemas.JsonSchemaOptions? schemaOptions = null, SentenceOptions? options = null)
    {
        var constraint = Constraint.JsonSchema(schemaJson, schemaOptions);
        options ??= SentenceOptions.Default;
        return Arb.From(StructuredGen.Sentences(constraint, options).Select(StructuredGen.Parse),
            e => LanguageShrinker.Json(e.GetRawText(), constraint, options).Select(StructuredGen.Parse));
    }

    /// <summary>Values of <typeparamref name="T"/>; shrinks through its JSON, staying valid under its schema.</summary>
    public static Arbitrary<T> For<T>(JsonSerializerOptions? serializerOptions = null, SentenceOptions? options = null)
    {
        var constraint = Constraint.For<T>(null, serializerOptions);
        options ??= SentenceOptions.Default;
        var serializer = serializerOptions ?? Microsoft.Extensions.AI.AIJsonUtilities.DefaultOptions;
        return Arb.From(StructuredGen.Sentences(constraint, options).Select(t => StructuredGen.Deserialize<T>(t, serializerOptions)),
            value => LanguageShrinker.Json(JsonSerializer.Serialize(value, serializer), constraint, options).Select(t => StructuredGen.Deserialize<T>(t, serializerOptions)));
    }
}
