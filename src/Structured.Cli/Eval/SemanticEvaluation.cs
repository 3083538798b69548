using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using Structured.Potentials;
using Structured.Sampling;

namespace Structured.Cli.Eval;

/// <summary>
/// <c>structured eval semantic</c>: SMC with a semantic critic against LCD. The constraint is the person schema of
/// <c>examples/schemas</c>; the critic asks for what a schema cannot say: the person has an email, and its local
/// part starts with the person's first name in lower case (<c>"Vera Okafor"</c> → <c>vera…@…</c>). The critic's prefix
/// check rejects a particle as soon as its email starts to disagree with its name, so SMC resamples the survivors.
/// </summary>
internal static partial class SemanticEvaluation
{
    [GeneratedRegex("\"name\"\\s*:\\s*\"([^\"\\\\]*)\"")]
    private static partial System.Text.RegularExpressions.Regex NameField();

    [GeneratedRegex("\"email\"\\s*:\\s*\"([^\"@\\\\]*)")]
    private static partial System.Text.RegularExpressions.Regex EmailStart();

    private static string? FirstName(string text)
    {
        var m = NameField().Match(text);
        if (!m.Success) return null;
        var first = new string(m.Groups[1].Value.TrimStart().TakeWhile(char.IsLetter).ToArray()).ToLowerInvariant();
        return first;
    }

    /// <summary>Prefix: no email yet, or its local part so far agrees with the first name. Complete: the local part starts with it.</summary>
    public static Potential EmailMatchesName() => Potential.FromPredicate(
        text =>
        {
            var email = EmailStart().Match(text);
            if (!email.Success) return true;
            var first = FirstName(text);
            if (first is null) return true;
            string local = email.Groups[1].Value.ToLowerInvariant();
            return first.Length > 0 && (local.StartsWith(first, StringComparison.Ordinal) || first.StartsWith(local, StringComparison.Ordinal));
        },
        Satisfies);

    public static bool Satisfies(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return false;
            if (!doc.RootElement.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String) return false;
            if (!doc.RootElement.TryGetProperty("email", out var email) || email.ValueKind != JsonValueKind.String) return false;
            var first = new string(name.GetString()!.TrimStart().TakeWhile(char.IsLetter).ToArray()).ToLowerInvariant();
            return first.Length > 0 && email.GetString()!.ToLowerInvariant().StartsWith(first, StringComparison.Ordinal);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static Command Create()
    {
        var schema = new Option<FileInfo>("--schema") { Description = "The person schema.", DefaultValueFactory = _ => new FileInfo("examples/schemas/person.schema.json") };
        var model = new Option<string>("--model") { Description = "default or a Hugging Face folder.", DefaultValueFactory = _ => "default" };
        var runs = new Option<int>("--runs") { Description = "Runs of each method.", DefaultValueFactory = _ => 100 };
        var particles = new Option<int>("--particles") { Description = "SMC particles.", DefaultValueFactory = _ => 8 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Token limit.", DefaultValueFactory = _ => 60 };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };
        var command = new Command("semantic", "SMC with a semantic critic (the email starts with the first name) against LCD: the share of outputs that satisfy it.")
            { schema, model, runs, particles, maxTokens, seed };
        command.SetAction(async (r, cancellationToken) =>
        {
            var grammar = Schemas.JsonSchema.Compile(File.ReadAllText(r.GetValue(schema)!.FullName));
            using var lm = ModelOption.Open(r.GetValue(model)!);
            if (lm is null) return ExitCodes.BadConstraint;
            const string prompt = "Return a JSON object for a person.";
            int n = r.GetValue(runs), t = r.GetValue(maxTokens), s = r.GetValue(seed);
            var lcd = await ConstrainedGenerator.GenerateAsync(lm, grammar, Enumerable.Repeat(prompt, n).ToList(), new LcdBatchOptions { MaxTokens = t, Seed = s }, cancellationToken);
            int lcdOk = lcd.Count(x => x.Complete && Satisfies(x.Text));
            Console.WriteLine(JsonSerializer.Serialize(new { method = "lcd", runs = n, satisfying = lcdOk, share = lcdOk / (double)n, example = lcd.FirstOrDefault(x => Satisfies(x.Text))?.Text }));
            var condition = Potential.FromGrammar(grammar);
            var critic = EmailMatchesName();
            int smcOk = 0, failed = 0;
            string? example = null;
            using var progress = new ConsoleProgress("smc runs", n);
            for (int i = 0; i < n; i++)
            {
                progress.Advance();
                var run = await SequentialMonteCarlo.RunAsync(lm, new AwrsSampler(condition, lm.Vocabulary), prompt,
                    new SmcOptions { Particles = r.GetValue(particles), MaxTokens = t, Seed = s + i, Critic = critic }, cancellationToken);
                if (run.Sample is null) { failed++; continue; }
                if (Satisfies(run.Sample.Text)) { smcOk++; example ??= run.Sample.Text; }
            }
            Console.WriteLine(JsonSerializer.Serialize(new { method = "awrs-smc+critic", runs = n, particles = r.GetValue(particles), satisfying = smcOk, share = smcOk / (double)n, failed, example }));
            return ExitCodes.Accepted;
        });
        return command;
    }
}
