using System.CommandLine;
using System.Text.Json;
using Structured.Models;
using Structured.Sampling;

namespace Structured.Cli;

/// <summary><c>structured generate</c>: draw texts in the constraint's language from a model, one JSON line each.</summary>
internal static class GenerateCommand
{
    // Quotes and non-ASCII text stay readable; the output is still valid JSON.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var constraint = new ConstraintOptions();
        var prompt = new Option<string>("--prompt") { Description = "The prompt text.", DefaultValueFactory = _ => "" };
        var model = new Option<string>("--model") { Description = "default (the embedded model), a Hugging Face model folder, or bigram:FILE.", DefaultValueFactory = _ => "default" };
        var sampler = new Option<string>("--sampler") { Description = "lcd (locally constrained decoding).", DefaultValueFactory = _ => "lcd" };
        var particles = new Option<int>("--particles") { Description = "SMC particles (with --sampler smc).", DefaultValueFactory = _ => 1 };
        var samples = new Option<int>("--samples") { Description = "How many texts to draw (drawn as one batch).", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 0 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Token limit per text.", DefaultValueFactory = _ => 256 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature (0 = greedy).", DefaultValueFactory = _ => 1.0 };
        var unconstrained = new Option<bool>("--unconstrained") { Description = "Sample the model without the constraint (to compare)." };
        var command = new Command("generate", "Generate texts that the constraint accepts, one JSON object per line: {\"text\", \"tokens\", \"log_weight\"}.");
        constraint.AddTo(command, withRegex: true);
        foreach (var o in new Option[] { prompt, model, sampler, particles, samples, seed, maxTokens, temperature, unconstrained }) command.Options.Add(o);
        command.SetAction(async (result, cancellationToken) =>
        {
            string kind = result.GetValue(sampler)!;
            if (kind is "awrs" or "smc")
            {
                Console.Error.WriteLine($"error: --sampler {kind} is not available in this build yet; use lcd");
                return ExitCodes.BadConstraint;
            }
            if (kind != "lcd")
            {
                Console.Error.WriteLine($"error: --sampler takes lcd, awrs or smc, not '{kind}'");
                return ExitCodes.BadConstraint;
            }
            int count = result.GetValue(samples), limit = result.GetValue(maxTokens);
            double temp = result.GetValue(temperature);
            if (count < 1 || limit < 1 || !(temp >= 0))
            {
                Console.Error.WriteLine("error: --samples and --max-tokens must be at least 1, --temperature at least 0");
                return ExitCodes.BadConstraint;
            }
            var grammar = constraint.Load(result);
            if (grammar is null) return ExitCodes.BadConstraint;
            var compiled = ConstraintOptions.Compile(grammar);
            if (compiled is null) return ExitCodes.BadConstraint;
            using var lm = ModelOption.Open(result.GetValue(model)!);
            if (lm is null) return ExitCodes.BadConstraint;
            var options = new GenerationOptions { MaxTokens = limit, Seed = result.GetValue(seed), Sampling = new SamplingOptions { Temperature = temp } };
            IReadOnlyList<GenerationResult> texts;
            try
            {
                texts = await ConstrainedGenerator.GenerateAsync(lm, result.GetValue(unconstrained) ? null : compiled,
                    Enumerable.Repeat(result.GetValue(prompt)!, count).ToList(), options, cancellationToken);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.BadConstraint;
            }
            foreach (var t in texts)
                Console.WriteLine(JsonSerializer.Serialize(new { text = t.Text, tokens = t.Tokens, log_weight = t.LogWeight, complete = t.Complete }, Readable));
            return ExitCodes.Accepted;
        });
        return command;
    }
}
