using System.Text;
using Structured.Schemas;

namespace Structured.Tests.Schemas;

/// <summary>Compile options, errors with pointers, and the validator's reports.</summary>
public sealed class SchemaOptionTests
{
    private const string Point = """{"type":"object","properties":{"x":{"type":"integer"},"y":{"type":"integer"}},"required":["x","y"]}""";

    private static bool Accepts(string schema, string text, JsonSchemaOptions? options = null) =>
        JsonSchema.Compile(schema, options).Accepts(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void A_compiled_schema_makes_its_source_grammar_again_when_asked()
    {
        // The compiled grammar lets go of its source (a large schema's is tens of thousands of objects) and makes it
        // again on demand: the same grammar, once, for text and for a parsed element alike.
        var options = JsonSchemaOptions.Default with { Whitespace = JsonWhitespace.Compact };
        string expected = JsonSchema.ToGrammar(Point, options).Grammar.ToString();
        var fromText = JsonSchema.Compile(Point, options);
        Assert.Equal(expected, fromText.Source.ToString());
        Assert.Same(fromText.Source, fromText.Source);
        using var document = System.Text.Json.JsonDocument.Parse(Point);
        var fromElement = JsonSchema.Compile(document.RootElement, options);
        document.Dispose();
        Assert.Equal(expected, fromElement.Source.ToString());
    }

    [Fact]
    public void Flexible_whitespace_is_bounded()
    {
        Assert.True(Accepts(Point, "{ \"x\" : 1 ,\n  \"y\": 2 }\n"));
        Assert.False(Accepts(Point, "{" + new string(' ', 30) + "\"x\":1,\"y\":2}"));
        Assert.False(Accepts(Point, "{\n\n\"x\":1,\"y\":2}"));
    }

    [Fact]
    public void Compact_allows_no_whitespace()
    {
        var compact = new JsonSchemaOptions { Whitespace = JsonWhitespace.Compact };
        Assert.True(Accepts(Point, "{\"x\":1,\"y\":2}", compact));
        Assert.False(Accepts(Point, "{\"x\": 1,\"y\":2}", compact));
    }

    [Fact]
    public void Pretty_fixes_the_indentation()
    {
        var pretty = new JsonSchemaOptions { Whitespace = JsonWhitespace.Pretty, Indent = 2 };
        const string schema = """{"type":"object","properties":{"a":{"type":"array","items":{"type":"integer"}},"b":{"type":"object"}}}""";
        Assert.True(Accepts(schema, "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}\n", pretty));
        Assert.False(Accepts(schema, "{\n \"a\": []\n}", pretty));
        Assert.False(Accepts(schema, "{\"a\":[]}", pretty));
    }

    [Fact]
    public void Property_order_schema_or_any()
    {
        Assert.False(Accepts(Point, "{\"y\":2,\"x\":1}"));
        var any = new JsonSchemaOptions { PropertyOrder = PropertyOrder.Any };
        Assert.True(Accepts(Point, "{\"y\":2,\"x\":1}", any));
        Assert.False(Accepts(Point, "{\"y\":2,\"x\":1,\"x\":3}", any));
        Assert.False(Accepts(Point, "{\"y\":2}", any));
    }

    [Fact]
    public void Strict_mode_closes_objects()
    {
        Assert.True(Accepts(Point, "{\"x\":1,\"y\":2,\"z\":3}"));
        Assert.False(Accepts(Point, "{\"x\":1,\"y\":2,\"z\":3}", new JsonSchemaOptions { Strict = true }));
    }

    [Fact]
    public void Unsupported_keywords_name_their_pointer_unless_lenient()
    {
        const string schema = """{"type":"object","properties":{"tags":{"type":"array","uniqueItems":true}}}""";
        var e = Assert.Throws<SchemaException>(() => JsonSchema.ToGrammar(schema));
        Assert.Equal("#/properties/tags/uniqueItems", e.Pointer);
        var lenient = JsonSchema.ToGrammar(schema, new JsonSchemaOptions { Lenient = true });
        Assert.Contains(lenient.Warnings, w => w.Contains("#/properties/tags/uniqueItems", StringComparison.Ordinal));
    }

    [Fact]
    public void Remote_and_dangling_references_are_errors()
    {
        var remote = Assert.Throws<SchemaException>(() => JsonSchema.ToGrammar("""{"properties":{"a":{"$ref":"https://example.com/x.json"}}}"""));
        Assert.Contains("remote reference", remote.Message, StringComparison.Ordinal);
        Assert.Equal("#/properties/a/$ref", remote.Pointer);
        var dangling = Assert.Throws<SchemaException>(() => JsonSchema.ToGrammar("""{"$ref":"#/$defs/missing"}"""));
        Assert.Contains("points to nothing", dangling.Message, StringComparison.Ordinal);
        var given = JsonSchema.Compile("""{"$ref":"https://example.com/x.json"}""",
            new JsonSchemaOptions { Documents = new Dictionary<string, string> { ["https://example.com/x.json"] = """{"type":"boolean"}""" } });
        Assert.True(given.Accepts("true"u8));
    }

    [Fact]
    public void Bad_json_and_bad_patterns_are_located()
    {
        var json = Assert.Throws<SchemaException>(() => JsonSchema.ToGrammar("{\"type\": "));
        Assert.Contains("not valid JSON", json.Message, StringComparison.Ordinal);
        var pattern = Assert.Throws<SchemaException>(() => JsonSchema.ToGrammar("""{"pattern":"a(?=b)"}"""));
        Assert.Equal("#/pattern", pattern.Pointer);
    }

    [Fact]
    public void Compile_limits_stop_blowups()
    {
        var branches = string.Join(",", Enumerable.Range(0, 20).Select(i => $"{{\"anyOf\":[{{\"minimum\":{i}}},{{\"maximum\":{i + 100}}}]}}"));
        var e = Assert.Throws<SchemaException>(() => JsonSchema.ToGrammar($"{{\"allOf\":[{branches}]}}"));
        Assert.Contains("alternatives", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsatisfiable_schemas_are_empty_languages()
    {
        Assert.Throws<EmptyLanguageException>(() => JsonSchema.Compile("""{"type":"integer","minimum":5,"maximum":4}""").InitialState);
        Assert.Throws<EmptyLanguageException>(() => JsonSchema.Compile("false").InitialState);
    }

    [Fact]
    public void Validator_errors_carry_pointers()
    {
        var v = SchemaValidator.Parse("""{"type":"object","properties":{"items":{"type":"array","items":{"type":"integer","maximum":3}}}}""");
        var r = v.Validate("""{"items":[1,5]}""");
        Assert.False(r.IsValid);
        Assert.Contains(r.Errors, e => e.InstancePointer == "/items/1" && e.SchemaPointer == "#/properties/items/items/maximum");
    }
}
