using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Structured.Models;
using Structured.Schemas;

namespace Structured.Tests.Generation;

public sealed record Person([property: StringLength(12, MinimumLength = 1)] string Name, [property: Range(0, 150)] int Age, string? Email);

public enum Mood { Happy, Sad, Curious }

public sealed class GenerationApiTests
{
    private static readonly GenerationOptions Compact = new() { Whitespace = JsonWhitespace.Compact, Seed = 7 };

    [Theory]
    [InlineData(SamplerKind.Lcd)]
    [InlineData(SamplerKind.Awrs)]
    [InlineData(SamplerKind.Smc)]
    public async Task Generate_returns_a_value_of_the_type_that_the_schema_accepts(SamplerKind sampler)
    {
        using var model = TextModels.Ascii();
        var options = Compact with { Sampler = sampler, Particles = 4 };
        var constraint = Constraint.For<Person>(options.SchemaOptions);
        for (int seed = 0; seed < 5; seed++)
        {
            var result = await model.GenerateAsync<Person>("A person: ", options with { Seed = seed }, TestContext.Current.CancellationToken);
            Assert.True(constraint.Accepts(result.Text), result.Text);
            Assert.InRange(result.Value.Age, 0, 150);
            Assert.InRange(result.Value.Name.Length, 1, 12);
            Assert.Equal(FinishReason.Stop, result.FinishReason);
            Assert.Equal(result.Text.Length, result.CompletionTokens); // one character per token
            Assert.Equal("A person: ".Length, result.PromptTokens);
            Assert.Equal(sampler == SamplerKind.Smc, result.Posterior is not null);
            Assert.Equal(sampler == SamplerKind.Smc, result.LogMarginalLikelihood is not null);
        }
    }

