using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Structured.Cli.Eval;
using Structured.Evaluation;
using Structured.Models;
using Structured.Potentials;

namespace Structured.Cli;

/// <summary><c>structured eval</c>: measurements of the samplers against exact answers.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var eval = new Command("eval", "Measure the samplers against exact answers.");
        eval.Subcommands.Add(Alignment());
        eval.Subcommands.Add(AlignmentSuite.Create());
        eval.Subcommands.Add(SemanticEvaluation.Create());
        return eval;
    }

    private static Command Alignment()
    {
        var constraint = new ConstraintOptions();
        var model = new Option<string>("--model") { Description = "bigram:FILE, the exact test model.", Required = true };
        var sampler = new Option<string>("--sampler") { Description = "lcd, awrs (importance sampling, no resampling), smc (LCD proposals) or awrs-smc.", Required = true };
        var particles = new Option<int>("--particles") { Description = "Particles per run (lcd uses one).", DefaultValueFactory = _ => 1 };
        var samples = new Option<int>("--samples") { Description = "Runs; one text is drawn by weight from each.", DefaultValueFactory = _ => 1000 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Token limit; the target is restricted to texts of at most this many tokens.", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 0 };
        var limit = new Option<long>("--max-sequences") { Description = "Refuse when the exact enumeration would visit more token sequences than this.", DefaultValueFactory = _ => 2_000_000 };
        var resampleFinished = new Option<bool>("--resample-finished") { Description = "Let finished particles take part in SMC resampling (llamppl's smc_standard); by default only live particles are resampled." };
        var command = new Command("alignment",
            "Enumerate the exact posterior (model × constraint, at most --max-tokens tokens) and report total variation, smoothed KL and log Z − mean(log Ẑ) of the sampler's texts.");
        constraint.AddTo(command, withRegex: true);
        foreach (var o in new Option[] { model, sampler, particles, samples, maxTokens, seed, limit, resampleFinished }) command.Options.Add(o);
        command.SetAction(async (result, cancellationToken) =>
        {
            var method = ParseMethod(result.GetValue(sampler)!);
            if (method is null) return ExitCodes.BadConstraint;
            int n = result.GetValue(particles), m = result.GetValue(samples), t = result.GetValue(maxTokens);
            if (n < 1 || m < 1 || t < 1)
            {
                Console.Error.WriteLine("error: --particles, --samples and --max-tokens must be at least 1");
                return ExitCodes.BadConstraint;
            }
            var spec = result.GetValue(model)!;
            if (!spec.StartsWith("bigram:", StringComparison.Ordinal))
            {
                Console.Error.WriteLine("error: eval alignment needs an exact model: --model bigram:FILE");
                return ExitCodes.BadConstraint;
            }
            BigramModel lm;
            try { lm = BigramModel.Load(spec["bigram:".Length..]); }
            catch (ModelLoadException e) { Console.Error.WriteLine($"error: {e.Message}"); return ExitCodes.BadConstraint; }
            var grammar = constraint.Load(result);
            if (grammar is null) return ExitCodes.BadConstraint;
            var compiled = ConstraintOptions.Compile(grammar);
            if (compiled is null) return ExitCodes.BadConstraint;
            var potential = Potential.FromGrammar(compiled);
            ExactPosterior exact;
            try { exact = ExactPosterior.Enumerate(lm, potential, t, result.GetValue(limit)); }
            catch (InvalidOperationException e) { Console.Error.WriteLine($"error: {e.Message}"); return ExitCodes.BadConstraint; }
            if (exact.Probabilities.Count == 0)
            {
                Console.Error.WriteLine($"error: the model gives no text of at most {t} tokens in the language (Z = 0), so there is no posterior to compare with");
                return ExitCodes.BadConstraint;
            }
            var report = await AlignmentEvaluator.EvaluateAsync(lm, potential, exact, method.Value, n, m, t, result.GetValue(seed), result.GetValue(resampleFinished), cancellationToken);
            Console.WriteLine(JsonSerializer.Serialize(Summary(report, exact)));
            return ExitCodes.Accepted;
        });
        return command;
    }

    internal static AlignmentMethod? ParseMethod(string name)
    {
        switch (name)
        {
            case "lcd": return AlignmentMethod.Lcd;
            case "awrs": return AlignmentMethod.Awrs;
            case "smc": return AlignmentMethod.Smc;
            case "awrs-smc": return AlignmentMethod.AwrsSmc;
            default:
                Console.Error.WriteLine($"error: --sampler takes lcd, awrs, smc or awrs-smc, not '{name}'");
                return null;
        }
    }

    internal static string MethodName(AlignmentMethod m) => m switch
    {
        AlignmentMethod.Lcd => "lcd",
        AlignmentMethod.Awrs => "awrs",
        AlignmentMethod.Smc => "smc",
        _ => "awrs-smc",
    };

    private static double? Finite(double x) => double.IsFinite(x) ? x : null;

    internal static object Summary(AlignmentReport r, ExactPosterior exact) => new
    {
        sampler = MethodName(r.Method),
        particles = r.Particles,
        samples = r.Samples,
        support = exact.Probabilities.Count,
        enumerated = exact.Sequences,
        tv = Math.Round(r.TotalVariation, 5),
        kl = Finite(Math.Round(r.KlDivergence, 5)),
        log_z = Math.Round(r.LogZ, 6),
        mean_log_z_hat = Finite(Math.Round(r.MeanLogZHat, 6)),
        gap = Finite(Math.Round(r.Gap, 5)),
        failed = r.Failed,
        invalid = r.Invalid,
    };

    internal static string F(double x, string format = "0.000") => double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "∞";
}
