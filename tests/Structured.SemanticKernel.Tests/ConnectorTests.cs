using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Services;
using Microsoft.SemanticKernel.TextGeneration;
using Structured.Chat;
using Structured.SemanticKernel;
using Structured.Tests.Generation;

namespace Structured.SemanticKernel.Tests;

public sealed record City(string Name, [property: Range(0, 50_000_000)] int Population);

public sealed class ConnectorTests
{
    private static readonly StructuredChatClientOptions Compact = new() { Generation = new GenerationOptions { Whitespace = Schemas.JsonWhitespace.Compact }, ModelId = "ascii" };

    private static Kernel ChatKernel(Structured.Models.BigramModel model) =>
        Kernel.CreateBuilder().AddStructuredChatCompletion(model, Compact).Build();

    [Fact]
    public async Task InvokePromptAsync_with_a_Type_returns_json_that_deserializes()
    {
        using var model = TextModels.Ascii();
        var kernel = ChatKernel(model);
        var ct = TestContext.Current.CancellationToken;
        var constraint = Constraint.For<City>(new Schemas.JsonSchemaOptions { Whitespace = Schemas.JsonWhitespace.Compact });
        for (int seed = 0; seed < 3; seed++)
        {
            var settings = new StructuredPromptExecutionSettings { ResponseFormat = typeof(City), Seed = seed };
            var result = await kernel.InvokePromptAsync("Name a city.", new KernelArguments(settings), cancellationToken: ct);
            string text = result.GetValue<string>()!;
            Assert.True(constraint.Accepts(text), text);
            var city = JsonSerializer.Deserialize<City>(text, AIJsonUtilities.DefaultOptions)!;
            Assert.InRange(city.Population, 0, 50_000_000);
        }
    }

