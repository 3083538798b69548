using System.Diagnostics;
using System.Text.Json;
using Structured.Masks;
using Structured.Models;
using Structured.Sampling;
using Structured.Schemas;

namespace Structured.Cli.Bench;

/// <summary>
/// <c>bench model</c>: the model runtime's figures. Forward speed at batch 1 and 16; the extra time per step that
/// masking adds (mask computation plus device application) as a fraction of the forward pass; and, over prompts
/// asking for JSON with a schema, the share of valid outputs without and with the constraint.
/// </summary>
internal static class ModelBenchmark
{
    private static void Emit(object o) => Console.WriteLine(JsonSerializer.Serialize(o));

    public static async Task<int> RunAsync(string modelSpec, string schemaDir, int prompts, int maxTokens, int seed)
    {
        using var model = ModelOption.Open(modelSpec);
        if (model is null) return ExitCodes.BadConstraint;
        var schemas = Directory.GetFiles(schemaDir, "*.schema.json").Order(StringComparer.Ordinal).Select(f =>
        {
            string text = File.ReadAllText(f);
            using var doc = JsonDocument.Parse(text);
            string title = doc.RootElement.TryGetProperty("title", out var t) ? t.GetString()! : Path.GetFileName(f).Replace(".schema.json", "", StringComparison.Ordinal);
            return (Title: title, Text: text, Grammar: JsonSchema.Compile(text), Validator: SchemaValidator.Parse(text));
        }).ToList();
        if (schemas.Count == 0) { Console.Error.WriteLine($"error: no *.schema.json in {schemaDir}"); return ExitCodes.BadConstraint; }

        Emit(new { type = "device", device = (model as Torch.TorchLanguageModel)?.Device.ToString() ?? "host", native = Torch.TorchNativeLoader.Outcome });
        foreach (int batch in new[] { 1, 16 }) Emit(ForwardSpeed(model, batch, steps: 32));
        Emit(await MaskOverheadAsync(model, schemas.Select(s => (s.Title, s.Grammar)).ToList(), maxTokens, seed));

        var jobs = Enumerable.Range(0, prompts).Select(i => (Schema: schemas[i % schemas.Count], Prompt: PromptFor(schemas[i % schemas.Count].Title, i / schemas.Count))).ToList();
        foreach (bool constrained in new[] { false, true })
        {
            var sw = Stopwatch.StartNew();
            int valid = 0, complete = 0;
            var failures = new Dictionary<string, int>();
            foreach (var group in jobs.GroupBy(j => j.Schema.Title))
            {
                var schema = group.First().Schema;
                var results = await ConstrainedGenerator.GenerateAsync(model, constrained ? schema.Grammar : null, group.Select(j => j.Prompt).ToList(),
                    new LcdBatchOptions { MaxTokens = maxTokens, Seed = seed });
                foreach (var r in results)
                {
                    if (r.Complete) complete++;
                    var verdict = schema.Validator.Validate(r.Text.Trim());
                    if (verdict.IsValid) valid++;
                    else
                    {
                        string cause = r.Complete ? verdict.Errors[0].Message.Split(':')[0] : "token limit";
                        failures[cause] = failures.GetValueOrDefault(cause) + 1;
                    }
                }
            }
            Emit(new { type = "validity", constrained, prompts, valid, complete, share = Math.Round((double)valid / prompts, 3), seconds = Math.Round(sw.Elapsed.TotalSeconds, 1), failures });
        }
        return ExitCodes.Accepted;
    }

    private static string PromptFor(string title, int variant) => (variant % 3) switch
    {
        0 => $"Return a JSON object for a {title}.\n",
        1 => $"Give me a {title} as JSON.\n",
        _ => $"A {title} in JSON:\n",
    };

    private static object ForwardSpeed(ILanguageModel model, int batch, int steps)
    {
        var prompt = model.EncodePrompt("Return a JSON object for a person.\n");
        var seqs = Enumerable.Range(0, batch).Select(_ => model.CreateSequence(prompt)).ToArray();
        try
        {
            model.ScoreAsync(seqs).GetAwaiter().GetResult().Dispose(); // prefill
            Synchronize(model);
            var rng = new Random(1);
            var sw = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++)
            {
                foreach (var q in seqs) q.Append(rng.Next(1000, 20000));
                model.ScoreAsync(seqs).GetAwaiter().GetResult().Dispose();
            }
            Synchronize(model);
            double seconds = sw.Elapsed.TotalSeconds;
            return new { type = "forward", batch, steps, tokens_per_s = Math.Round(batch * steps / seconds, 1), ms_per_step = Math.Round(seconds * 1000 / steps, 2) };
        }
        finally { foreach (var q in seqs) q.Dispose(); }
    }

    // On CUDA the forward pass is queued, not done, when Score returns: without this its time would show up in sampling.
    private static void Synchronize(ILanguageModel model) => (model as Torch.TorchLanguageModel)?.Synchronize();

    /// <summary>Batch-1 constrained decoding, timing the forward pass, the mask, and the extra cost of sampling with a mask over sampling without.</summary>
    private static async Task<object> MaskOverheadAsync(ILanguageModel model, List<(string Title, Parsing.CompiledGrammar Grammar)> schemas, int maxTokens, int seed)
    {
        double forward = 0, mask = 0, applyMasked = 0, applyPlain = 0;
        int steps = 0;
        var rng = new Random(seed);
        int words = (model.Vocabulary.Size + 31) / 32;
        var bits = new uint[words];
        var token = new int[1];
        var mass = new double[1];
        foreach (var (title, grammar) in schemas)
        {
            var masker = new TokenMasker(grammar, model.Vocabulary);
            for (int rep = 0; rep < 3; rep++)
            {
                using var seq = model.CreateSequence(model.EncodePrompt(PromptFor(title, rep)));
                var state = grammar.InitialState;
                for (int step = 0; step < maxTokens; step++)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    using var scores = await model.ScoreAsync([seq]);
                    Synchronize(model);
                    var t1 = Stopwatch.GetTimestamp();
                    masker.FillMask(state, bits);
                    var t2 = Stopwatch.GetTimestamp();
                    scores.Sample([], SamplingOptions.Default, new Random(step), token, mass);
                    var t3 = Stopwatch.GetTimestamp();
                    scores.Sample(bits, SamplingOptions.Default, rng, token, mass);
                    var t4 = Stopwatch.GetTimestamp();
                    if (rep > 0 || step > 0) // the first step of each schema pays one-off cache building; it is counted in the first repetition only
                    {
                        forward += Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
                        mask += Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
                        applyPlain += Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds;
                        applyMasked += Stopwatch.GetElapsedTime(t3, t4).TotalMilliseconds;
                        steps++;
                    }
                    int t = token[0];
                    if (t < 0 || model.Vocabulary.EndOfSequenceIds.Contains(t)) break;
                    state = state.Advance(model.Vocabulary[t]);
                    seq.Append(t);
                }
            }
        }
        double extra = mask + Math.Max(0, applyMasked - applyPlain);
        return new
        {
            type = "mask_overhead", steps,
            forward_ms = Math.Round(forward / steps, 3), mask_ms = Math.Round(mask / steps, 3),
            sample_plain_ms = Math.Round(applyPlain / steps, 3), sample_masked_ms = Math.Round(applyMasked / steps, 3),
            extra_fraction_of_forward = Math.Round(extra / forward, 3),
        };
    }
}
