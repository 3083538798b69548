using System.Diagnostics;
using System.Text.Json;
using Structured.Grammars;
using Structured.Masks;
using Structured.Parsing;
using Structured.Tokens;

namespace Structured.Cli.Bench;

/// <summary>
/// The grammar library's figures: per grammar, the compile time, and the time of every token mask along its valid
/// examples (each example encoded with the tokenizer, a mask before every token and before the end).
/// Prints one JSON line per grammar.
/// </summary>
internal static class GrammarLibraryBenchmark
{
    public static int Run(string folder, string tokenizer, int passes)
    {
        var vocabulary = TokenVocabulary.Tiktoken(tokenizer);
        var encoder = TextEncoder.Tiktoken(tokenizer);
        var files = Directory.GetFiles(folder).Where(f => GrammarFile.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToList();
        using var progress = new ConsoleProgress("grammars", files.Count);
        foreach (var file in files)
        {
            progress.Advance();
            string name = Path.GetFileName(file);
            var clock = Stopwatch.StartNew();
            var compiled = CompiledGrammar.Compile(GrammarFile.Load(file));
            double compileMs = clock.Elapsed.TotalMilliseconds;
            var masker = new TokenMasker(compiled, vocabulary);
            var mask = new uint[masker.MaskWords];
            var times = new List<double>();
            var firstPass = new List<double>();
            int examples = 0, accepted = 0;
            string dir = Path.Combine(folder, "examples", name, "valid");
            var inputs = Directory.Exists(dir) ? Directory.GetFiles(dir).Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList() : [];
            for (int pass = 0; pass < passes; pass++)
            {
                foreach (var text in inputs)
                {
                    if (pass == 0) examples++;
                    var state = compiled.InitialState;
                    foreach (int id in encoder.Encode(text))
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        masker.FillMask(state, mask);
                        double us = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                        (pass == 0 ? firstPass : times).Add(us);
                        state = state.Advance(vocabulary[id]);
                    }
                    long t1 = Stopwatch.GetTimestamp();
                    masker.FillMask(state, mask);
                    (pass == 0 ? firstPass : times).Add(Stopwatch.GetElapsedTime(t1).TotalMicroseconds);
                    if (pass == 0 && state.IsAccepting) accepted++;
                }
            }
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                grammar = name, compile_ms = Math.Round(compileMs, 2), examples, accepted,
                first_pass_mask_us = Stats.Of(firstPass), later_passes_mask_us = Stats.Of(times),
            }));
        }
        return ExitCodes.Accepted;
    }
}
