using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Structured.Grammars;
using Structured.Masks;
using Structured.Parsing;
using Structured.Tokens;

namespace Structured.Cli.Bench;

/// <summary><c>bench setup</c> and <c>bench batch</c>: one-off costs per vocabulary, and masks for many states at once.</summary>
internal static class SetupBenchmark
{
    public static int Setup(string encoding, int repeats)
    {
        var sw = Stopwatch.StartNew();
        var vocab = TokenVocabulary.Tiktoken(encoding);
        double loadMs = sw.Elapsed.TotalMilliseconds;
        var builds = new List<double>();
        TokenTrie? trie = null;
        long heap = 0;
        for (int r = 0; r < repeats; r++)
        {
            trie = null;
            long before = GC.GetTotalMemory(true);
            sw.Restart();
            trie = TokenTrie.Build(vocab);
            builds.Add(sw.Elapsed.TotalMilliseconds);
            heap = GC.GetTotalMemory(true) - before;
        }
        Emit(new
        {
            type = "setup",
            vocab = vocab.Name,
            vocab_size = vocab.Size,
            text_tokens = Enumerable.Range(0, vocab.TokenCount).Count(vocab.HasText),
            load_ms = Math.Round(loadMs, 1),
            trie_build_ms = Stats.Of(builds, 1),
            trie_nodes = trie!.NodeCount,
            trie_max_depth = trie.MaxDepth,
            trie_array_bytes = trie.MemoryBytes,
            trie_heap_bytes = heap,
        });
        GC.KeepAlive(trie);
        return 0;
    }

    public static int Batch(string encoding, string grammarPath, string trajectories, int[] sizes, int rounds)
    {
        var vocab = TokenVocabulary.Tiktoken(encoding);
        var grammar = CompiledGrammar.Compile(GrammarFile.Load(grammarPath));
        var masker = new TokenMasker(grammar, vocab);
        // Every state along every trajectory: a realistic mix of in-string, boundary and structural states.
        var states = new List<ParserState>();
        foreach (var line in File.ReadLines(trajectories))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            var state = grammar.InitialState;
            foreach (var id in JsonNode.Parse(line)!["tokens"]!.AsArray().Select(t => t!.GetValue<int>()))
            {
                states.Add(state);
                state = state.Advance(vocab[id]);
                if (!state.IsViable) throw new InvalidOperationException($"trajectory rejected by {grammarPath}");
            }
            states.Add(state);
        }
        var one = new uint[masker.MaskWords];
        foreach (var s in states) masker.FillMask(s, one); // warm the lazy caches: this measures steady state
        foreach (int size in sizes)
        {
            var buffer = new uint[size * masker.MaskWords];
            var parallel = new List<double>();
            var sequential = new List<double>();
            var rng = new Random(size);
            for (int r = 0; r < rounds; r++)
            {
                var batch = Enumerable.Range(0, size).Select(_ => states[rng.Next(states.Count)]).ToList();
                var sw = Stopwatch.StartNew();
                masker.FillMasks(batch, buffer);
                parallel.Add(sw.Elapsed.TotalMicroseconds);
                sw.Restart();
                for (int i = 0; i < batch.Count; i++) masker.FillMask(batch[i], buffer.AsSpan(i * masker.MaskWords, masker.MaskWords));
                sequential.Add(sw.Elapsed.TotalMicroseconds);
            }
            var p = Stats.Of(parallel);
            var q = Stats.Of(sequential);
            Emit(new
            {
                type = "batch",
                vocab = vocab.Name,
                grammar = Path.GetFileName(grammarPath),
                states = size,
                cores = Environment.ProcessorCount,
                fill_masks_us = p,
                sequential_us = q,
                us_per_mask = Math.Round(p["median"] / size, 2),
                speedup = Math.Round(q["median"] / p["median"], 2),
            });
        }
        return 0;
    }

    private static void Emit(object o) => Console.WriteLine(JsonSerializer.Serialize(o));
}
