using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Structured.Grammars;
using Structured.Parsing;

namespace Structured.Cli.Bench;

/// <summary>
/// Parser figures: compile time per grammar, throughput for one input fed in one call and byte by byte,
/// and the memory a parser state keeps alive. Prints JSON lines.
/// </summary>
internal static class ParseBenchmark
{
    public static int Run(IReadOnlyList<string> grammars, byte[] input, int repeats, long memoryPrefix)
    {
        foreach (var path in grammars) CompileTime(path, repeats);
        if (grammars.Count > 0) Throughput(grammars[0], input, repeats, memoryPrefix);
        return 0;
    }

    private static void CompileTime(string path, int repeats)
    {
        string text = File.ReadAllText(path);
        var samples = new List<double>();
        for (int i = 0; i < Math.Max(repeats, 5); i++)
        {
            var sw = Stopwatch.StartNew();
            var g = CompiledGrammar.Compile(GrammarFile.Parse(text, Path.GetExtension(path), Path.GetFileName(path)));
            _ = g.InitialState;
            samples.Add(sw.Elapsed.TotalMilliseconds);
        }
        Emit(new { type = "compile", grammar = Path.GetFileName(path), first_ms = Round(samples[0]), median_ms = Round(Median(samples)) });
    }

    private static void Throughput(string path, byte[] input, int repeats, long memoryPrefix)
    {
        string text = File.ReadAllText(path);
        CompiledGrammar Fresh() => CompiledGrammar.Compile(GrammarFile.Parse(text, Path.GetExtension(path), Path.GetFileName(path)));
        // Each timed run uses a fresh grammar, warmed (JIT, lazy lexer states) on a different document of the same
        // shape, so no column built while warming can serve the timed input.
        var warm = SyntheticJson.Create(Math.Min(input.Length, 200_000), seed: 99);
        var whole = new List<double>();
        var bytewise = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var g = Fresh();
            if (!g.Accepts(warm) && !g.Accepts(input)) throw new InvalidOperationException($"the benchmark input is not accepted by {path}: {g.Parse(input).Error}");
            var sw = Stopwatch.StartNew();
            var s = g.InitialState.Advance(input);
            sw.Stop();
            if (!s.IsAccepting) throw new InvalidOperationException($"not accepted: {s.Error ?? s.EndOfInputError()}");
            whole.Add(sw.Elapsed.TotalSeconds);

            g = Fresh();
            g.Accepts(warm);
            sw.Restart();
            var t = g.InitialState;
            for (int i = 0; i < input.Length; i++) t = t.Advance(input.AsSpan(i, 1));
            sw.Stop();
            if (!t.IsAccepting) throw new InvalidOperationException("not accepted");
            bytewise.Add(sw.Elapsed.TotalSeconds);
        }
        double mb = input.Length / 1e6;
        var stjTimes = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            using (JsonDocument.Parse(input)) { }
            stjTimes.Add(sw.Elapsed.TotalSeconds);
        }
        Emit(new
        {
            type = "throughput",
            grammar = Path.GetFileName(path),
            bytes = input.Length,
            one_call_mb_s = Round(mb / Median(whole)),
            byte_by_byte_mb_s = Round(mb / Median(bytewise)),
            system_text_json_parse_mb_s = Round(mb / Median(stjTimes)),
        });

        // Memory a state keeps alive after a prefix, and what each further one-byte state adds.
        var gm = Fresh();
        gm.Accepts(warm); // lexer states belong to the grammar, not to a parser state
        int prefix = (int)Math.Min(memoryPrefix, input.Length);
        var first = gm.InitialState.Advance(input.AsSpan(0, 1));
        long baseline = Allocated(first);
        var state = gm.InitialState.Advance(input.AsSpan(0, prefix));
        long retained = Allocated(state) - baseline;
        const int forks = 1000;
        var keep = new ParserState[forks];
        long before = GC.GetTotalMemory(true);
        for (int i = 0; i < forks; i++) keep[i] = state.Advance(input.AsSpan(prefix, 1 + (i % 4)));
        long after = GC.GetTotalMemory(true);
        GC.KeepAlive(keep);
        GC.KeepAlive(first);
        Emit(new
        {
            type = "memory",
            grammar = Path.GetFileName(path),
            prefix_bytes = prefix,
            retained_bytes = retained,
            bytes_per_further_state = (after - before) / forks,
        });
    }

    private static long Allocated(ParserState keepAlive)
    {
        long m = GC.GetTotalMemory(true);
        GC.KeepAlive(keepAlive);
        return m;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s[s.Count / 2];
    }

    private static double Round(double x) => Math.Round(x, 3);

    private static void Emit(object o) => Console.WriteLine(JsonSerializer.Serialize(o));

}
