using System.Text.Json;
using Microsoft.Extensions.AI;
using Structured.Parsing;

namespace Structured.Schemas;

/// <summary>Entry points for JSON Schema constraints: compile a schema to a grammar, or validate an instance.</summary>
public static class JsonSchema
{
    /// <summary>Compiles a schema (JSON text) to the grammar IR; throws <see cref="SchemaException"/> with a JSON pointer when it cannot.</summary>
    public static JsonSchemaGrammar ToGrammar(string schemaJson, JsonSchemaOptions? options = null)
    {
        options ??= JsonSchemaOptions.Default;
        return SchemaCompiler.Compile(SchemaSet.Parse(schemaJson, options.DefaultDraft, options.Documents), options);
    }

    /// <summary>Compiles a loaded schema to the grammar IR.</summary>
    public static JsonSchemaGrammar ToGrammar(SchemaSet schema, JsonSchemaOptions? options = null) =>
        SchemaCompiler.Compile(schema, options ?? JsonSchemaOptions.Default);

    /// <summary>Compiles a schema all the way to a parser.</summary>
    public static CompiledGrammar Compile(string schemaJson, JsonSchemaOptions? options = null, CompileOptions? limits = null)
    {
        options ??= JsonSchemaOptions.Default;
        var started = DateTime.UtcNow;
        var grammar = ToGrammar(schemaJson, options).Grammar;
        return CompiledGrammar.Compile(grammar, limits ?? new CompileOptions { Timeout = Remaining(options, started) })
            .WithSourceMadeOnDemand(() => ToGrammar(schemaJson, options).Grammar);
    }

    // One time limit covers both stages: what the schema compiler left of it goes to the grammar compiler.
    private static TimeSpan Remaining(JsonSchemaOptions options, DateTime started)
    {
        var left = options.Timeout - (DateTime.UtcNow - started);
        return left > TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100);
    }

    /// <summary>Compiles a schema given as a parsed JSON element.</summary>
    public static CompiledGrammar Compile(JsonElement schema, JsonSchemaOptions? options = null, CompileOptions? limits = null) =>
        CompileWithWarnings(schema, options, limits).Grammar;

    /// <summary>Compiles a schema and returns the keywords that lenient mode dropped.</summary>
    internal static (CompiledGrammar Grammar, IReadOnlyList<string> Warnings) CompileWithWarnings(JsonElement schema, JsonSchemaOptions? options = null, CompileOptions? limits = null)
    {
        options ??= JsonSchemaOptions.Default;
        var started = DateTime.UtcNow;
        var compiled = SchemaCompiler.Compile(SchemaSet.Load(schema, options.DefaultDraft, options.Documents), options);
        var kept = schema.Clone(); // the caller's document may be disposed before the source is asked for
        return (CompiledGrammar.Compile(compiled.Grammar, limits ?? new CompileOptions { Timeout = Remaining(options, started) })
            .WithSourceMadeOnDemand(() => SchemaCompiler.Compile(SchemaSet.Load(kept, options.DefaultDraft, options.Documents), options).Grammar), compiled.Warnings);
    }

    /// <summary>
    /// The JSON Schema of a .NET type, made the way <c>GetResponseAsync&lt;T&gt;()</c> makes it
    /// (<see cref="AIJsonUtilities.CreateJsonSchema"/>): DataAnnotations (<c>[Range]</c>, <c>[StringLength]</c>,
    /// <c>[RegularExpression]</c>, <c>[Required]</c>, <c>[Description]</c>), enums as strings, nullable types, records and
    /// collections. Numeric properties also get their .NET type's range, so that every accepted value fits.
    /// </summary>
    public static JsonElement SchemaFor(Type type, JsonSerializerOptions? serializerOptions = null) =>
        AIJsonUtilities.CreateJsonSchema(type, serializerOptions: serializerOptions ?? AIJsonUtilities.DefaultOptions,
            inferenceOptions: new AIJsonSchemaCreateOptions { IncludeSchemaKeyword = true, TransformSchemaNode = AddNumericRange });

    private static System.Text.Json.Nodes.JsonNode AddNumericRange(AIJsonSchemaCreateContext context, System.Text.Json.Nodes.JsonNode node)
    {
        var t = Nullable.GetUnderlyingType(context.TypeInfo.Type) ?? context.TypeInfo.Type;
        (string Min, string Max)? range =
            t == typeof(byte) ? ("0", "255") : t == typeof(sbyte) ? ("-128", "127")
            : t == typeof(short) ? ("-32768", "32767") : t == typeof(ushort) ? ("0", "65535")
            : t == typeof(int) ? ("-2147483648", "2147483647") : t == typeof(uint) ? ("0", "4294967295")
            : t == typeof(long) ? ("-9223372036854775808", "9223372036854775807") : t == typeof(ulong) ? ("0", "18446744073709551615")
            : t == typeof(decimal) ? ("-79228162514264337593543950335", "79228162514264337593543950335")
            : null;
        if (node is not System.Text.Json.Nodes.JsonObject o) return node;
        if (t == typeof(double) || t == typeof(float) || t == typeof(Half))
        {
            // Read by the compiler only: numbers that parse to a finite value of this type (System.Text.Json rejects overflow).
            o["x-finite"] = t == typeof(double) ? "double" : t == typeof(float) ? "single" : "half";
            return o;
        }
        if (range is not { } r) return node;
        // Tighter DataAnnotations bounds ([Range]) already present are kept: the compiler takes the tightest.
        var bounds = System.Text.Json.Nodes.JsonNode.Parse($"{{\"minimum\":{r.Min},\"maximum\":{r.Max}}}");
        if (o["allOf"] is System.Text.Json.Nodes.JsonArray existing) existing.Add(bounds);
        else o["allOf"] = new System.Text.Json.Nodes.JsonArray(bounds);
        return o;
    }

    /// <summary>The JSON Schema of <typeparamref name="T"/>; see <see cref="SchemaFor(Type, JsonSerializerOptions?)"/>.</summary>
    public static JsonElement SchemaFor<T>(JsonSerializerOptions? serializerOptions = null) => SchemaFor(typeof(T), serializerOptions);

    /// <summary>
    /// A parser for the JSON text of <typeparamref name="T"/> values: what it accepts deserialises to <typeparamref name="T"/>
    /// with the same serializer options (integers are written without fractions, numbers within their type's range).
    /// </summary>
    public static CompiledGrammar CompileFor<T>(JsonSchemaOptions? options = null, JsonSerializerOptions? serializerOptions = null) =>
        Compile(SchemaFor<T>(serializerOptions), (options ?? JsonSchemaOptions.Default) with { CanonicalIntegers = true });
}
