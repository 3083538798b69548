using Microsoft.Extensions.AI;
using Structured.Chat;
using Structured.Torch;

// Any Structured model as a Microsoft.Extensions.AI IChatClient.
using IChatClient client = new StructuredChatClient(DefaultModel.Load(), ownsModel: true);

// GetResponseAsync<T> sends the schema of T as the response format; the client enforces it while decoding.
var city = await client.GetResponseAsync<City>("Describe a city as JSON.", new ChatOptions { Seed = 1 });
Console.WriteLine(city.TryGetResult(out var c) ? $"{c.Name}: {c.Population} people" : "no result");

// Grammars and regexes travel in AdditionalProperties.
var date = await client.GetResponseAsync("Pick a date.", new ChatOptions { Seed = 2, AdditionalProperties = new() { ["regex"] = @"20[0-9]{2}-(0[1-9]|1[0-2])-[0-2][0-9]" } });
Console.WriteLine($"date: {date.Text} ({date.FinishReason}, {date.Usage?.OutputTokenCount} tokens)");

// Streaming updates.
await foreach (var update in client.GetStreamingResponseAsync("Say something.", new ChatOptions { Seed = 3, MaxOutputTokens = 24 }))
    Console.Write(update.Text);
Console.WriteLine();
Console.WriteLine(client.GetService<ChatClientMetadata>()?.DefaultModelId);

public sealed record City(string Name, int Population);
