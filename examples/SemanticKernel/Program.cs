using System.Text.Json;
using Microsoft.SemanticKernel;
using Structured.SemanticKernel;
using Structured.Torch;

using var model = DefaultModel.Load();
var kernel = Kernel.CreateBuilder().AddStructuredChatCompletion(model).Build();

// response_format takes a Type, as with OpenAI's settings; the reply is JSON for that type.
var settings = new StructuredPromptExecutionSettings { ResponseFormat = typeof(Movie), Seed = 1 };
var reply = await kernel.InvokePromptAsync("Describe a movie as JSON.", new KernelArguments(settings));
var movie = JsonSerializer.Deserialize<Movie>(reply.GetValue<string>()!, JsonSerializerOptions.Web)!;
Console.WriteLine($"{movie.Title} ({movie.Year})");

// Or a regex.
var code = await kernel.InvokePromptAsync("A product code:", new KernelArguments(new StructuredPromptExecutionSettings { Regex = "[A-Z]{3}-[0-9]{4}", Seed = 2 }));
Console.WriteLine(code);

public sealed record Movie(string Title, [property: System.ComponentModel.DataAnnotations.Range(1900, 2030)] int Year);
