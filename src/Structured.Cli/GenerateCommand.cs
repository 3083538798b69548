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
        var sampler = new Option<string>("--sampler")
        {
            Description = "lcd (locally constrained decoding), awrs (adaptive weighted rejection sampling) or smc (sequential Monte Carlo; one line per run).",
            DefaultValueFactory = _ => "lcd",
        };
        var proposal = new Option<string>("--proposal") { Description = "SMC's token sampler: awrs (default) or lcd.", DefaultValueFactory = _ => "awrs" };
        var particles = new Option<int>("--particles") { Description = "SMC particles per run (with --sampler smc).", DefaultValueFactory = _ => 8 };
        var ess = new Option<double>("--ess") { Description = "SMC resamples when the effective sample size falls below this share of the particles.", DefaultValueFactory = _ => 0.5 };
        var samples = new Option<int>("--samples") { Description = "How many texts to draw (drawn as one batch).", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 0 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Token limit per text.", DefaultValueFactory = _ => 256 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature (0 = greedy).", DefaultValueFactory = _ => 1.0 };
        var unconstrained = new Option<bool>("--unconstrained") { Description = "Sample the model without the constraint (to compare)." };
        var command = new Command("generate", "Generate texts that the constraint accepts, one JSON object per line: {\"text\", \"tokens\", \"log_weight\"}.");
        constraint.AddTo(command, withRegex: true);
        var fimPrefix = new Option<FileInfo?>("--fim-prefix") { Description = "Fill-in-the-middle: the text before the generated middle (the prompt is made from it and the suffix)." };
        var fimSuffix = new Option<FileInfo?>("--fim-suffix") { Description = "Fill-in-the-middle: the text after the generated middle." };
        foreach (var o in new Option[] { prompt, model, sampler, proposal, particles, ess, samples, seed, maxTokens, temperature, unconstrained, fimPrefix, fimSuffix }) command.Options.Add(o);
        command.SetAction(async (result, cancellationToken) =>
        {
            string kind = result.GetValue(sampler)!, proposalKind = result.GetValue(proposal)!;
            if (kind is not ("lcd" or "awrs" or "smc"))
            {
                Console.Error.WriteLine($"error: --sampler takes lcd, awrs or smc, not '{kind}'");
                return ExitCodes.BadConstraint;
            }
            if (proposalKind is not ("lcd" or "awrs"))
            {
                Console.Error.WriteLine($"error: --proposal takes awrs or lcd, not '{proposalKind}'");
                return ExitCodes.BadConstraint;
            }
            int count = result.GetValue(samples), limit = result.GetValue(maxTokens), n = result.GetValue(particles);
            double temp = result.GetValue(temperature), threshold = result.GetValue(ess);
            if (count < 1 || limit < 1 || n < 1 || !(temp >= 0) || !(threshold >= 0 && threshold <= 1))
            {
                Console.Error.WriteLine("error: --samples, --particles and --max-tokens must be at least 1, --temperature at least 0, --ess in [0, 1]");
                return ExitCodes.BadConstraint;
            }
            if (kind != "lcd" && (temp != 1 || result.GetValue(unconstrained)))
            {
                Console.Error.WriteLine($"error: --sampler {kind} targets the model's own distribution under the constraint: it takes neither --temperature nor --unconstrained (use lcd)");
                return ExitCodes.BadConstraint;
            }
            var grammar = constraint.Load(result);
            if (grammar is null) return ExitCodes.BadConstraint;
            var compiled = ConstraintOptions.Compile(grammar);
            if (compiled is null) return ExitCodes.BadConstraint;
            using var lm = ModelOption.Open(result.GetValue(model)!);
            if (lm is null) return ExitCodes.BadConstraint;
            if (result.GetValue(fimPrefix) is not null || result.GetValue(fimSuffix) is not null)
            {
                if (result.GetValue(prompt) is { Length: > 0 })
                {
                    Console.Error.WriteLine("error: with --fim-prefix/--fim-suffix the prompt is made from them; leave out --prompt");
                    return ExitCodes.BadConstraint;
                }
                return await MiddleAsync(lm, compiled, result.GetValue(fimPrefix), result.GetValue(fimSuffix), new GenerationOptions
                {
                    Sampler = Enum.Parse<SamplerKind>(kind, ignoreCase: true), Proposal = Enum.Parse<SamplerKind>(proposalKind, ignoreCase: true),
                    Particles = n, EssThreshold = threshold, MaxTokens = limit, Temperature = temp,
                }, count, result.GetValue(seed), result.GetValue(unconstrained), cancellationToken);
            }
            if (kind != "lcd")
            {
                try
                {
                    await WeightedAsync(lm, compiled, kind, proposalKind, result.GetValue(prompt)!, count, n, threshold, limit, result.GetValue(seed), cancellationToken);
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    return ExitCodes.BadConstraint;
                }
                return ExitCodes.Accepted;
            }
            var options = new LcdBatchOptions { MaxTokens = limit, Seed = result.GetValue(seed), Sampling = new SamplingOptions { Temperature = temp } };
            IReadOnlyList<LcdBatchResult> texts;
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

    // One JSON line per middle; "complete" says whether prefix + middle + suffix is a sentence (checked on the whole
    // text, so it also means something for --unconstrained).
    private static async Task<int> MiddleAsync(ILanguageModel lm, Parsing.CompiledGrammar grammar, FileInfo? prefixFile, FileInfo? suffixFile,
        GenerationOptions options, int count, int seed, bool unconstrained, CancellationToken cancellationToken)
    {
        if (!FillInTheMiddleContext.TryRead(prefixFile, suffixFile, out var before, out var after)) return ExitCodes.BadConstraint;
        string prefix = System.Text.Encoding.UTF8.GetString(before), suffix = System.Text.Encoding.UTF8.GetString(after);
        Constraint middle;
        try
        {
            middle = Constraint.Middle(Constraint.FromCompiled(grammar), prefix, suffix);
        }
        catch (GrammarException e)
        {
            return FillInTheMiddleContext.Fail(e);
        }
        for (int i = 0; i < count; i++)
        {
            var run = options with { Seed = seed + i };
            GenerationResult<string> r;
            try
            {
                // The middle constraint is built once and reused: its potential already starts after the prefix.
                r = await lm.GenerateTextAsync(FillInTheMiddlePrompt.For(lm.Vocabulary, prefix, suffix), unconstrained ? null : middle, run, cancellationToken);
            }
            catch (GenerationException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Rejected;
            }
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                text = r.Text, tokens = r.CompletionTokens, log_weight = Finite(r.LogWeight), complete = middle.Accepts(r.Text),
                finish_reason = r.FinishReason.ToString().ToLowerInvariant(),
            }, Readable));
        }
        return ExitCodes.Accepted;
    }

    // A weight of zero (log −∞) has no JSON number: it is written as null.
    private static double? Finite(double? logWeight) => logWeight is { } w && double.IsFinite(w) ? w : null;

    /// <summary>
    /// AWRS: the samples are the particles of one batched run without resampling, each an independent draw with its
    /// own weight. SMC: one run of N particles per sample, printing one particle drawn by weight and the run's log_ml.
    /// </summary>
    private static async Task WeightedAsync(ILanguageModel lm, Parsing.CompiledGrammar grammar, string kind, string proposal, string prompt,
        int count, int particles, double threshold, int maxTokens, int seed, CancellationToken cancellationToken)
    {
        var condition = Potentials.Potential.FromGrammar(grammar);
        TokenSampler NewSampler(string which) => which == "lcd" ? new LcdSampler(condition, lm.Vocabulary) : new AwrsSampler(condition, lm.Vocabulary);
        if (kind == "awrs")
        {
            var run = await SequentialMonteCarlo.RunAsync(lm, NewSampler("awrs"), prompt,
                new SmcOptions { Particles = count, EssThreshold = 0, MaxTokens = maxTokens, Seed = seed }, cancellationToken);
            foreach (var p in run.Particles)
                Console.WriteLine(JsonSerializer.Serialize(new { text = p.Text, tokens = p.Tokens.Count, log_weight = Finite(p.LogWeight), complete = p.Complete }, Readable));
            return;
        }
        for (int i = 0; i < count; i++)
        {
            var run = await SequentialMonteCarlo.RunAsync(lm, NewSampler(proposal), prompt,
                new SmcOptions { Particles = particles, EssThreshold = threshold, MaxTokens = maxTokens, Seed = seed + i }, cancellationToken);
            var p = run.Sample;
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                text = p?.Text, tokens = p?.Tokens.Count ?? 0, log_weight = Finite(p?.LogWeight), log_ml = Finite(run.LogMarginalLikelihood),
                complete = p?.Complete ?? false, resamplings = run.Resamplings,
            }, Readable));
        }
    }
}
