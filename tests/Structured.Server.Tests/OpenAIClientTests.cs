using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using Structured.Server;
using Structured.Tests.Generation;

namespace Structured.Server.Tests;

/// <summary>One server on a free loopback port, over the ASCII bigram model, shared by the tests.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public Structured.Models.BigramModel Model { get; } = TextModels.Ascii();

    public StructuredServer Server { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Server = StructuredServer.Create(Model, new StructuredServerOptions
        {
            Urls = "http://127.0.0.1:0", ModelId = "ascii", MaxRequestBodyBytes = 64 * 1024, MaxTokens = 400,
            Generation = new GenerationOptions { Whitespace = Schemas.JsonWhitespace.Compact },
        });
        await Server.StartAsync();
        BaseAddress = Server.Addresses[0];
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync();
        await Server.DisposeAsync();
        Model.Dispose();
    }

    public ChatClient Chat() => new("ascii", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(BaseAddress, "v1") });
}

public sealed class OpenAIClientTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string PersonSchema = """
        {"type":"object","properties":{"name":{"type":"string","maxLength":10},"age":{"type":"integer","minimum":0,"maximum":120}},
         "required":["name","age"],"additionalProperties":false}
        """;

    private static ChatCompletionOptions Schema(long seed) => new()
    {
        ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("person", BinaryData.FromString(PersonSchema), jsonSchemaIsStrict: true),
        Seed = seed,
    };

    [Fact]
    public async Task Structured_output_with_a_strict_json_schema()
    {
        var ct = TestContext.Current.CancellationToken;
        var constraint = Constraint.JsonSchema(PersonSchema, new Schemas.JsonSchemaOptions { Whitespace = Schemas.JsonWhitespace.Compact });
        for (int seed = 0; seed < 4; seed++)
        {
            ChatCompletion completion = await server.Chat().CompleteChatAsync([new SystemChatMessage("You write people."), new UserChatMessage("One person.")], Schema(seed), ct);
            string text = completion.Content[0].Text;
            Assert.True(constraint.Accepts(text), text);
            var person = JsonDocument.Parse(text).RootElement;
            Assert.InRange(person.GetProperty("age").GetInt32(), 0, 120);
            Assert.Equal(OpenAI.Chat.ChatFinishReason.Stop, completion.FinishReason);
            Assert.Equal("ascii", completion.Model);
            Assert.Equal(text.Length, completion.Usage.OutputTokenCount);
            Assert.True(completion.Usage.InputTokenCount > 0);
        }
    }

    [Fact]
    public async Task Streaming_sends_the_same_text_in_chunks_then_the_finish_reason_and_usage()
    {
        var ct = TestContext.Current.CancellationToken;
        var chat = server.Chat();
        ChatCompletion whole = await chat.CompleteChatAsync([new UserChatMessage("One person.")], Schema(9), ct);
        var text = new StringBuilder();
        int chunks = 0;
        OpenAI.Chat.ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("One person.")], Schema(9), ct))
        {
            foreach (var part in update.ContentUpdate) { text.Append(part.Text); chunks++; }
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }
        Assert.Equal(whole.Content[0].Text, text.ToString());
        Assert.True(chunks > 2);
        Assert.Equal(OpenAI.Chat.ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(whole.Usage.OutputTokenCount, usage.OutputTokenCount);
    }

    [Fact]
    public async Task Json_object_and_text_formats_and_the_length_finish_reason()
    {
        var ct = TestContext.Current.CancellationToken;
        ChatCompletion json = await server.Chat().CompleteChatAsync([new UserChatMessage("{")], new ChatCompletionOptions { ResponseFormat = ChatResponseFormat.CreateJsonObjectFormat(), Seed = 3 }, ct);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(json.Content[0].Text).RootElement.ValueKind);
        ChatCompletion text = await server.Chat().CompleteChatAsync([new UserChatMessage("Say something.")], new ChatCompletionOptions { MaxOutputTokenCount = 3, Seed = 3 }, ct);
        Assert.True(text.Usage.OutputTokenCount <= 3);
        ChatCompletion cut = await server.Chat().CompleteChatAsync([new UserChatMessage("x")], new ChatCompletionOptions { ResponseFormat = Schema(1).ResponseFormat, MaxOutputTokenCount = 2 }, ct);
        Assert.Equal(OpenAI.Chat.ChatFinishReason.Length, cut.FinishReason);
    }

    [Fact]
    public async Task A_bad_schema_is_a_400_that_names_where_and_why()
    {
        var ct = TestContext.Current.CancellationToken;
        var bad = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("bad", BinaryData.FromString("""{"type":"object","properties":{"a":{"type":"integer","minimum":"zero"}}}""")),
        };
        var e = await Assert.ThrowsAsync<ClientResultException>(() => server.Chat().CompleteChatAsync([new UserChatMessage("x")], bad, ct));
        Assert.Equal(400, e.Status);
        Assert.Contains("/properties/a", e.Message, StringComparison.Ordinal);
        Assert.Contains("minimum", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_are_listed()
    {
        var models = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.BaseAddress, "v1") }).GetOpenAIModelClient();
        var list = await models.GetModelsAsync(TestContext.Current.CancellationToken);
        Assert.Equal("ascii", Assert.Single(list.Value).Id);
    }

    [Theory]
    [InlineData("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],", 400, "invalid_request_error", "parse")]
    [InlineData("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"frobnicate\":1}", 400, "frobnicate", "Unrecognized request argument")]
    [InlineData("/v1/chat/completions", "{\"messages\":[]}", 400, "messages", "at least one message")]
    [InlineData("/v1/chat/completions", "{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}", 400, "messages[0].role", "must be system")]
    [InlineData("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"hot\"}", 400, "temperature", "must be a number")]
    [InlineData("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":100000}", 400, "max_tokens", "between 1 and 400")]
    [InlineData("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"yaml\"}}", 400, "response_format.type", "json_schema")]
    [InlineData("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"regex\":\"a(b\"}", 400, "response_format", "offset")]
    [InlineData("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"sampler\":\"awrs\",\"temperature\":0.5}", 400, "LCD only", "LCD only")]
    [InlineData("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":3}", 400, "\"n\"", "n must be 1")]
    [InlineData("/v1/completions", "{}", 400, "prompt", "'prompt' is required")]
    [InlineData("/v1/nothing", "{}", 404, "unknown_url", "Unknown request URL")]
    public async Task Bad_requests_get_openai_errors(string path, string body, int status, string mention, string message)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(status, (int)response.StatusCode);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(mention, text, StringComparison.Ordinal);
        Assert.True(error.TryGetProperty("type", out _) && error.TryGetProperty("param", out _) && error.TryGetProperty("code", out _));
    }

    [Fact]
    public async Task Oversized_bodies_and_wrong_content_types_are_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        string huge = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', 100_000) + "\"}]}";
        using var big = await http.PostAsync("/v1/chat/completions", new StringContent(huge, Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        Assert.Contains("larger than", await big.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        using var form = await http.PostAsync("/v1/chat/completions", new StringContent("messages=x", Encoding.UTF8, "text/plain"), ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
    }

    [Fact]
    public async Task Text_completions_with_a_grammar_and_server_sent_events()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var plain = await http.PostAsync("/v1/completions", new StringContent("""{"prompt":"answer: ","grammar":"root ::= \"yes\" | \"no\"","seed":4}""", Encoding.UTF8, "application/json"), ct);
        var body = JsonDocument.Parse(await plain.Content.ReadAsStringAsync(ct)).RootElement;
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        Assert.Contains(body.GetProperty("choices")[0].GetProperty("text").GetString(), new[] { "yes", "no" });
        using var streamed = await http.PostAsync("/v1/completions", new StringContent("""{"prompt":"n=","regex":"[0-9]{3}","stream":true}""", Encoding.UTF8, "application/json"), ct);
        Assert.Equal("text/event-stream", streamed.Content.Headers.ContentType?.MediaType);
        var events = (await streamed.Content.ReadAsStringAsync(ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1]);
        string digits = string.Concat(events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement.GetProperty("choices")[0].GetProperty("text").GetString()));
        Assert.Matches("^[0-9]{3}$", digits);
    }

    [Fact]
    public async Task Concurrent_requests_share_forward_passes()
    {
        var ct = TestContext.Current.CancellationToken;
        // A model whose forward pass takes a few milliseconds, as a real one does, so that requests overlap.
        using var slow = new SlowModel(Structured.Tests.Generation.TextModels.Ascii(), TimeSpan.FromMilliseconds(3));
        await using var own = StructuredServer.Create(slow, new StructuredServerOptions { Urls = "http://127.0.0.1:0", ModelId = "ascii" });
        await own.StartAsync(ct);
        var chat = new ChatClient("ascii", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(own.Addresses[0], "v1") });
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => chat.CompleteChatAsync([new UserChatMessage("One person.")], Schema(100 + i), ct)));
        foreach (ChatCompletion c in results) Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(c.Content[0].Text).RootElement.ValueKind);
        var (passes, rows) = own.Batching;
        Assert.True(rows >= 1.5 * passes, $"{rows} rows in {passes} passes");
        await own.StopAsync(ct);
    }

    private sealed class SlowModel(Structured.Models.ILanguageModel inner, TimeSpan delay) : Structured.Models.ILanguageModel
    {
        public string Name => inner.Name;
        public Structured.Tokens.TokenVocabulary Vocabulary => inner.Vocabulary;
        public IReadOnlyList<int> EncodePrompt(string prompt) => inner.EncodePrompt(prompt);
        public Structured.Models.IModelSequence CreateSequence(IReadOnlyList<int> tokens) => inner.CreateSequence(tokens);

        public async Task<Structured.Models.INextTokenScores> ScoreAsync(IReadOnlyList<Structured.Models.IModelSequence> sequences, CancellationToken cancellationToken = default)
        {
            await Task.Delay(delay, cancellationToken);
            return await inner.ScoreAsync(sequences, cancellationToken);
        }

        public void Dispose() => inner.Dispose();
    }
}
