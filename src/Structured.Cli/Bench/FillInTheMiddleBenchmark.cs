using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Structured.Masks;
using Structured.Models;
using Structured.Parsing;
using Structured.Quotients;
using Structured.Tokens;

namespace Structured.Cli.Bench;

/// <summary>
/// Fill-in-the-middle figures over random cuts of real files: two cut points per file (at character boundaries), the
/// setup (quotient by the suffix, then the prefix parsed) and every token mask along the true middle; then, with a
/// model, the share of middles whose whole text parses, with the constraint and without it.
/// Prints one JSON line per part.
/// </summary>
internal static class FillInTheMiddleBenchmark
{
    public sealed record Settings(string Grammar, string Files, int Cuts, int MaxMiddle, string Tokenizer, string? Model, int MaxTokens, int PromptChars, int Seed);

    public static async Task<int> RunAsync(Settings s, CancellationToken cancellationToken)
    {
        var compiled = CompiledGrammar.Compile(Grammars.GrammarFile.Load(s.Grammar));
        var files = Directory.GetFiles(s.Files, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => (Path: f, Bytes: File.ReadAllBytes(f))).Where(f => compiled.Accepts(f.Bytes)).ToList();
        if (files.Count == 0)
        {
            Console.Error.WriteLine($"error: no file under {s.Files} is a sentence of {s.Grammar}");
            return ExitCodes.BadConstraint;
        }
        var rng = new Random(s.Seed);
        var cuts = Enumerable.Range(0, s.Cuts).Select(_ => Cut(files[rng.Next(files.Count)].Bytes, s.MaxMiddle, rng)).ToList();
        Timings(compiled, cuts, s, files.Count);
        if (s.Model is not null)
        {
            using var model = ModelOption.Open(s.Model);
            if (model is null) return ExitCodes.BadConstraint;
            await ValidityAsync(model, compiled, cuts, s, cancellationToken);
        }
        return ExitCodes.Accepted;
    }

    private static (byte[] Prefix, byte[] Middle, byte[] Suffix) Cut(byte[] file, int maxMiddle, Random rng)
    {
        int i = rng.Next(file.Length + 1);
        int j = Math.Min(file.Length, i + rng.Next(maxMiddle + 1));
        while (i < file.Length && (file[i] & 0xC0) == 0x80) i++;
        while (j < file.Length && (file[j] & 0xC0) == 0x80) j++;
        if (j < i) j = i;
        return (file[..i], file[i..j], file[j..]);
    }

