using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Structured;
using Structured.Torch;

// The embedded default model: no download, no set-up.
using var model = DefaultModel.Load();

// The schema comes from the type; the model can only write JSON that deserializes to a valid Person.
var result = await model.GenerateAsync<Person>("Return a JSON object for a person.", new GenerationOptions { Seed = 1 });
Console.WriteLine($"{result.Value.Name}, {result.Value.Age} ({result.CompletionTokens} tokens)");
Console.WriteLine(result.Text);

// Streaming: the text as it is written, then the typed value.
var stream = model.GenerateStreamingAsync<Person>("Return a JSON object for a person.", new GenerationOptions { Seed = 2 });
await foreach (var chunk in stream) Console.Write(chunk);
Console.WriteLine();
Console.WriteLine($"streamed: {stream.Result.Value}");

// SMC: the model's own distribution under the constraint, with a posterior over the particles.
var smc = await model.GenerateAsync<Person>("Return a JSON object for a person.", new GenerationOptions { Sampler = SamplerKind.Smc, Particles = 4, Seed = 3 });
Console.WriteLine($"smc: {smc.Value} log Z = {smc.LogMarginalLikelihood:F2}, {smc.Posterior!.Count} distinct texts");

[Description("A person")]
public sealed record Person([property: StringLength(20, MinimumLength = 1)] string Name, [property: Range(0, 120)] int Age);