    [Fact]
    public async Task Schema_envelope_json_object_and_text_formats()
    {
        using var model = TextModels.Ascii();
        var kernel = ChatKernel(model);
        var ct = TestContext.Current.CancellationToken;
        const string schema = """{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"],"additionalProperties":false}""";
        var envelope = JsonDocument.Parse("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"answer\",\"strict\":true,\"schema\":" + schema + "}}").RootElement;
        foreach (var format in new object[] { envelope, JsonDocument.Parse(schema).RootElement })
        {
            var r = await kernel.InvokePromptAsync("ok?", new KernelArguments(new StructuredPromptExecutionSettings { ResponseFormat = format, Seed = 1 }), cancellationToken: ct);
            var ok = JsonDocument.Parse(r.GetValue<string>()!).RootElement;
            Assert.Contains(ok.GetProperty("ok").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        }
        var json = await kernel.InvokePromptAsync("{", new KernelArguments(new StructuredPromptExecutionSettings { ResponseFormat = "json_object", Seed = 1 }), cancellationToken: ct);
        using (JsonDocument.Parse(json.GetValue<string>()!)) { }
        var text = await kernel.InvokePromptAsync("hi", new KernelArguments(new StructuredPromptExecutionSettings { ResponseFormat = "text", MaxTokens = 4, Seed = 1 }), cancellationToken: ct);
        Assert.True(text.GetValue<string>()!.Length <= 4);
        var regex = await kernel.InvokePromptAsync("code:", new KernelArguments(new StructuredPromptExecutionSettings { Regex = "[A-Z]{3}-[0-9]{2}", Seed = 1 }), cancellationToken: ct);
        Assert.Matches("^[A-Z]{3}-[0-9]{2}$", regex.GetValue<string>()!);
    }

    [Fact]
    public async Task Plain_settings_with_extension_data_work_as_openai_settings_do()
    {
        using var model = TextModels.Ascii();
        var kernel = ChatKernel(model);
        var settings = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["response_format"] = "json_object", ["seed"] = 3 } };
        var r = await kernel.InvokePromptAsync("{", new KernelArguments(settings), cancellationToken: TestContext.Current.CancellationToken);
        using (JsonDocument.Parse(r.GetValue<string>()!)) { }
    }

    [Fact]
    public async Task Chat_service_streams_and_text_service_continues_raw_prompts()
    {
        using var model = TextModels.Ascii();
        var ct = TestContext.Current.CancellationToken;
        var kernel = Kernel.CreateBuilder().AddStructuredChatCompletion(model, Compact).AddStructuredTextGeneration(model, Compact).Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        var history = new ChatHistory("You answer in JSON.");
        history.AddUserMessage("A city?");
        var settings = new StructuredPromptExecutionSettings { ResponseFormat = typeof(City), Seed = 4 };
        var whole = await chat.GetChatMessageContentAsync(history, settings, kernel, ct);
        var streamed = string.Concat(await chat.GetStreamingChatMessageContentsAsync(history, settings, kernel, ct).Select(c => c.Content).ToListAsync(ct));
        Assert.Equal(whole.Content, streamed);
        Assert.Equal("ascii", AIServiceExtensions.GetModelId(chat));

        var text = kernel.GetRequiredService<ITextGenerationService>();
        var grammar = new StructuredPromptExecutionSettings { Grammar = "root ::= [0-9]+ \" apples\"", Seed = 2 };
        var contents = await text.GetTextContentsAsync("I have ", grammar, kernel, ct);
        Assert.Matches("^[0-9]+ apples$", contents[0].Text!);
        var chunks = await text.GetStreamingTextContentsAsync("I have ", grammar, kernel, ct).Select(c => c.Text).ToListAsync(ct);
        Assert.Equal(contents[0].Text, string.Concat(chunks));
        Assert.Equal("ascii", AIServiceExtensions.GetModelId(text));
    }

    [Fact]
    public async Task Service_collection_registration_with_a_service_id()
    {
        using var model = TextModels.Ascii();
        var services = new ServiceCollection();
        services.AddStructuredChatCompletion(_ => model, Compact, serviceId: "local");
        await using var provider = services.BuildServiceProvider();
        var chat = provider.GetRequiredKeyedService<IChatCompletionService>("local");
        var reply = await chat.GetChatMessageContentAsync("Yes or no?", new StructuredPromptExecutionSettings { Regex = "yes|no", Seed = 1 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains(reply.Content, new[] { "yes", "no" });
    }

    [Fact]
    public async Task A_bad_schema_fails_with_its_location()
    {
        using var model = TextModels.Ascii();
        var kernel = ChatKernel(model);
        var bad = JsonDocument.Parse("""{"type":"object","properties":{"n":{"type":"integer","maximum":"ten"}}}""").RootElement;
        var e = await Assert.ThrowsAnyAsync<Exception>(() => kernel.InvokePromptAsync("x", new KernelArguments(new StructuredPromptExecutionSettings { ResponseFormat = bad }), cancellationToken: TestContext.Current.CancellationToken));
        var schemaError = e as Schemas.SchemaException ?? e.InnerException as Schemas.SchemaException;
        Assert.NotNull(schemaError);
        Assert.Contains("/properties/n/maximum", schemaError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_round_trip_through_json_with_a_Type_as_its_schema()
    {
        var settings = new StructuredPromptExecutionSettings { ResponseFormat = typeof(City), Sampler = "smc", Particles = 4 };
        string json = JsonSerializer.Serialize(settings);
        var back = JsonSerializer.Deserialize<StructuredPromptExecutionSettings>(json)!;
        var schema = Assert.IsType<JsonElement>(back.ResponseFormat);
        Assert.Equal(["name", "population"], schema.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.Equal("smc", back.Sampler);
        Assert.Equal(4, back.Particles);
        var frozen = (StructuredPromptExecutionSettings)settings.Clone();
        frozen.Freeze();
        Assert.Throws<InvalidOperationException>(() => frozen.Seed = 1);
    }
}
