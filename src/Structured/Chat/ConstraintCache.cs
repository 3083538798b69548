using System.Collections.Concurrent;
using System.Text.Json;
using Structured.Schemas;

namespace Structured.Chat;

/// <summary>
/// Compiled constraints of request-supplied schemas and grammars, keyed by their text and options, so that a
/// service answering the same response format again skips compilation. Bounded: past its capacity it starts over.
/// </summary>
public sealed class ConstraintCache
{
    private readonly ConcurrentDictionary<(string Kind, string Text, JsonSchemaOptions Options), Constraint> _items = new();
    private readonly int _capacity;

    /// <summary>Creates a cache of at most <paramref name="capacity"/> constraints.</summary>
    public ConstraintCache(int capacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>A JSON Schema constraint, compiled on first use.</summary>
    public Constraint JsonSchema(JsonElement schema, JsonSchemaOptions options) =>
        Get("schema", schema.GetRawText(), options, () => Constraint.JsonSchema(schema, options));

    /// <summary>A grammar constraint ("gbnf" or "lark"), compiled on first use.</summary>
    public Constraint Grammar(string text, string syntax) =>
        Get("grammar:" + syntax, text, JsonSchemaOptions.Default, () => Constraint.FromGrammarText(text, syntax));

    /// <summary>A regex constraint, compiled on first use.</summary>
    public Constraint Regex(string pattern) => Get("regex", pattern, JsonSchemaOptions.Default, () => Constraint.Regex(pattern));

    private Constraint Get(string kind, string text, JsonSchemaOptions options, Func<Constraint> make)
    {
        var key = (kind, text, options);
        if (_items.TryGetValue(key, out var hit)) return hit;
        var made = make();
        if (_items.Count >= _capacity) _items.Clear();
        return _items.GetOrAdd(key, made);
    }
}
