using System.ClientModel;
using OpenAI;
using OpenAI.Chat;
using Structured.Server;
using Structured.Torch;

// The server, on a free loopback port (`structured serve` does the same from the command line).
using var model = DefaultModel.Load();
await using var server = StructuredServer.Create(model, new StructuredServerOptions { Urls = "http://127.0.0.1:0", ModelId = "default" });
await server.StartAsync();
var endpoint = new Uri(server.Addresses[0], "v1");
Console.WriteLine($"listening at {endpoint}");

// The official OpenAI client, pointed at it: structured outputs with a strict JSON Schema.
var chat = new ChatClient("default", new ApiKeyCredential("not-needed"), new OpenAIClientOptions { Endpoint = endpoint });
var options = new ChatCompletionOptions
{
    ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("person", BinaryData.FromString("""
        {"type":"object","properties":{"name":{"type":"string","maxLength":20},"age":{"type":"integer","minimum":0,"maximum":120}},
         "required":["name","age"],"additionalProperties":false}
        """), jsonSchemaIsStrict: true),
    Seed = 1,
};
ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Return a JSON object for a person.")], options);
Console.WriteLine(completion.Content[0].Text);

// Streaming.
await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Return a JSON object for a person.")], options))
    foreach (var part in update.ContentUpdate) Console.Write(part.Text);
Console.WriteLine();
await server.StopAsync();
