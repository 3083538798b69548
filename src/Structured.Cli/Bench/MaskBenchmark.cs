using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using Structured.Grammars;
using Structured.Masks;
using Structured.Parsing;
using Structured.Tokens;

namespace Structured.Cli.Bench;

/// <summary>
/// <c>bench masks</c>: the peer harness's protocol on the same inputs. Per case: timed compiles, one verification
/// pass over the trajectory (every token must be in its mask and accepted, the stop token allowed at the end), then
/// timed passes computing the mask before every step. The verification pass runs on a fresh compile, so its times
/// are also reported as the cold first pass (lazy caches empty).
/// </summary>
internal sealed class MaskBenchmark
{
    internal sealed record Case(string Name, string? GrammarPath, string? SchemaPath, string? Text, int[]? Tokens);

    private readonly TokenVocabulary _vocab;
    private readonly string _encoding;
    private readonly int _repeat;
    private readonly int _compileRepeat;
    private readonly string? _grammarOverride;
    private readonly Lazy<Tokenizer> _tokenizer;

    public MaskBenchmark(string encoding, int repeat, int compileRepeat, string? grammarOverride)
    {
        _encoding = encoding;
        _vocab = Directory.Exists(encoding) ? HuggingFaceVocabulary.Load(encoding) : TokenVocabulary.Tiktoken(encoding);
        _repeat = repeat;
        _compileRepeat = compileRepeat;
        _grammarOverride = grammarOverride;
        _tokenizer = new Lazy<Tokenizer>(() => Directory.Exists(encoding)
            ? throw new InvalidOperationException("with a tokenizer folder, give --trajectories: this version reads token bytes but does not encode text for Hugging Face tokenizers")
            : TiktokenTokenizer.CreateForEncoding(_vocab.Name));
    }

