using System.Collections.Concurrent;
using System.Text.Json;
using Structured.Grammars;
using Structured.Parsing;
using Structured.Potentials;
using Structured.Quotients;
using Structured.Schemas;

namespace Structured;

/// <summary>
/// What a generated text must satisfy: a JSON Schema (or the schema of a .NET type), a grammar or a regex, compiled
/// once. Instances are immutable and thread-safe; reuse one for many generations. The factories throw
/// <see cref="GrammarException"/> (or its <see cref="SchemaException"/>) naming the location and the cause.
/// </summary>
public sealed class Constraint
{
    private static readonly ConcurrentDictionary<(Type, JsonSchemaOptions, JsonSerializerOptions?), Constraint> TypeCache = new();
    private readonly Lazy<Potential> _potential;
    private readonly Func<byte[], bool> _accepts;

    private Constraint(string description, CompiledGrammar grammar, JsonElement? schema, IReadOnlyList<string> warnings,
        Func<Potential>? potential = null, Func<byte[], bool>? accepts = null)
    {
        Description = description;
        Grammar = grammar;
        Schema = schema;
        Warnings = warnings;
        _potential = new Lazy<Potential>(potential ?? (() => Potential.FromGrammar(grammar)));
        _accepts = accepts ?? (text => grammar.Accepts(text));
    }

    /// <summary>A short description for messages: "JSON Schema", "regex …", "GBNF grammar".</summary>
    public string Description { get; }

    /// <summary>The compiled parser.</summary>
    public CompiledGrammar Grammar { get; }

    /// <summary>The JSON Schema, for JSON constraints; null for grammars and regexes.</summary>
    public JsonElement? Schema { get; }

    /// <summary>Keywords dropped in lenient mode, one line each; empty otherwise.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Whether the output is JSON (a schema constraint).</summary>
    public bool IsJson => Schema is not null;

    /// <summary>The constraint as a Boolean potential over bytes (what the samplers condition on); built once.</summary>
    public Potential Potential => _potential.Value;

