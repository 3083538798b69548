using System.Diagnostics;
using System.Text.Json;
using Structured.Grammars;
using Structured.Models;
using Structured.Potentials;
using Structured.Sampling;

namespace Structured.Cli.Bench;

/// <summary>
/// <c>bench awrs</c>: the cost of AWRS against full masking with a real model. For MaskBench schemas (a few from each
/// subset, in file order), generates one text with AWRS and one with LCD (full mask every step) and reports the
/// constraint checks per token against the tokens a full mask decides, and the wall time per token of each: the whole
/// step, and the constraint's own share (masks or checks, plus the sampling step itself).
/// </summary>
internal static class AwrsBenchmark
{
    private static void Emit(object o) => Console.WriteLine(JsonSerializer.Serialize(o));

    /// <summary>Times a sampler's own work (everything but the model's forward pass).</summary>
    private sealed class Timed(TokenSampler inner) : TokenSampler(inner.Condition.Potential, inner.Condition.Vocabulary)
    {
        public readonly Stopwatch Clock = new();
        public TokenSampler Inner => inner;

        public override void Prepare(IReadOnlyList<PotentialState> states)
        {
            Clock.Start();
            inner.Prepare(states);
            Clock.Stop();
        }

        public override void Sample(INextTokenScores scores, IReadOnlyList<PotentialState> states, Random random, Span<int> tokens, Span<double> logWeights)
        {
            Clock.Start();
            inner.Sample(scores, states, random, tokens, logWeights);
            Clock.Stop();
        }
    }

    public static async Task<int> RunAsync(string modelSpec, string dataDir, int limit, int maxTokens, int seed, int maxRejects)
    {
        using var model = ModelOption.Open(modelSpec);
        if (model is null) return ExitCodes.BadConstraint;
        string schemasDir = Path.Combine(dataDir, "jsonschemabench", "schemas");
        if (!Directory.Exists(schemasDir)) schemasDir = Path.Combine(dataDir, "schemas");
        if (!Directory.Exists(schemasDir)) { Console.Error.WriteLine($"error: no jsonschemabench/schemas folder under {dataDir}"); return ExitCodes.BadConstraint; }
        var files = Directory.GetFiles(Path.Combine(schemasDir, "..", "maskbench"), "*.jsonl").Order(StringComparer.Ordinal)
            .Select(f => Path.Combine(schemasDir, Path.GetFileName(f))).Where(File.Exists).ToList();
        int perSubset = (limit + files.Count - 1) / Math.Max(1, files.Count);
        var picked = files.SelectMany(f => File.ReadLines(f).Take(perSubset).Select(l =>
        {
            using var d = JsonDocument.Parse(l);
            return (Id: $"{Path.GetFileNameWithoutExtension(f)}/{d.RootElement.GetProperty("id").GetString()}", Schema: d.RootElement.GetProperty("schema").GetRawText());
        }).ToList()).Take(limit).ToList();

        int compileErrors = 0, runs = 0;
        long awrsTokens = 0, lcdTokens = 0, checks = 0, cached = 0, fallbacks = 0;
        double awrsWall = 0, lcdWall = 0, awrsOwn = 0, lcdOwn = 0;
        var perSchemaChecks = new List<double>();
        // Warm-up so the first schema does not pay for JIT and the model's first allocation.
        var awrsOptions = new AwrsOptions { MaxRejects = maxRejects > 0 ? maxRejects : null };
        await GenerateAsync(model, Potential.FromGrammar(Parsing.CompiledGrammar.FromRegex("[a-z]{1,8}")), "warm", 8, seed, awrsOptions);
        using var progress = new ConsoleProgress("awrs schemas", picked.Count);
        foreach (var (id, schema) in picked)
        {
            progress.Advance();
            Potential condition;
            try { condition = Potential.FromGrammar(Schemas.JsonSchema.Compile(schema)); }
            catch (GrammarException) { compileErrors++; continue; }
            string prompt = $"Return a JSON value for this schema: {(schema.Length > 300 ? schema[..300] : schema)}\n";
            var a = await GenerateAsync(model, condition, prompt, maxTokens, seed, awrsOptions);
            var l = await GenerateAsync(model, condition, prompt, maxTokens, seed, null);
            runs++;
            awrsTokens += a.Steps; lcdTokens += l.Steps;
            checks += a.Stats.Checks; cached += a.Stats.CachedChecks; fallbacks += a.Stats.Fallbacks;
            awrsWall += a.Wall; lcdWall += l.Wall; awrsOwn += a.Own; lcdOwn += l.Own;
            perSchemaChecks.Add(a.Steps == 0 ? 0 : a.Stats.Checks / (double)a.Steps);
            Emit(new { type = "case", id, awrs_tokens = a.Steps, awrs_checks = a.Stats.Checks, awrs_ms_per_token = Ms(a.Wall, a.Steps), lcd_tokens = l.Steps, lcd_ms_per_token = Ms(l.Wall, l.Steps) });
        }
        double checksPerToken = checks / (double)Math.Max(1, awrsTokens);
        Emit(new
        {
            type = "summary",
            model = model.Name,
            vocabulary = model.Vocabulary.Size,
            schemas = picked.Count,
            compile_errors = compileErrors,
            runs,
            awrs_tokens = awrsTokens,
            lcd_tokens = lcdTokens,
            awrs_checks_per_token = Math.Round(checksPerToken, 3),
            awrs_cached_checks_per_token = Math.Round(cached / (double)Math.Max(1, awrsTokens), 3),
            max_rejects = awrsOptions.MaxRejects,
            awrs_fallback_masks_per_token = Math.Round(fallbacks / (double)Math.Max(1, awrsTokens), 4),
            awrs_decisions_per_token = Math.Round((checks + fallbacks * (double)model.Vocabulary.Size) / Math.Max(1, awrsTokens), 1),
            tokens_decided_per_mask = model.Vocabulary.Size,
            fewer_checks_factor = Math.Round(model.Vocabulary.Size / Math.Max(checksPerToken, 1e-9), 1),
            fewer_decisions_factor = Math.Round(model.Vocabulary.Size / Math.Max((checks + fallbacks * (double)model.Vocabulary.Size) / Math.Max(1, awrsTokens), 1e-9), 1),
            awrs_ms_per_token = Ms(awrsWall, awrsTokens),
            lcd_ms_per_token = Ms(lcdWall, lcdTokens),
            awrs_constraint_ms_per_token = Ms(awrsOwn, awrsTokens),
            lcd_constraint_ms_per_token = Ms(lcdOwn, lcdTokens),
        });
        return ExitCodes.Accepted;
    }

    private static double Ms(double ms, long tokens) => Math.Round(ms / Math.Max(1, tokens), 4);

    private static async Task<(long Steps, SamplerStatistics Stats, double Wall, double Own)> GenerateAsync(ILanguageModel model, Potential condition, string prompt, int maxTokens, int seed, AwrsOptions? awrs)
    {
        TokenSampler inner = awrs is not null ? new AwrsSampler(condition, model.Vocabulary, awrs) : new LcdSampler(condition, model.Vocabulary);
        var timed = new Timed(inner);
        var sw = Stopwatch.StartNew();
        await SequentialMonteCarlo.RunAsync(model, timed, prompt, new SmcOptions { Particles = 1, EssThreshold = 0, MaxTokens = maxTokens, Seed = seed });
        sw.Stop();
        return (inner.Statistics.Steps, inner.Statistics, sw.Elapsed.TotalMilliseconds, timed.Clock.Elapsed.TotalMilliseconds);
    }
}