    [Fact]
    public void Schema_of_T_is_the_one_GetResponseAsync_uses()
    {
        var ours = JsonSchema.SchemaFor<Person>();
        var theirs = Microsoft.Extensions.AI.AIJsonUtilities.CreateJsonSchema(typeof(Person), serializerOptions: Microsoft.Extensions.AI.AIJsonUtilities.DefaultOptions);
        // Same properties, names and required list; ours only adds the .NET range of each number.
        Assert.Equal(theirs.GetProperty("required").GetRawText(), ours.GetProperty("required").GetRawText());
        Assert.Equal(theirs.GetProperty("properties").EnumerateObject().Select(p => p.Name), ours.GetProperty("properties").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Non_object_roots_are_generated_bare()
    {
        using var model = TextModels.Ascii();
        var ct = TestContext.Current.CancellationToken;
        var number = await model.GenerateAsync<int>("n=", Compact, ct);
        Assert.Equal(number.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), number.Text);
        var mood = await model.GenerateAsync<Mood>("mood=", Compact, ct);
        Assert.Equal(mood.Value.ToString(), JsonDocument.Parse(mood.Text).RootElement.GetString()); // the model may spell letters as \u escapes
        var list = await model.GenerateAsync<List<string>>("tags=", Compact, ct);
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(list.Text).RootElement, JsonSerializer.SerializeToElement(list.Value)), list.Text);
    }

    [Fact]
    public async Task Strict_mode_writes_only_the_listed_properties()
    {
        using var model = TextModels.Ascii();
        var ct = TestContext.Current.CancellationToken;
        for (int seed = 0; seed < 8; seed++)
        {
            var strict = await model.GenerateAsync<Person>("p", Compact with { Seed = seed, Strict = true }, ct);
            Assert.All(JsonDocument.Parse(strict.Text).RootElement.EnumerateObject(), p => Assert.Contains(p.Name, new[] { "name", "age", "email" }));
        }
        // Without it the type's schema leaves objects open, as JSON Schema does.
        const string extra = """{"name":"a","age":1,"email":null,"x":1}""";
        Assert.True(Constraint.For<Person>(Compact.SchemaOptions).Accepts(extra));
        Assert.False(Constraint.For<Person>((Compact with { Strict = true }).SchemaOptions).Accepts(extra));
    }

    [Fact]
    public async Task Same_seed_same_text_and_streaming_chunks_add_up_to_the_text()
    {
        using var model = TextModels.Ascii();
        var ct = TestContext.Current.CancellationToken;
        var a = await model.GenerateAsync<Person>("p", Compact, ct);
        var b = model.Generate<Person>("p", Compact);
        Assert.Equal(a.Text, b.Text);
        var stream = model.GenerateStreamingAsync<Person>("p", Compact, ct);
        Assert.Throws<InvalidOperationException>(() => stream.Result);
        var chunks = new List<string>();
        await foreach (var chunk in stream) chunks.Add(chunk);
        Assert.True(chunks.Count > 1);
        Assert.Equal(a.Text, string.Concat(chunks));
        Assert.Equal(a.Value, stream.Result.Value);
        Assert.Equal(a.Value, (await stream.Completion).Value);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => { await foreach (var _ in stream) { } });
    }

    [Fact]
    public async Task Text_under_a_regex_or_grammar_and_free_text()
    {
        using var model = TextModels.Ascii();
        var ct = TestContext.Current.CancellationToken;
        var date = Constraint.Regex(@"\d{4}-\d{2}-\d{2}");
        var r = await model.GenerateTextAsync("date: ", date, new GenerationOptions { Seed = 3 }, ct);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", r.Value);
        Assert.Equal(FinishReason.Stop, r.FinishReason);
        var g = await model.GenerateTextAsync("", Constraint.Gbnf("root ::= \"yes\" | \"no\""), new GenerationOptions { Seed = 1, Sampler = SamplerKind.Awrs }, ct);
        Assert.Contains(g.Value, new[] { "yes", "no" });
        var free = await model.GenerateTextAsync("", null, new GenerationOptions { Seed = 1, MaxTokens = 5 }, ct);
        Assert.True(free.CompletionTokens <= 5);
        Assert.Equal(free.CompletionTokens == 5 ? FinishReason.Length : FinishReason.Stop, free.FinishReason);
    }

    [Fact]
    public async Task Json_from_a_schema_text()
    {
        using var model = TextModels.Ascii();
        var r = await model.GenerateJsonAsync("", """{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}""", Compact, TestContext.Current.CancellationToken);
        Assert.Contains(r.Value.GetProperty("ok").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
    }

    [Fact]
    public async Task Errors_are_typed_and_say_what_is_wrong()
    {
        using var model = TextModels.Ascii();
        var ct = TestContext.Current.CancellationToken;
        var incomplete = await Assert.ThrowsAsync<IncompleteGenerationException>(() => model.GenerateAsync<Person>("", Compact with { MaxTokens = 3 }, ct));
        Assert.Equal(3, incomplete.Text!.Length);
        Assert.Contains("MaxTokens", incomplete.Message, StringComparison.Ordinal);
        var schema = await Assert.ThrowsAsync<SchemaException>(() => model.GenerateJsonAsync("", """{"type":"object","properties":{"a":{"type":"strang"}}}""", null, ct));
        Assert.Contains("/properties/a", schema.Message, StringComparison.Ordinal);
        var regex = Assert.ThrowsAny<GrammarException>(() => Constraint.Regex("a(b"));
        Assert.Contains("offset", regex.Message, StringComparison.Ordinal);
        var options = Assert.Throws<ArgumentException>(() => model.GenerateStreamingAsync<Person>("", new GenerationOptions { Sampler = SamplerKind.Awrs, Temperature = 0.5 }, ct));
        Assert.Contains("LCD only", options.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GenerateStreamingAsync<Person>("", new GenerationOptions { MaxTokens = 0 }, ct));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => model.GenerateAsync<Person>("", Compact, cts.Token));
    }

    [Fact]
    public async Task Lenient_mode_drops_what_it_cannot_enforce_and_says_so()
    {
        using var model = TextModels.Ascii();
        const string schema = """{"type":"array","items":{"type":"integer","minimum":0,"maximum":3},"maxItems":3,"uniqueItems":true}""";
        var strict = Assert.Throws<SchemaException>(() => Constraint.JsonSchema(schema));
        Assert.Contains("uniqueItems", strict.Message, StringComparison.Ordinal);
        var lenient = await model.GenerateJsonAsync("", schema, Compact with { Lenient = true }, TestContext.Current.CancellationToken);
        Assert.Equal(JsonValueKind.Array, lenient.Value.ValueKind);
        Assert.Contains(lenient.Warnings, w => w.Contains("uniqueItems", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Batching_model_joins_concurrent_generations_without_changing_them()
    {
        using var model = TextModels.Ascii();
        var ct = TestContext.Current.CancellationToken;
        var alone = new List<string>();
        for (int s = 0; s < 6; s++) alone.Add((await model.GenerateAsync<Person>("p", Compact with { Seed = s }, ct)).Text);
        using var batching = new BatchingLanguageModel(model, ownsInner: false);
        var together = await Task.WhenAll(Enumerable.Range(0, 6).Select(s => Task.Run(() => batching.GenerateAsync<Person>("p", Compact with { Seed = s }, ct), ct)));
        Assert.Equal(alone, together.Select(r => r.Text));
        Assert.Equal(together.Sum(r => r.CompletionTokens + 1), batching.RowsScored); // one row per token drawn, end-of-sequence included
    }

    [Fact]
    public async Task Calls_that_arrive_during_a_pass_are_joined_into_the_next_one()
    {
        using var bigram = TextModels.Ascii();
        var gated = new GatedModel(bigram);
        using var batching = new BatchingLanguageModel(gated, ownsInner: false);
        var ct = TestContext.Current.CancellationToken;
        var sequences = Enumerable.Range(0, 4).Select(i => batching.CreateSequence(bigram.EncodePrompt(new string((char)('a' + i), 1)))).ToArray();
        var first = batching.ScoreAsync([sequences[0]], ct);
        await gated.Entered.WaitAsync(ct);          // the first pass is running and held
        var rest = new[] { batching.ScoreAsync([sequences[1], sequences[2]], ct), batching.ScoreAsync([sequences[3]], ct) };
        gated.Release();
        using var a = await first;
        using var b = await rest[0];
        using var c = await rest[1];
        Assert.Equal([1, 3], gated.BatchSizes);      // the two later calls shared one pass
        Assert.Equal((2, 4L), ((int)batching.Passes, batching.RowsScored));
        // Each caller got its own rows: the scores after 'b', 'c' and 'd'.
        using var direct = await bigram.ScoreAsync([bigram.CreateSequence(bigram.EncodePrompt("c"))], ct);
        Assert.Equal(2, b.Count);
        Assert.Equal(direct.LogProb(0, 5), b.LogProb(1, 5));
        Assert.Equal(1, c.Count);
    }

    /// <summary>Holds its first scoring call until released, so that others queue behind it.</summary>
    private sealed class GatedModel(ILanguageModel inner) : ILanguageModel
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<int> BatchSizes { get; } = [];
        public Task Entered => _entered.Task;
        public void Release() => _release.TrySetResult();
        public string Name => inner.Name;
        public Structured.Tokens.TokenVocabulary Vocabulary => inner.Vocabulary;
        public IReadOnlyList<int> EncodePrompt(string prompt) => inner.EncodePrompt(prompt);
        public IModelSequence CreateSequence(IReadOnlyList<int> tokens) => inner.CreateSequence(tokens);

        public async Task<INextTokenScores> ScoreAsync(IReadOnlyList<IModelSequence> sequences, CancellationToken cancellationToken = default)
        {
            lock (BatchSizes) BatchSizes.Add(sequences.Count);
            _entered.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken);
            return await inner.ScoreAsync(sequences, cancellationToken);
        }

        public void Dispose() { }
    }
}
