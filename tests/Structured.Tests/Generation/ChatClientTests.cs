using System.Text.Json;
using Microsoft.Extensions.AI;
using Structured.Chat;
using Structured.Models;
using Structured.Schemas;

namespace Structured.Tests.Generation;

public sealed class ChatClientTests
{
    private static StructuredChatClient Client(BigramModel model) =>
        new(model, new StructuredChatClientOptions { Generation = new GenerationOptions { Whitespace = JsonWhitespace.Compact }, ModelId = "ascii-test" });

    [Fact]
    public async Task GetResponseAsync_of_T_returns_valid_values_for_objects_and_wrapped_roots()
    {
        using var model = TextModels.Ascii();
        using var client = Client(model);
        var ct = TestContext.Current.CancellationToken;
        for (int seed = 0; seed < 3; seed++)
        {
            var options = new ChatOptions { Seed = seed };
            var person = await client.GetResponseAsync<Person>("Give a person.", options, cancellationToken: ct);
            Assert.True(person.TryGetResult(out var p), person.Text);
            Assert.InRange(p!.Age, 0, 150);
            // Roots that are not objects arrive wrapped as {"data": …}; the wrapper is generated and unwrapped.
            var number = await client.GetResponseAsync<int>("A number.", options, cancellationToken: ct);
            Assert.True(number.TryGetResult(out _), number.Text);
            Assert.Equal(["data"], JsonDocument.Parse(number.Text).RootElement.EnumerateObject().Select(p => p.Name)); // keys may be spelt with \u escapes
            var mood = await client.GetResponseAsync<Mood>("A mood.", options, cancellationToken: ct);
            Assert.True(mood.TryGetResult(out var m), mood.Text);
            Assert.True(Enum.IsDefined(m));
            var tags = await client.GetResponseAsync<List<string>>("Tags.", options, cancellationToken: ct);
            Assert.True(tags.TryGetResult(out var t), tags.Text);
            Assert.NotNull(t);
            Assert.Equal(ChatFinishReason.Stop, tags.FinishReason);
        }
    }