    /// <summary>A JSON Schema given as JSON text.</summary>
    public static Constraint JsonSchema(string schemaJson, JsonSchemaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schemaJson);
        JsonElement schema;
        try
        {
            using var doc = JsonDocument.Parse(schemaJson);
            schema = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new SchemaException("", $"the schema is not valid JSON: {e.Message}");
        }
        return JsonSchema(schema, options);
    }

    /// <summary>A JSON Schema given as a parsed element.</summary>
    public static Constraint JsonSchema(JsonElement schema, JsonSchemaOptions? options = null)
    {
        var (grammar, warnings) = Schemas.JsonSchema.CompileWithWarnings(schema, options);
        return new Constraint("JSON Schema", grammar, schema.Clone(), warnings);
    }

    /// <summary>Any JSON value (the schema <c>{}</c>).</summary>
    public static Constraint AnyJson(JsonSchemaOptions? options = null) => JsonSchema("{}", options);

    /// <summary>Any JSON object (what OpenAI's <c>json_object</c> response format asks for).</summary>
    public static Constraint AnyJsonObject(JsonSchemaOptions? options = null) => JsonSchema("{\"type\":\"object\"}", options);

    /// <summary>
    /// The JSON Schema of <typeparamref name="T"/>, made as <c>IChatClient.GetResponseAsync&lt;T&gt;()</c> makes it
    /// (<see cref="Schemas.JsonSchema.SchemaFor"/>), so that every accepted text deserializes to a <typeparamref name="T"/>.
    /// Cached per type and options.
    /// </summary>
    public static Constraint For<T>(JsonSchemaOptions? options = null, JsonSerializerOptions? serializerOptions = null) =>
        For(typeof(T), options, serializerOptions);

    /// <summary>The JSON Schema of <paramref name="type"/>; see <see cref="For{T}"/>.</summary>
    public static Constraint For(Type type, JsonSchemaOptions? options = null, JsonSerializerOptions? serializerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        // System.Text.Json reads integers only in their plain form (no 1.0 or 1e2), so typed output spells them so.
        options = (options ?? JsonSchemaOptions.Default) with { CanonicalIntegers = true };
        return TypeCache.GetOrAdd((type, options, serializerOptions), key =>
        {
            var c = JsonSchema(Schemas.JsonSchema.SchemaFor(key.Item1, key.Item3), key.Item2);
            return new Constraint($"JSON Schema of {key.Item1.Name}", c.Grammar, c.Schema, c.Warnings);
        });
    }

    /// <summary>An ECMA-262 regex that the whole text must match.</summary>
    public static Constraint Regex(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return new Constraint($"regex /{pattern}/", CompiledGrammar.FromRegex(pattern), null, []);
    }

    /// <summary>A llama.cpp GBNF grammar.</summary>
    public static Constraint Gbnf(string grammar) => new("GBNF grammar", CompiledGrammar.FromGbnf(grammar ?? throw new ArgumentNullException(nameof(grammar))), null, []);

    /// <summary>A Lark-style EBNF grammar.</summary>
    public static Constraint Lark(string grammar) => new("Lark grammar", CompiledGrammar.FromLark(grammar ?? throw new ArgumentNullException(nameof(grammar))), null, []);

    /// <summary>An ANTLR 4 grammar (<c>.g4</c>); actions and predicates are ignored (<see cref="AntlrReader"/> reports them).</summary>
    public static Constraint Antlr(string grammar) => new("ANTLR grammar", CompiledGrammar.Compile(Grammars.Grammar.FromAntlr(grammar ?? throw new ArgumentNullException(nameof(grammar)))), null, []);

    /// <summary>A grammar in the given syntax: "gbnf", "lark" or "g4" (a file extension, with or without the dot, also works).</summary>
    public static Constraint FromGrammarText(string grammar, string syntax)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        return syntax.TrimStart('.').ToLowerInvariant() switch
        {
            "gbnf" => Gbnf(grammar),
            "lark" or "ebnf" => Lark(grammar),
            "g4" or "antlr" => Antlr(grammar),
            _ => throw new GrammarException($"unknown grammar syntax '{syntax}': use gbnf, lark or g4"),
        };
    }

    /// <summary>A grammar in the IR, compiled now.</summary>
    public static Constraint FromGrammar(Grammar grammar, CompileOptions? options = null) =>
        new("grammar", CompiledGrammar.Compile(grammar ?? throw new ArgumentNullException(nameof(grammar)), options), null, []);

    /// <summary>A grammar compiled already.</summary>
    public static Constraint FromCompiled(CompiledGrammar grammar, JsonElement? schema = null) =>
        new(schema is null ? "grammar" : "JSON Schema", grammar ?? throw new ArgumentNullException(nameof(grammar)), schema?.Clone(), []);

    /// <summary>
    /// Fill-in-the-middle: the text between <paramref name="prefix"/> and <paramref name="suffix"/>, such that
    /// <c>prefix + text + suffix</c> is a sentence of <paramref name="grammar"/>. The prefix and the suffix may begin or
    /// end inside a lexeme. <see cref="Grammar"/> is the right quotient by the suffix (<see cref="MiddleGrammar"/>);
    /// the constraint's potential starts after the prefix.
    /// </summary>
    /// <exception cref="EmptyLanguageException">No middle can join the prefix and the suffix (the message says which side fails and where).</exception>
    public static Constraint Middle(Constraint grammar, string prefix, string suffix)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(suffix);
        var middle = MiddleGrammar.Create(grammar.Grammar, System.Text.Encoding.UTF8.GetBytes(suffix));
        var before = System.Text.Encoding.UTF8.GetBytes(prefix);
        var start = middle.Start(before);
        if (!start.IsViable)
            throw new EmptyLanguageException($"no middle can join this prefix and suffix: reading the prefix fails: {start.Error}");
        return new Constraint($"middle of {grammar.Description}", middle.Grammar, null, grammar.Warnings,
            () => new MiddlePotential(middle, before),
            text =>
            {
                byte[] head = [.. before, .. text];
                return middle.IsComplete(middle.Start(head), middle.IsExact ? null : middle.Original.Parse(head));
            });
    }

    /// <summary>Whether <paramref name="text"/> is a complete sentence of the constraint (for a middle: whether it joins the prefix and suffix).</summary>
    public bool Accepts(string text) => _accepts(System.Text.Encoding.UTF8.GetBytes(text ?? throw new ArgumentNullException(nameof(text))));

    /// <inheritdoc />
    public override string ToString() => Description;
}
