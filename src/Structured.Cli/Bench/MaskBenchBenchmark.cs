using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using Structured.Grammars;
using Structured.Masks;
using Structured.Parsing;
using Structured.Tokens;

namespace Structured.Cli.Bench;

/// <summary>
/// <c>bench maskbench</c>: the MaskBench protocol over <c>data/jsonschemabench/maskbench/</c>. For every schema:
/// compile, then feed each valid instance token by token, timing every mask (TBM), the first one with the compile
/// (TTFM), and checking each token and the final stop token are allowed. Schemas this version cannot compile are
/// counted as compile errors, never skipped. With <c>--grammar</c>, every schema is replaced by that grammar,
/// compiled afresh per schema: the timings are real, but nothing schema-specific is enforced, so invalid instances
/// are not judged.
/// </summary>
internal static class MaskBenchBenchmark
{
    // Keeps the five slowest masks (schema id, token index, microseconds).
    private static void NoteSlowest(List<(string Schema, int Token, double Us)> slowest, string schema, int token, double us)
    {
        if (slowest.Count == 5)
        {
            int least = 0;
            for (int k = 1; k < 5; k++) if (slowest[k].Us < slowest[least].Us) least = k;
            if (slowest[least].Us >= us) return;
            slowest.RemoveAt(least);
        }
        slowest.Add((schema, token, us));
    }

    // The last collection, for the dump: compacted or not, its generation, and each generation's size before and
    // after it in KB (a young collection's pause follows what it copies, which these show).
    private static string GcInfo(TimeSpan paused)
    {
        if (paused == TimeSpan.Zero) return "-";
        var i = GC.GetGCMemoryInfo(GCKind.Any);
        var g = i.GenerationInfo;
        return $"c{(i.Compacted ? 1 : 0)} g{i.Generation} g0 {g[0].SizeBeforeBytes >> 10}->{g[0].SizeAfterBytes >> 10} g1 {g[1].SizeBeforeBytes >> 10}->{g[1].SizeAfterBytes >> 10} g2 {g[2].SizeBeforeBytes >> 10}->{g[2].SizeAfterBytes >> 10} loh {g[3].SizeBeforeBytes >> 10}->{g[3].SizeAfterBytes >> 10}";
    }

    // A compile error's cause without the schema-specific parts (pointer, names, numbers), for a histogram.
    private static string ReasonOf(GrammarException e)
    {
        string r = e is Structured.Schemas.SchemaException se ? se.SchemaReason : e.Reason;
        r = System.Text.RegularExpressions.Regex.Replace(r, "'[^']*'", "'…'");
        r = System.Text.RegularExpressions.Regex.Replace(r, "[0-9][0-9,.]*", "N");
        return r.Length > 120 ? r[..120] : r;
    }

