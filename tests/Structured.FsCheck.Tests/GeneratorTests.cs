using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Structured.FsCheck;
using Structured.Tests.Generation;

namespace Structured.FsCheck.Tests;

public sealed record Order(
    [property: StringLength(8, MinimumLength = 1)] string Id,
    [property: Range(1, 99)] int Quantity,
    [property: MinLength(1), MaxLength(3)] List<string> Tags,
    bool Urgent);

/// <summary>Arbitraries for the attribute-driven properties below.</summary>
public static class Arbitraries
{
    public static Arbitrary<Order> Order() => StructuredArb.For<Order>();
}

public sealed class GeneratorTests
{
    private const string Ints = """{"type":"array","items":{"type":"integer","minimum":0,"maximum":1000},"maxItems":8}""";

    [Fact]
    public void Regex_strings_match_by_an_independent_regex_engine()
    {
        const string pattern = @"[a-z]{2,5}(-[0-9]{1,3})?@(x|yz)\.com";
        var reference = new System.Text.RegularExpressions.Regex("^(?:" + pattern + ")$");
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(StructuredArb.Regex(pattern), s => reference.IsMatch(s)));
    }

    [Fact]
    public void Json_documents_parse_and_keep_the_schema_bounds()
    {
        // JSON Schema counts 14.0 as an integer, and so does the generator: the check reads numbers as doubles.
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(StructuredArb.Json(Ints), e =>
            e.ValueKind == JsonValueKind.Array && e.GetArrayLength() <= 8 && e.EnumerateArray().All(x => x.GetDouble() is var v && v == Math.Floor(v) && v is >= 0 and <= 1000)));
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 150)]
    public bool Typed_values_satisfy_their_data_annotations(Order order)
    {
        // JSON Schema's maxLength counts code points, [StringLength] counts UTF-16 units: Id is checked in code points,
        // the other annotations by .NET's own validator.
        var results = new List<ValidationResult>();
        int idLength = order.Id.EnumerateRunes().Count();
        var rest = order with { Id = "x" };
        return Validator.TryValidateObject(rest, new ValidationContext(rest), results, validateAllProperties: true)
            && idLength is >= 1 and <= 8 && order.Tags.Count is >= 1 and <= 3;
    }

    [Fact]
    public void A_failing_property_shrinks_to_a_small_valid_counterexample()
    {
        var arb = StructuredArb.Json(Ints);
        var failure = Assert.ThrowsAny<Exception>(() =>
            Check.One(Config.QuickThrowOnFailure.WithMaxTest(500).WithReplay(11, 13), Prop.ForAll(arb, e => e.EnumerateArray().Sum(x => x.GetDouble()) < 500)));
        var shrunk = ShrunkValue(failure.Message);
        var array = JsonDocument.Parse(shrunk).RootElement;
        // One item is the smallest array that can fail, and it still fails and is still valid.
        Assert.Equal(1, array.GetArrayLength());
        Assert.InRange(array[0].GetDouble(), 500, 1000);
        Assert.True(Constraint.JsonSchema(Ints).Accepts(shrunk), shrunk);
    }

    [Fact]
    public void Grammar_strings_shrink_inside_the_language()
    {
        const string gbnf = """
            root ::= expr
            expr ::= term (("+" | "-") term)*
            term ::= [0-9]+ | "(" expr ")"
            """;
        var constraint = Constraint.Gbnf(gbnf);
        var failure = Assert.ThrowsAny<Exception>(() =>
            Check.One(Config.QuickThrowOnFailure.WithMaxTest(500).WithReplay(5, 7), Prop.ForAll(StructuredArb.Sentences(constraint), s => !s.Contains('('))));
        string shrunk = ShrunkValue(failure.Message);
        Assert.True(constraint.Accepts(shrunk), shrunk);
        Assert.Contains('(', shrunk);
        Assert.Equal("(0)", shrunk); // the smallest sentence with a parenthesis
    }

    [Fact]
    public void Size_controls_depth_and_weights_steer_alternatives()
    {
        var constraint = Constraint.Gbnf("root ::= item (\",\" item)*\nitem ::= \"a\" | \"b\" | \"[\" root \"]\"");
        // Fixed seeds, so the comparison is deterministic: size bounds the derivation depth, here the bracket nesting.
        var draw = StructuredGen.Drawer(constraint, SentenceOptions.Default);
        static int Nesting(string s) => s.Aggregate((Depth: 0, Max: 0), (a, c) => c == '[' ? (a.Depth + 1, Math.Max(a.Max, a.Depth + 1)) : c == ']' ? (a.Depth - 1, a.Max) : a).Max;
        int shallow = Enumerable.Range(0, 300).Max(seed => Nesting(draw(seed, 0)));
        int deep = Enumerable.Range(0, 300).Max(seed => Nesting(draw(seed, 100)));
        Assert.True(deep > shallow, $"deepest nesting {shallow} at size 0, {deep} at size 100");
        var noB = StructuredGen.Sentences(constraint, new SentenceOptions { RuleWeights = new Dictionary<string, IReadOnlyList<double>> { ["item"] = [1, 0, 1] } });
        var drawn = noB.Sample(300);
        Assert.DoesNotContain(drawn, s => s.Contains('b'));
        Assert.Contains(drawn, s => s.Contains('a'));
    }

    [Fact]
    public void Model_guided_values_follow_the_constraint()
    {
        using var model = TextModels.Ascii();
        var values = StructuredGen.FromModel<Order>(model, "An order: ", new GenerationOptions { Whitespace = Schemas.JsonWhitespace.Compact }).Resize(10).Sample(5);
        Assert.All(values, o => Assert.InRange(o.Quantity, 1, 99));
        var regex = StructuredGen.FromModel(model, "", Constraint.Regex("[0-9]{4}")).Sample(5);
        Assert.All(regex, s => Assert.Matches("^[0-9]{4}$", s));
    }

    // FsCheck reports "Shrunk:" followed by the value on the next line.
    private static string ShrunkValue(string message)
    {
        var lines = message.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int at = lines.FindIndex(l => l.StartsWith("Shrunk", StringComparison.Ordinal));
        if (at < 0) at = lines.FindIndex(l => l.StartsWith("Original", StringComparison.Ordinal)); // no shrink step: the original was already minimal
        Assert.True(at >= 0, message);
        string value = lines[at + 1].Trim();
        return value.StartsWith('"') ? JsonSerializer.Deserialize<string>(value)! : value;
    }
}
