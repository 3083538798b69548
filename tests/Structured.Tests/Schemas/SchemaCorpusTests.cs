using Structured.Grammars;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Structured.Parsing;
using Structured.Schemas;
using Structured.Tests.Infrastructure;

namespace Structured.Tests.Schemas;

/// <summary>
/// The round trip over a corpus of schemas that covers every supported keyword: instances drawn from each compiled
/// grammar pass the validator, and hand-written valid and invalid instances get the same verdict from both.
/// </summary>
public sealed class SchemaCorpusTests
{
    public sealed record Case(string Name, string Schema, string[] Valid, string[] Invalid)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Corpus()
    {
        var data = new TheoryData<Case>();
        foreach (var line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "schema-corpus.jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            data.Add(new Case(
                r.GetProperty("name").GetString()!,
                r.GetProperty("schema").GetRawText(),
                r.GetProperty("valid").EnumerateArray().Select(JsonText.Compact).ToArray(),
                r.GetProperty("invalid").EnumerateArray().Select(JsonText.Compact).ToArray()));
        }
        return data;
    }

    [Fact]
    public void The_corpus_has_at_least_forty_schemas() => Assert.True(Corpus().Count >= 40);

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Sampled_instances_pass_the_validator(Case c)
    {
        var compiled = JsonSchema.ToGrammar(c.Schema);
        var grammar = CompiledGrammar.Compile(compiled.Grammar);
        var validator = new SchemaValidator(compiled.Schema);
        var sampler = new GrammarSampler(compiled.Grammar);
        var rng = new Random(c.Name.Length * 7919);
        for (int i = 0; i < 25; i++)
        {
            var bytes = sampler.Sample(rng, depthBudget: 10);
            string text = Encoding.UTF8.GetString(bytes);
            Assert.True(grammar.Accepts(bytes), $"{c.Name}: the grammar rejects its own sample {text}");
            using var doc = JsonDocument.Parse(text);
            var result = validator.Validate(doc.RootElement);
            Assert.True(result.IsValid, $"{c.Name}: sample {text} is invalid: {string.Join("; ", result.Errors)}");
        }
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Hand_written_instances_get_the_same_verdict_from_grammar_and_validator(Case c)
    {
        var grammar = JsonSchema.Compile(c.Schema);
        var validator = SchemaValidator.Parse(c.Schema);
        foreach (var v in c.Valid)
        {
            Assert.True(validator.Validate(v).IsValid, $"{c.Name}: the validator rejects valid {v}");
            var state = grammar.Parse(Encoding.UTF8.GetBytes(v));
            Assert.True(state.IsAccepting, $"{c.Name}: the grammar rejects valid {v}: {state.EndOfInputError()}");
        }
        foreach (var v in c.Invalid)
        {
            Assert.False(validator.Validate(v).IsValid, $"{c.Name}: the validator accepts invalid {v}");
            Assert.False(grammar.Accepts(Encoding.UTF8.GetBytes(v)), $"{c.Name}: the grammar accepts invalid {v}");
        }
    }

    /// <summary>
    /// Soundness against the validator: random edits of valid instances (a byte changed, dropped or repeated; a digit or
    /// quote swapped in) that the grammar still accepts must be valid JSON that the validator accepts.
    /// </summary>
    [Theory]
    [MemberData(nameof(Corpus))]
    public void Mutations_the_grammar_accepts_are_valid(Case c)
    {
        var compiled = JsonSchema.ToGrammar(c.Schema);
        var grammar = CompiledGrammar.Compile(compiled.Grammar);
        var validator = new SchemaValidator(compiled.Schema);
        var sampler = new GrammarSampler(compiled.Grammar);
        var seeds = c.Valid.Select(Encoding.UTF8.GetBytes).ToList();
        var rng = new Random(c.Name.GetHashCode(StringComparison.Ordinal));
        for (int i = 0; i < 5; i++) seeds.Add(sampler.Sample(rng, depthBudget: 8));
        var gen = from seed in Gen.Elements(seeds.ToArray())
                  from at in Gen.Choose(0, 1000)
                  from kind in Gen.Choose(0, 3)
                  from b in Gen.Elements("0", "9", "\"", "-", ".", "e", "a", ",", "}", "]", " ", "\\")
                  select Mutate(seed, at, kind, b);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), Prop.ForAll(Arb.From(gen), bytes =>
        {
            if (!grammar.Accepts(bytes)) return true;
            string text = Encoding.UTF8.GetString(bytes);
            try
            {
                using var doc = JsonDocument.Parse(text);
                return validator.Validate(doc.RootElement).IsValid;
            }
            catch (JsonException)
            {
                return false; // the grammar accepted text that is not JSON
            }
        }));
    }

    private static byte[] Mutate(byte[] seed, int at, int kind, string insert)
    {
        if (seed.Length == 0) return Encoding.UTF8.GetBytes(insert);
        int i = at % seed.Length;
        var list = seed.ToList();
        var bytes = Encoding.UTF8.GetBytes(insert);
        switch (kind)
        {
            case 0: list.RemoveAt(i); break;
            case 1: list.InsertRange(i, bytes); break;
            case 2: list[i] = bytes[0]; break;
            default: list.Insert(i, list[i]); break;
        }
        return list.ToArray();
    }
}
