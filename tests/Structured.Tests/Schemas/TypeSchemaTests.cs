using Structured.Grammars;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.AI;
using Structured.Schemas;
using Structured.Tests.Infrastructure;

namespace Structured.Tests.Schemas;

public enum Color { Red, Green, Blue }

public sealed record Address(string Street, [property: Range(1, 99999)] int Zip);

[Description("A person record")]
public sealed record Person(
    [property: Required, StringLength(20, MinimumLength = 2), Description("Full name")] string Name,
    [property: Range(0, 150)] int Age,
    [property: RegularExpression("^[a-z]+@[a-z]+\\.com$")] string? Email,
    Color Favorite,
    [property: MinLength(1), MaxLength(3)] List<string> Tags,
    Address? Home,
    double Score,
    long Big,
    bool Active);

/// <summary>C# types to schemas: objects of the type serialise to accepted JSON, and accepted JSON deserialises.</summary>
public sealed class TypeSchemaTests
{
    // AIJsonUtilities.DefaultOptions leaves nulls out when writing, though its schemas mark every property required:
    // the round trip writes them, as a model constrained by the schema would.
    private static readonly JsonSerializerOptions Options = new(AIJsonUtilities.DefaultOptions)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
    };

    private static readonly Lazy<Structured.Parsing.CompiledGrammar> PersonGrammar = new(() => JsonSchema.CompileFor<Person>(serializerOptions: Options));

    private static readonly Gen<string> Letters = Gen.Elements("ab", "zed", "Émile", "O'Neil", "x\"y", "tab\tname", "日本語", "ok").Select(s => s);

    private static Gen<Person> People =>
        from name in Letters
        from age in Gen.Choose(0, 150)
        from email in Gen.Elements<string?>(null, "ann@site.com", "bo@x.com")
        from color in Gen.Elements(Color.Red, Color.Green, Color.Blue)
        from tagCount in Gen.Choose(1, 3)
        from tags in Gen.ListOf(Letters, tagCount)
        from hasHome in Gen.Elements(true, false)
        from zip in Gen.Choose(1, 99999)
        from score in Gen.Elements(0.0, -1.5, 3.25e10, 1e-7, 1.5e300, -double.Epsilon, 0.1, 123456.789)
        from big in Gen.Elements(long.MinValue, long.MaxValue, 0L, -42L)
        from active in Gen.Elements(true, false)
        select new Person(name, age, email, color, tags.ToList(), hasHome ? new Address("Main St", zip) : null, score, big, active);

    [Fact]
    public void The_schema_carries_the_annotations()
    {
        var schema = JsonSchema.SchemaFor<Person>(Options).GetRawText();
        Assert.Contains("\"minLength\":2", schema, StringComparison.Ordinal);
        Assert.Contains("\"maximum\":150", schema, StringComparison.Ordinal);
        Assert.Contains("\"enum\":[\"Red\",\"Green\",\"Blue\"]", schema, StringComparison.Ordinal);
        Assert.Contains("\"pattern\"", schema, StringComparison.Ordinal);
    }

    [Fact]
    public void Generated_objects_serialise_to_accepted_json() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(Arb.From(People), person =>
        {
            string json = JsonSerializer.Serialize(person, Options);
            return PersonGrammar.Value.Accepts(Encoding.UTF8.GetBytes(json)).Label(json);
        }));

    [Fact]
    public void Json_the_grammar_accepts_deserialises_and_validates()
    {
        var grammar = JsonSchema.ToGrammar(JsonSchema.SchemaFor<Person>(Options).GetRawText(), JsonSchemaOptions.Default with { CanonicalIntegers = true });
        var validator = new SchemaValidator(grammar.Schema);
        var sampler = new GrammarSampler(grammar.Grammar);
        var rng = new Random(7);
        for (int i = 0; i < 60; i++)
        {
            string text = Encoding.UTF8.GetString(sampler.Sample(rng, depthBudget: 10));
            var person = JsonSerializer.Deserialize<Person>(text, Options);
            Assert.NotNull(person);
            using var doc = JsonDocument.Parse(text);
            Assert.True(validator.Validate(doc.RootElement).IsValid, text);
        }
    }

    [Fact]
    public void Values_outside_the_annotations_are_rejected()
    {
        var ok = new Person("Ann", 30, null, Color.Red, ["a"], null, 1, 2, true);
        Assert.True(PersonGrammar.Value.Accepts(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(ok, Options))));
        foreach (var bad in new[] { ok with { Age = 151 }, ok with { Name = "A" }, ok with { Email = "Ann@x.com" }, ok with { Tags = [] }, ok with { Tags = ["a", "b", "c", "d"] } })
            Assert.False(PersonGrammar.Value.Accepts(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(bad, Options))), JsonSerializer.Serialize(bad, Options));
        Assert.False(PersonGrammar.Value.Accepts(Encoding.UTF8.GetBytes("{\"name\":\"Ann\",\"age\":30.0,\"email\":null,\"favorite\":\"Red\",\"tags\":[\"a\"],\"home\":null,\"score\":1,\"big\":2,\"active\":true}")));
    }
}