    public static List<Case> Discover(IEnumerable<string> inputs, string? trajectories)
    {
        var cases = new Dictionary<string, Case>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            var files = Directory.Exists(input) ? Directory.GetFiles(input).Order().ToArray() : [input];
            foreach (var f in files)
            {
                string name = Path.GetFileName(f);
                string dir = Path.GetDirectoryName(f)!;
                if (name.EndsWith(".schema.json", StringComparison.Ordinal))
                {
                    string stem = name[..^".schema.json".Length];
                    cases[stem] = new Case(stem, null, f, ReadInstance(dir, stem), null);
                }
                else if (GrammarFile.Extensions.Contains(Path.GetExtension(name)))
                {
                    string stem = Path.GetFileNameWithoutExtension(name);
                    cases[stem] = new Case(stem, f, null, ReadInstance(dir, stem), null);
                }
            }
        }
        if (trajectories is not null)
        {
            foreach (var line in File.ReadLines(trajectories))
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                var node = JsonNode.Parse(line)!;
                string name = node["case"]!.GetValue<string>();
                var tokens = node["tokens"]!.AsArray().Select(t => t!.GetValue<int>()).ToArray();
                string? text = node["text"]?.GetValue<string>();
                cases[name] = cases.TryGetValue(name, out var c) ? c with { Tokens = tokens, Text = text ?? c.Text } : new Case(name, null, null, text, tokens);
            }
        }
        return cases.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    private static string? ReadInstance(string dir, string stem)
    {
        string json = Path.Combine(dir, stem + ".instance.json");
        if (File.Exists(json)) return Compact(File.ReadAllText(json));
        string txt = Path.Combine(dir, stem + ".instance.txt");
        if (!File.Exists(txt)) return null;
        string t = File.ReadAllText(txt);
        return t.EndsWith('\n') ? t[..^1] : t;
    }

    // Deletes whitespace outside strings, as the peer does; key order and number spelling stay as written.
    private static string Compact(string json)
    {
        var sb = new StringBuilder();
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            char c = json[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\') sb.Append(json[++i]);
                else if (c == '"') inString = false;
            }
            else if (c == '"') { inString = true; sb.Append(c); }
            else if (!char.IsWhiteSpace(c)) sb.Append(c);
        }
        return sb.ToString();
    }

    private double _trieMs;

    public int Run(List<Case> cases, int warmup)
    {
        var sw = Stopwatch.StartNew();
        _ = _vocab.Trie; // built once per process, before any warm-up
        _trieMs = sw.Elapsed.TotalMilliseconds;
        // Untimed rounds on separately compiled grammars, so the JIT has tiered up (as the peer warms V8) while the
        // measured grammars' lazy caches stay cold.
        var quiet = _emit;
        _emit = _ => { };
        for (int w = 0; w < warmup; w++) RunCases(cases);
        _emit = quiet;
        return RunCases(cases);
    }

    private Action<object> _emit = o => Console.WriteLine(JsonSerializer.Serialize(o));

    private int RunCases(List<Case> cases)
    {
        var allMasks = new List<double>();
        var allCold = new List<double>();
        var compileMedians = new List<double>();
        int passed = 0, compileErrors = 0;
        long totalAllocated = 0;
        foreach (var c in cases)
        {
            GC.Collect();
            var line = new Dictionary<string, object?> { ["type"] = "case", ["vocab"] = _encoding, ["case"] = c.Name };
            string? grammarPath = _grammarOverride ?? c.GrammarPath;
            if (grammarPath is null && c.SchemaPath is null)
            {
                line["compile_error"] = "no grammar for this case";
                line["accepted"] = false;
                compileErrors++;
                Emit(line);
                continue;
            }
            string sourcePath = grammarPath ?? c.SchemaPath!;
            line["grammar"] = Path.GetFileName(sourcePath);
            int[] tokens = c.Tokens ?? _tokenizer.Value.EncodeToIds(c.Text ?? throw new InvalidOperationException($"case {c.Name} has no instance")).ToArray();
            int stop = _vocab.EndOfSequenceIds[0];
            var steps = tokens.Append(stop).ToArray();
            line["tokens"] = tokens.Length;
            line["steps"] = steps.Length;

            string text = File.ReadAllText(sourcePath);
            var compileMs = new List<double>();
            CompiledGrammar? grammar = null;
            try
            {
                for (int r = 0; r < Math.Max(1, _compileRepeat); r++)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    grammar = grammarPath is null
                        ? Structured.Schemas.JsonSchema.Compile(text)
                        : CompiledGrammar.Compile(GrammarFile.Parse(text, Path.GetExtension(grammarPath), Path.GetFileName(grammarPath)));
                    _ = grammar.InitialState;
                    compileMs.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
            }
            catch (GrammarException e)
            {
                line["compile_error"] = e.Message;
                line["accepted"] = false;
                compileErrors++;
                Emit(line);
                continue;
            }
            var cs = Stats.Of(compileMs, 3);
            line["compile_ms"] = new { first = Math.Round(compileMs[0], 3), median = cs["median"], min = cs["min"], runs = compileMs.Count };
            compileMedians.Add(cs["median"]);

            var masker = new TokenMasker(grammar!, _vocab);
            var mask = new uint[masker.MaskWords];
            // Verification pass, cold: the first masks of this grammar build its lazy caches.
            var cold = new List<double>();
            var allowed = new List<double>();
            var state = grammar!.InitialState;
            int rejectedAt = -1;
            bool stopAllowed = false;
            for (int i = 0; i < steps.Length; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                masker.FillMask(state, mask);
                cold.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
                allowed.Add(TokenMasker.CountAllowed(mask));
                int id = steps[i];
                bool inMask = (mask[id >> 5] & (1u << (id & 31))) != 0;
                if (i == steps.Length - 1) { stopAllowed = inMask && state.IsAccepting; break; }
                if (!inMask) { rejectedAt = i; break; }
                state = state.Advance(_vocab[id]);
                if (!state.IsViable) { rejectedAt = i; break; }
            }
            bool accepted = rejectedAt < 0 && stopAllowed;
            line["accepted"] = accepted;
            line["first_rejected_step"] = rejectedAt;
            line["stop_allowed"] = stopAllowed;
            var al = Stats.Of(allowed, 0);
            line["allowed_tokens"] = new { median = al["median"], max = al["max"], min = al["min"], mean = al["mean"] };
            line["mask_us_first_pass"] = Stats.Of(cold);
            if (accepted)
            {
                passed++;
                allCold.AddRange(cold);
                var timed = new List<double>();
                long allocated = 0;
                for (int p = 0; p < _repeat; p++)
                {
                    state = grammar.InitialState;
                    for (int i = 0; i < steps.Length; i++)
                    {
                        long a0 = GC.GetAllocatedBytesForCurrentThread();
                        var t0 = Stopwatch.GetTimestamp();
                        masker.FillMask(state, mask);
                        timed.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
                        allocated += GC.GetAllocatedBytesForCurrentThread() - a0;
                        if (i < steps.Length - 1) state = state.Advance(_vocab[steps[i]]);
                    }
                }
                line["mask_us"] = Stats.Of(timed);
                line["alloc_bytes_per_mask"] = Math.Round((double)allocated / timed.Count, 1);
                allMasks.AddRange(timed);
                totalAllocated += allocated;
            }
            else
            {
                line["failed_token"] = new { step = rejectedAt, id = rejectedAt >= 0 ? steps[rejectedAt] : stop };
            }
            Emit(line);
        }
        var summary = new Dictionary<string, object?>
        {
            ["type"] = "summary",
            ["vocab"] = _encoding,
            ["vocab_size"] = _vocab.Size,
            ["trie_build_ms"] = Math.Round(_trieMs, 1),
            ["trie_nodes"] = _vocab.Trie.NodeCount,
            ["cases"] = cases.Count,
            ["passed"] = passed,
            ["compile_errors"] = compileErrors,
            ["compile_ms"] = Stats.Of(compileMedians, 3),
            ["mask_us"] = Stats.Of(allMasks),
            ["mask_us_first_pass"] = Stats.Of(allCold),
            ["alloc_bytes_per_mask"] = allMasks.Count == 0 ? 0 : Math.Round((double)totalAllocated / allMasks.Count, 1),
        };
        Emit(summary);
        return 0;
    }

    private void Emit(object o) => _emit(o);
}