    public static int Run(string encoding, string dataDir, string? grammarPath, int limit, bool compileOnce, bool noMasks = false, bool anyOrder = false, int perSubset = 0, string? only = null)
    {
        HashSet<string>? onlyIds = only is null ? null
            : new HashSet<string>((only.StartsWith('@') ? File.ReadAllLines(only[1..]) : only.Split(','))
                .Select(x => x.Trim()).Where(x => x.Length > 0), StringComparer.Ordinal);
        var vocab = TokenVocabulary.Tiktoken(encoding);
        var tokenizer = TiktokenTokenizer.CreateForEncoding(vocab.Name);
        // Set-up, then a settled heap, as any harness does: the tokenizer that encodes the instances holds 400,000 small
        // objects of its own, which the collector would otherwise promote inside whichever masks come first.
        _ = vocab.Trie;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        string maskbench = Path.Combine(dataDir, "jsonschemabench", "maskbench");
        if (!Directory.Exists(maskbench)) maskbench = Path.Combine(dataDir, "maskbench");
        if (!Directory.Exists(maskbench)) throw new DirectoryNotFoundException($"no maskbench folder under {dataDir}");
        string? grammarText = grammarPath is null ? null : File.ReadAllText(grammarPath);
        var tbm = new List<double>();
        var slowest = new List<(string Schema, int Token, double Us)>(); // the tail is the figure furthest from its goal: name where it is
        var ttfm = new List<double>();
        int schemas = 0, passing = 0, compileErrors = 0, validRejected = 0, validInstances = 0, invalidInstances = 0, tokens = 0;
        var mask = new uint[(vocab.Size + 31) / 32];
        int stop = vocab.EndOfSequenceIds[0];
        TokenMasker? shared = grammarText is null || !compileOnce ? null
            : new TokenMasker(CompiledGrammar.Compile(GrammarFile.Parse(grammarText, Path.GetExtension(grammarPath!), Path.GetFileName(grammarPath!))), vocab);
        int invalidAccepted = 0;
        bool trace = Environment.GetEnvironmentVariable("STRUCTURED_BENCH_TRACE") is not null;
        // Every timed mask as "schema, token, µs, lexer states with a token class so far, µs of it in GC pauses, the oldest
        // generation collected in it, KB the last collection promoted, µs this thread spent compiling methods in it, the
        // last collection's sizes (GcInfo), µs of CPU this thread ran in it (-1 where unknown; far below the mask's
        // time, the thread waited), the text just before it", for finding where the tail is.
        using var dump = Environment.GetEnvironmentVariable("STRUCTURED_BENCH_DUMP") is { } dumpPath ? new StreamWriter(dumpPath) : null;
        var compileMs = new List<double>();
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        var subsets = new List<object>();
        var files = Directory.GetFiles(maskbench, "*.jsonl").Order(StringComparer.Ordinal).ToArray();
        using var progress = new ConsoleProgress("maskbench schemas", limit > 0 ? limit : perSubset * files.Length);
        long allocatedBefore = GC.GetTotalAllocatedBytes();
        long maskAllocated = 0; // by the timed masks alone (class builds, new columns)
        var maskPause = TimeSpan.Zero; // garbage collections inside the timed masks
        int[] collectionsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        foreach (var file in files)
        {
            if (limit > 0 && schemas >= limit) break;
            string subset = Path.GetFileNameWithoutExtension(file);
            var schemaTexts = new Dictionary<string, string>(StringComparer.Ordinal);
            string schemaFile = Path.Combine(maskbench, "..", "schemas", Path.GetFileName(file));
            if (grammarText is null)
            {
                if (!File.Exists(schemaFile)) throw new FileNotFoundException($"MaskBench schemas are read from {schemaFile}", schemaFile);
                foreach (var sl in File.ReadLines(schemaFile))
                {
                    if (string.IsNullOrWhiteSpace(sl)) continue;
                    using var sd = JsonDocument.Parse(sl);
                    schemaTexts[sd.RootElement.GetProperty("id").GetString()!] = sd.RootElement.GetProperty("schema").GetRawText();
                }
                // The subset's schema texts (up to 40 MB of strings for Kubernetes) live through the subset: settled
                // now, so that the collector does not promote the harness's own data inside the first timed masks.
                GC.Collect();
            }
            int sSchemas = 0, sPassing = 0, sCompile = 0, sValidRejected = 0, sInvalidAccepted = 0;
            foreach (var line in File.ReadLines(file))
            {
                if (limit > 0 && schemas >= limit || perSubset > 0 && sSchemas >= perSubset) break;
                if (string.IsNullOrWhiteSpace(line)) continue;
                using var entryDoc = JsonDocument.Parse(line);
                var entry = entryDoc.RootElement;
                string schemaId = entry.GetProperty("id").GetString()!;
                if (onlyIds is not null && !onlyIds.Contains(schemaId)) continue;
                schemas++;
                progress.Advance();
                sSchemas++;
                var tests = entry.GetProperty("tests").EnumerateArray().ToList();
                invalidInstances += tests.Count(t => !t.GetProperty("valid").GetBoolean());
                bool schemaOk = true;
                TokenMasker? masker = compileOnce ? shared : null;
                CompiledGrammar? noMaskGrammar = null;
                var sw = Stopwatch.StartNew();
                if (trace)
                    Console.Error.WriteLine(schemas % 200 == 0 ? $"{entry.GetProperty("id").GetString()} {GC.GetTotalMemory(true) >> 20} MB" : entry.GetProperty("id").GetString());
                if (grammarText is null)
                {
                    try
                    {
                        var compiled = Structured.Schemas.JsonSchema.Compile(schemaTexts[entry.GetProperty("id").GetString()!],
                            anyOrder ? new Structured.Schemas.JsonSchemaOptions { PropertyOrder = Structured.Schemas.PropertyOrder.Any } : null);
                        _ = compiled.InitialState;
                        masker = noMasks ? null : new TokenMasker(compiled, vocab);
                        noMaskGrammar = compiled;
                        compileMs.Add(sw.Elapsed.TotalMilliseconds);
                        if (trace && sw.Elapsed.TotalSeconds > 2) Console.Error.WriteLine($"SLOW {entry.GetProperty("id").GetString()}: {sw.Elapsed.TotalSeconds:0.0} s");
                    }
                    catch (GrammarException e)
                    {
                        compileMs.Add(sw.Elapsed.TotalMilliseconds);
                        if (trace) Console.Error.WriteLine($"COMPILE-ERROR {entry.GetProperty("id").GetString()}: {e.Message}");
                        compileErrors++;
                        sCompile++;
                        string reason = ReasonOf(e);
                        reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                        continue;
                    }
                }
                try
                {
                    foreach (var test in tests.Where(t => t.GetProperty("valid").GetBoolean()))
                    {
                        validInstances++;
                        string text = Structured.Schemas.JsonText.Compact(test.GetProperty("data"));
                        var ids = tokenizer.EncodeToIds(text);
                        tokens += ids.Count;
                        // One grammar per schema, as MaskBench compiles each schema once: its first instance pays the compile.
                        if (masker is null && noMaskGrammar is null)
                        {
                            var compiled = CompiledGrammar.Compile(GrammarFile.Parse(grammarText!, Path.GetExtension(grammarPath!), Path.GetFileName(grammarPath!)));
                            masker = new TokenMasker(compiled, vocab);
                        }
                        var grammar = masker?.Grammar ?? noMaskGrammar!;
                        if (noMasks)
                        {
                            var parsed = grammar.Parse(System.Text.Encoding.UTF8.GetBytes(text));
                        if (!parsed.IsAccepting)
                        {
                            validRejected++; sValidRejected++; schemaOk = false;
                            if (trace) Console.Error.WriteLine($"VALID-REJECTED {entry.GetProperty("id").GetString()}: {parsed.EndOfInputError()} in {text[..Math.Min(text.Length, 2000)]}");
                        }
                            continue;
                        }
                        var state = grammar.InitialState;
                        masker ??= new TokenMasker(grammar, vocab);
                        masker.FillMask(state, mask);
                        ttfm.Add(sw.Elapsed.TotalMicroseconds);
                        var prefix = dump is null ? null : new List<byte>();
                        bool ok = true;
                        for (int i = 0; i <= ids.Count; i++)
                        {
                            if (i > 0)
                            {
                                long a0 = GC.GetAllocatedBytesForCurrentThread();
                                var p0 = GC.GetTotalPauseDuration();
                                int g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
                                var j0 = System.Runtime.JitInfo.GetCompilationTime(currentThread: true);
                                double cpu0 = dump is null ? 0 : ThreadCpuClock.Microseconds();
                                long t0 = Stopwatch.GetTimestamp();
                                masker.FillMask(state, mask);
                                double us = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                                double cpu = dump is null || cpu0 < 0 ? -1 : ThreadCpuClock.Microseconds() - cpu0;
                                maskAllocated += GC.GetAllocatedBytesForCurrentThread() - a0;
                                var paused = GC.GetTotalPauseDuration() - p0;
                                maskPause += paused;
                                tbm.Add(us);
                                NoteSlowest(slowest, schemaId, i, us);
                                if (dump is not null)
                                {
                                    var before = System.Text.Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(prefix)[Math.Max(0, prefix!.Count - 40)..]);
                                    dump.WriteLine($"{schemaId}\t{i}\t{us:0.0}\t{masker.CachedLexerStates}\t{paused.TotalMicroseconds:0}\t{(GC.CollectionCount(2) > g2 ? 2 : GC.CollectionCount(1) > g1 ? 1 : 0)}\t{(paused > TimeSpan.Zero ? GC.GetGCMemoryInfo().PromotedBytes / 1024 : 0)}\t{(System.Runtime.JitInfo.GetCompilationTime(currentThread: true) - j0).TotalMicroseconds:0}\t{GcInfo(paused)}\t{cpu:0}\t{before.Replace("\t", "\\t").Replace("\n", "\\n")}");
                                }
                            }
                            int id = i < ids.Count ? ids[i] : stop;
                            if ((mask[id >> 5] & (1u << (id & 31))) == 0) { ok = false; break; }
                            if (i < ids.Count)
                            {
                                state = state.Advance(vocab[id]);
                                prefix?.AddRange(vocab[id]);
                            }
                        }
                        if (!ok)
                    {
                        validRejected++; sValidRejected++; schemaOk = false;
                        if (trace) Console.Error.WriteLine($"VALID-REJECTED {entry.GetProperty("id").GetString()}: a token of {text[..Math.Min(text.Length, 2000)]}");
                    }
                        sw.Restart();
                    }
                    if (grammarText is null)
                    {
                        foreach (var test in tests.Where(t => !t.GetProperty("valid").GetBoolean()))
                        {
                            var bytes = System.Text.Encoding.UTF8.GetBytes(Structured.Schemas.JsonText.Compact(test.GetProperty("data")));
                            if ((masker?.Grammar ?? noMaskGrammar!).Accepts(bytes))
                        {
                            invalidAccepted++; sInvalidAccepted++; schemaOk = false;
                            if (trace) Console.Error.WriteLine($"INVALID-ACCEPTED {entry.GetProperty("id").GetString()}: {System.Text.Encoding.UTF8.GetString(bytes)}");
                        }
                        }
                    }
                }
                catch (GrammarException e)
                {
                    // A lexeme too complex to decide while parsing: the schema could not be handled, so it counts as a compile error.
                    compileErrors++;
                    sCompile++;
                    string reason = "while parsing: " + ReasonOf(e);
                    reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                    continue;
                }
                if (schemaOk) { passing++; sPassing++; }
            }
            subsets.Add(new { subset, schemas = sSchemas, passing = sPassing, compile_errors = sCompile, valid_rejected = sValidRejected, invalid_accepted = sInvalidAccepted });
        }
        foreach (var row in subsets) Console.WriteLine(JsonSerializer.Serialize(new { type = "subset", row }));
        if (reasons.Count > 0)
            Console.WriteLine(JsonSerializer.Serialize(new { type = "compile_errors", reasons = reasons.OrderByDescending(r => r.Value).Take(40).ToDictionary(r => r.Key, r => r.Value) }));
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            type = "summary",
            vocab = vocab.Name,
            slowest = slowest.OrderByDescending(x => x.Us).Select(x => new { schema = x.Schema, token = x.Token, us = Math.Round(x.Us, 1) }),
            grammar = grammarPath is null ? "schema" : Path.GetFileName(grammarPath),
            schema_enforced = grammarPath is null,
            compile_once = compileOnce,
            property_order = anyOrder ? "any" : "schema",
            schemas,
            per_subset = perSubset,
            passing,
            compile_errors = compileErrors,
            // Whole run (compiling, masking, judging): the garbage the engine makes, for comparisons between builds.
            allocated_mb = (GC.GetTotalAllocatedBytes() - allocatedBefore) >> 20,
            mask_allocated_mb = maskAllocated >> 20,
            mask_gc_pause_ms = Math.Round(maskPause.TotalMilliseconds),
            mask_total_ms = Math.Round(tbm.Sum() / 1000),
            gc_collections = new[] { GC.CollectionCount(0) - collectionsBefore[0], GC.CollectionCount(1) - collectionsBefore[1], GC.CollectionCount(2) - collectionsBefore[2] },
            valid_instances = validInstances,
            valid_rejected = validRejected,
            invalid_instances = invalidInstances,
            invalid_accepted = grammarPath is null ? (int?)invalidAccepted : null,
            compile_ms = grammarPath is null ? Stats.Of(compileMs, 3) : null,
            tokens,
            tbm_us = Stats.Of(tbm, 1),
            ttfm_us = Stats.Of(ttfm, 1),
        }));
        return 0;
    }
}
