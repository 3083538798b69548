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
    public static int Run(string encoding, string dataDir, string? grammarPath, int limit, bool compileOnce)
    {
        var vocab = TokenVocabulary.Tiktoken(encoding);
        var tokenizer = TiktokenTokenizer.CreateForEncoding(vocab.Name);
        string maskbench = Path.Combine(dataDir, "jsonschemabench", "maskbench");
        if (!Directory.Exists(maskbench)) maskbench = Path.Combine(dataDir, "maskbench");
        if (!Directory.Exists(maskbench)) throw new DirectoryNotFoundException($"no maskbench folder under {dataDir}");
        string? grammarText = grammarPath is null ? null : File.ReadAllText(grammarPath);
        var tbm = new List<double>();
        var ttfm = new List<double>();
        int schemas = 0, passing = 0, compileErrors = 0, validRejected = 0, validInstances = 0, invalidInstances = 0, tokens = 0;
        var mask = new uint[(vocab.Size + 31) / 32];
        int stop = vocab.EndOfSequenceIds[0];
        TokenMasker? shared = grammarText is null || !compileOnce ? null
            : new TokenMasker(CompiledGrammar.Compile(GrammarFile.Parse(grammarText, Path.GetExtension(grammarPath!), Path.GetFileName(grammarPath!))), vocab);
        foreach (var file in Directory.GetFiles(maskbench, "*.jsonl").Order(StringComparer.Ordinal))
        {
            foreach (var line in File.ReadLines(file))
            {
                if (limit > 0 && schemas >= limit) break;
                if (string.IsNullOrWhiteSpace(line)) continue;
                var entry = JsonNode.Parse(line)!;
                schemas++;
                var tests = entry["tests"]!.AsArray();
                invalidInstances += tests.Count(t => t!["valid"]!.GetValue<bool>() == false);
                if (grammarText is null)
                {
                    compileErrors++; // JSON Schema compilation arrives with the schema compiler
                    continue;
                }
                bool schemaOk = true;
                TokenMasker? masker = compileOnce ? shared : null;
                foreach (var test in tests.Where(t => t!["valid"]!.GetValue<bool>()))
                {
                    validInstances++;
                    string text = test!["data"]!.ToJsonString();
                    var ids = tokenizer.EncodeToIds(text);
                    tokens += ids.Count;
                    // One grammar per schema, as MaskBench compiles each schema once: its first instance pays the compile.
                    var sw = Stopwatch.StartNew();
                    if (masker is null)
                    {
                        var compiled = CompiledGrammar.Compile(GrammarFile.Parse(grammarText, Path.GetExtension(grammarPath!), Path.GetFileName(grammarPath!)));
                        masker = new TokenMasker(compiled, vocab);
                    }
                    var grammar = masker.Grammar;
                    var state = grammar.InitialState;
                    masker.FillMask(state, mask);
                    ttfm.Add(sw.Elapsed.TotalMicroseconds);
                    bool ok = true;
                    for (int i = 0; i <= ids.Count; i++)
                    {
                        if (i > 0)
                        {
                            long t0 = Stopwatch.GetTimestamp();
                            masker.FillMask(state, mask);
                            tbm.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
                        }
                        int id = i < ids.Count ? ids[i] : stop;
                        if ((mask[id >> 5] & (1u << (id & 31))) == 0) { ok = false; break; }
                        if (i < ids.Count) state = state.Advance(vocab[id]);
                    }
                    if (!ok) { validRejected++; schemaOk = false; }
                }
                if (schemaOk) passing++;
            }
        }
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            type = "summary",
            vocab = vocab.Name,
            grammar = grammarPath is null ? "schema" : Path.GetFileName(grammarPath),
            schema_enforced = grammarPath is null,
            compile_once = compileOnce,
            schemas,
            passing,
            compile_errors = compileErrors,
            valid_instances = validInstances,
            valid_rejected = validRejected,
            invalid_instances = invalidInstances,
            invalid_accepted = grammarPath is null ? (int?)0 : null,
            tokens,
            tbm_us = Stats.Of(tbm, 1),
            ttfm_us = Stats.Of(ttfm, 1),
        }));
        return 0;
    }
}
