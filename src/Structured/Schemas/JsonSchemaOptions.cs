namespace Structured.Schemas;

/// <summary>How whitespace between JSON tokens is constrained.</summary>
public enum JsonWhitespace
{
    /// <summary>Flexible but bounded: up to 8 spaces or tabs, then at most one line break followed by up to 64 spaces or tabs.</summary>
    Flexible,

    /// <summary>No whitespace at all.</summary>
    Compact,

    /// <summary>Pretty-printed: each member and item on its own line, indented by <see cref="JsonSchemaOptions.Indent"/> spaces per level, and <c>": "</c> after keys; at most 32 levels deep.</summary>
    Pretty,
}

/// <summary>The order in which object properties may appear.</summary>
public enum PropertyOrder
{
    /// <summary>In the order the schema lists them (properties that are not listed come last).</summary>
    Schema,

    /// <summary>
    /// Any order, each listed property at most once, the required ones present. Objects that list more than 10
    /// properties, or have min/maxProperties, keep schema order (an any-order grammar needs a state per subset).
    /// </summary>
    Any,
}

/// <summary>Options for compiling a JSON Schema to a grammar.</summary>
public sealed record JsonSchemaOptions
{
    /// <summary>The defaults: flexible whitespace, schema order, exact (not lenient), formats enforced.</summary>
    public static JsonSchemaOptions Default { get; } = new();

    /// <summary>Whitespace between tokens.</summary>
    public JsonWhitespace Whitespace { get; init; } = JsonWhitespace.Flexible;

    /// <summary>Spaces per level with <see cref="JsonWhitespace.Pretty"/>.</summary>
    public int Indent { get; init; } = 2;

    /// <summary>The order of object properties.</summary>
    public PropertyOrder PropertyOrder { get; init; } = PropertyOrder.Schema;

    /// <summary>Objects take no properties beyond those listed unless the schema says otherwise (<c>additionalProperties</c> defaults to false).</summary>
    public bool Strict { get; init; }

    /// <summary>Drop keywords that cannot be enforced exactly, with a warning each, instead of failing.</summary>
    public bool Lenient { get; init; }

    /// <summary>Enforce <c>format</c> for the formats in <see cref="Formats.Supported"/> (others are annotations).</summary>
    public bool AssertFormats { get; init; } = true;

    /// <summary>
    /// Integers are written without a fraction. JSON Schema counts <c>3.0</c> as an integer, but System.Text.Json will
    /// not read it into an <c>int</c>; schemas made from .NET types set this so that every accepted text deserialises.
    /// </summary>
    public bool CanonicalIntegers { get; init; }

    /// <summary>The draft for a schema without <c>$schema</c>.</summary>
    public SchemaDraft DefaultDraft { get; init; } = SchemaDraft.Draft202012;

    /// <summary>Other schema documents, by URI, that references may name (nothing is fetched).</summary>
    public IReadOnlyDictionary<string, string>? Documents { get; init; }

    /// <summary>The longest a compilation may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The most grammar rules a schema may produce.</summary>
    public int MaxRules { get; init; } = 200_000;

    /// <summary>The most alternatives that <c>anyOf</c>, <c>oneOf</c>, <c>allOf</c> and conditionals may multiply into at one place.</summary>
    public int MaxAlternatives { get; init; } = 4_096;
}

/// <summary>A schema compiled to the grammar IR, with the warnings of a lenient compilation.</summary>
public sealed class JsonSchemaGrammar
{
    internal JsonSchemaGrammar(Grammars.Grammar grammar, SchemaSet schema, IReadOnlyList<string> warnings)
    {
        Grammar = grammar;
        Schema = schema;
        Warnings = warnings;
    }

    /// <summary>The grammar: its language is the JSON texts (with the chosen whitespace) of the instances the schema accepts.</summary>
    public Grammars.Grammar Grammar { get; }

    /// <summary>The loaded schema.</summary>
    public SchemaSet Schema { get; }

    /// <summary>What a lenient compilation dropped, each with its JSON pointer; empty otherwise.</summary>
    public IReadOnlyList<string> Warnings { get; }
}