    [Fact]
    public async Task Response_formats_text_json_schema_and_the_openai_envelope()
    {
        using var model = TextModels.Ascii();
        using var client = Client(model);
        var ct = TestContext.Current.CancellationToken;
        var json = await client.GetResponseAsync("x", new ChatOptions { ResponseFormat = ChatResponseFormat.Json, Seed = 2 }, ct);
        using (JsonDocument.Parse(json.Text)) { }
        const string schema = """{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"],"additionalProperties":false}""";
        var envelope = JsonDocument.Parse("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"Answer\",\"strict\":true,\"schema\":" + schema + "}}").RootElement;
        var wrapped = await client.GetResponseAsync("x", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(envelope), Seed = 2 }, ct);
        var ok = JsonDocument.Parse(wrapped.Text).RootElement;
        Assert.Equal(["ok"], ok.EnumerateObject().Select(p => p.Name));
        Assert.Contains(ok.GetProperty("ok").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        var bare = await client.GetResponseAsync("x", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse(schema).RootElement), Seed = 2 }, ct);
        Assert.Equal(wrapped.Text, bare.Text);
        var text = await client.GetResponseAsync("x", new ChatOptions { ResponseFormat = ChatResponseFormat.Text, Seed = 2, MaxOutputTokens = 4 }, ct);
        Assert.True(text.Usage!.OutputTokenCount <= 4);
    }

    [Fact]
    public async Task Grammar_and_regex_arrive_through_additional_properties()
    {
        using var model = TextModels.Ascii();
        using var client = Client(model);
        var ct = TestContext.Current.CancellationToken;
        var regex = await client.GetResponseAsync("x", new ChatOptions { Seed = 1, AdditionalProperties = new() { ["regex"] = "[a-c]{2,4}" } }, ct);
        Assert.Matches("^[a-c]{2,4}$", regex.Text);
        var gbnf = await client.GetResponseAsync("x", new ChatOptions { Seed = 1, AdditionalProperties = new() { ["grammar"] = "root ::= \"red\" | \"green\"" } }, ct);
        Assert.Contains(gbnf.Text, new[] { "red", "green" });
        var lark = await client.GetResponseAsync("x", new ChatOptions
        {
            Seed = 1, AdditionalProperties = new() { ["grammar"] = "start: \"up\" | \"down\"", ["grammar_syntax"] = "lark", ["sampler"] = "smc", ["particles"] = 3 },
        }, ct);
        Assert.Contains(lark.Text, new[] { "up", "down" });
        var g4 = await client.GetResponseAsync("x", new ChatOptions
        {
            Seed = 1, AdditionalProperties = new() { ["grammar"] = "grammar G; pair : '(' INT ',' INT ')' ; INT : [0-9]+ ;", ["grammar_syntax"] = "g4" },
        }, ct);
        Assert.Matches(@"^\([0-9]+,[0-9]+\)$", g4.Text);
        Assert.True(lark.Messages[^1].Contents.Count > 0);
        await Assert.ThrowsAsync<SchemaException>(() => client.GetResponseAsync("x",
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse("""{"type":"nope"}""").RootElement) }, ct));
        await Assert.ThrowsAnyAsync<GrammarException>(() => client.GetResponseAsync("x", new ChatOptions { AdditionalProperties = new() { ["grammar"] = "root ::= (" } }, ct));
    }

    [Fact]
    public async Task Streaming_updates_join_to_the_same_response_with_finish_reason_and_usage()
    {
        using var model = TextModels.Ascii();
        using var client = Client(model);
        var ct = TestContext.Current.CancellationToken;
        var options = new ChatOptions { Seed = 5, ResponseFormat = ChatResponseFormat.ForJsonSchema<Person>() };
        var whole = await client.GetResponseAsync("Give a person.", options, ct);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync("Give a person.", options, ct)) updates.Add(u);
        Assert.True(updates.Count > 2);
        var joined = updates.ToChatResponse();
        Assert.Equal(whole.Text, joined.Text);
        Assert.Equal(ChatFinishReason.Stop, joined.FinishReason);
        Assert.Equal("ascii-test", joined.ModelId);
        Assert.Equal(whole.Text.Length, joined.Usage!.OutputTokenCount);
        Assert.Equal("Give a person.\n".Length, joined.Usage.InputTokenCount);
        var cut = await client.GetResponseAsync("Give a person.", new ChatOptions { Seed = 5, ResponseFormat = options.ResponseFormat, MaxOutputTokens = 3 }, ct);
        Assert.Equal(ChatFinishReason.Length, cut.FinishReason);
    }

    [Fact]
    public void GetService_reports_metadata_and_the_model()
    {
        using var model = TextModels.Ascii();
        using var client = Client(model);
        var metadata = client.GetService<ChatClientMetadata>();
        Assert.Equal("structured", metadata!.ProviderName);
        Assert.Equal("ascii-test", metadata.DefaultModelId);
        Assert.Same(model, client.GetService<ILanguageModel>());
        Assert.Same(client, client.GetService<StructuredChatClient>());
        Assert.Null(client.GetService<ChatClientMetadata>("some key"));
    }

    [Fact]
    public void Chat_templates_render_each_family_and_are_read_from_the_model_folder()
    {
        ChatTurn[] turns = [new("system", "Be brief."), new("user", "Hi"), new("assistant", "Hello"), new("user", "Bye")];
        Assert.Equal("Be brief.\n\nHi\n\nHello\n\nBye\n", ChatTemplate.Plain.Render(turns));
        Assert.Equal("<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHello<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n", ChatTemplate.Llama3.Render(turns));
        Assert.Equal("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
            ChatTemplate.ChatMl("You are a helpful assistant.").Render([new("user", "Hi")]));
        Assert.Equal("[INST] Be brief.\n\nHi [/INST] Hello</s>[INST] Bye [/INST]", ChatTemplate.Mistral.Render(turns));

        string dir = Directory.CreateTempSubdirectory("chat-template").FullName;
        try
        {
            Assert.Same(ChatTemplate.Plain, ChatTemplate.FromModelFolder(dir));
            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"chat_template":"{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}You are a helpful assistant."}""");
            Assert.Equal("chatml", ChatTemplate.FromModelFolder(dir).Name);
            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"chat_template":[{"name":"default","template":"<|start_header_id|>"},{"name":"tool_use","template":"[INST]"}]}""");
            Assert.Same(ChatTemplate.Llama3, ChatTemplate.FromModelFolder(dir));
            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), "{not json");
            Assert.Throws<ModelLoadException>(() => ChatTemplate.FromModelFolder(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