    private static void Timings(CompiledGrammar compiled, List<(byte[] Prefix, byte[] Middle, byte[] Suffix)> cuts, Settings s, int fileCount)
    {
        var vocabulary = TokenVocabulary.Tiktoken(s.Tokenizer);
        var encoder = TextEncoder.Tiktoken(s.Tokenizer);
        var quotientMs = new List<double>();
        var prefixMs = new List<double>();
        var firstMaskUs = new List<double>();
        var maskUs = new List<double>();
        var checkUs = new List<double>();
        var sizes = new List<double>();
        int completed = 0, overLimit = 0;
        using var progress = new ConsoleProgress("fim cuts", cuts.Count);
        foreach (var (prefix, middle, suffix) in cuts)
        {
            progress.Advance();
            long t0 = Stopwatch.GetTimestamp();
            MiddleGrammar quotient;
            try
            {
                quotient = MiddleGrammar.Create(compiled, suffix);
            }
            catch (GrammarException)
            {
                overLimit++; // the size limit: reported, and the cut is left out of the timings
                continue;
            }
            quotientMs.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            sizes.Add(quotient.Grammar.RuleCount - compiled.RuleCount);
            long t1 = Stopwatch.GetTimestamp();
            var state = quotient.Start(prefix);
            prefixMs.Add(Stopwatch.GetElapsedTime(t1).TotalMilliseconds);
            var masker = new TokenMasker(quotient.Grammar, vocabulary);
            var mask = new uint[masker.MaskWords];
            bool first = true;
            var tokens = encoder.Encode(Encoding.UTF8.GetString(middle));
            foreach (int id in tokens)
            {
                // The single-token check first (what the reference implementation measures), then the full mask.
                long tc = Stopwatch.GetTimestamp();
                masker.IsAllowed(state, id);
                checkUs.Add(Stopwatch.GetElapsedTime(tc).TotalMicroseconds);
                long t2 = Stopwatch.GetTimestamp();
                masker.FillMask(state, mask);
                (first ? firstMaskUs : maskUs).Add(Stopwatch.GetElapsedTime(t2).TotalMicroseconds);
                first = false;
                if ((mask[id >> 5] & (1u << (id & 31))) == 0) break; // reported below as not completed
                state = state.Advance(vocabulary[id]);
            }
            long t3 = Stopwatch.GetTimestamp();
            masker.FillMask(state, mask);
            (first ? firstMaskUs : maskUs).Add(Stopwatch.GetElapsedTime(t3).TotalMicroseconds);
            byte[] head = [.. prefix, .. middle];
            if (quotient.IsComplete(state, quotient.IsExact ? null : compiled.Parse(head))) completed++;
        }
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            part = "timing", grammar = Path.GetFileName(s.Grammar), files = fileCount, cuts = cuts.Count, tokenizer = s.Tokenizer,
            prefix_bytes = Stats.Of(cuts.Select(c => (double)c.Prefix.Length).ToList(), 0),
            suffix_bytes = Stats.Of(cuts.Select(c => (double)c.Suffix.Length).ToList(), 0),
            middle_bytes = Stats.Of(cuts.Select(c => (double)c.Middle.Length).ToList(), 0),
            quotient_ms = Stats.Of(quotientMs, 2), prefix_parse_ms = Stats.Of(prefixMs, 2), added_rules = Stats.Of(sizes, 0),
            first_mask_us = Stats.Of(firstMaskUs), mask_us = Stats.Of(maskUs), token_check_us = Stats.Of(checkUs),
            true_middles_completed = completed, over_size_limit = overLimit,
        }));
    }

    private static async Task ValidityAsync(ILanguageModel model, CompiledGrammar compiled, List<(byte[] Prefix, byte[] Middle, byte[] Suffix)> cuts, Settings s,
        CancellationToken cancellationToken)
    {
        var grammar = Constraint.FromCompiled(compiled);
        int[] valid = new int[2], stopped = new int[2], failed = new int[2];
        var ms = new[] { new List<double>(), new List<double>() };
        using var progress = new ConsoleProgress("fim generations", cuts.Count * 2);
        for (int c = 0; c < cuts.Count; c++)
        {
            string prefix = Encoding.UTF8.GetString(cuts[c].Prefix), suffix = Encoding.UTF8.GetString(cuts[c].Suffix);
            Constraint middle;
            try
            {
                middle = Constraint.Middle(grammar, prefix, suffix);
            }
            catch (GrammarException)
            {
                failed[0]++; // over the quotient's size limit; the unconstrained run still counts
                middle = grammar;
            }
            // The model sees the end of the prefix only (a small model's context is short); the constraint sees all of it.
            string prompt = FillInTheMiddlePrompt.For(model.Vocabulary, prefix.Length > s.PromptChars ? prefix[^s.PromptChars..] : prefix, suffix);
            for (int k = 0; k < 2; k++)
            {
                progress.Advance();
                bool constrained = k == 0;
                if (constrained && ReferenceEquals(middle, grammar)) continue;
                var options = new GenerationOptions { Seed = s.Seed + c, MaxTokens = s.MaxTokens };
                try
                {
                    var r = await model.GenerateTextAsync(prompt, constrained ? middle : null, options, cancellationToken);
                    ms[k].Add(r.Elapsed.TotalMilliseconds);
                    if (r.FinishReason == FinishReason.Stop) stopped[k]++;
                    if (grammar.Accepts(prefix + r.Text + suffix)) valid[k]++;
                }
                catch (GenerationException)
                {
                    failed[k]++;
                }
            }
        }
        for (int k = 0; k < 2; k++)
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                part = "validity", constrained = k == 0, model = s.Model, cuts = cuts.Count, max_tokens = s.MaxTokens,
                valid = valid[k], valid_share = Math.Round(valid[k] / (double)cuts.Count, 3), stopped = stopped[k], errors = failed[k],
                generation_ms = Stats.Of(ms[k]),
            }));
    }
}
