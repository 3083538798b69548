using System.Text.Json;
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
    public static CompiledGrammar Compile(string schemaJson, JsonSchemaOptions? options = null, CompileOptions? limits = null) =>
        CompiledGrammar.Compile(ToGrammar(schemaJson, options).Grammar, limits);

    /// <summary>Compiles a schema given as a parsed JSON element.</summary>
    public static CompiledGrammar Compile(JsonElement schema, JsonSchemaOptions? options = null, CompileOptions? limits = null)
    {
        options ??= JsonSchemaOptions.Default;
        return CompiledGrammar.Compile(SchemaCompiler.Compile(SchemaSet.Load(schema, options.DefaultDraft, options.Documents), options).Grammar, limits);
    }
}
