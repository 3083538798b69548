using System.CommandLine;
using Structured.Cli.Bench;

namespace Structured.Cli;

/// <summary><c>structured bench</c>: benchmarks that print JSON lines.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks; each prints JSON lines.");
        command.Subcommands.Add(Parse());
        command.Subcommands.Add(Masks());
        command.Subcommands.Add(MaskBench());
        command.Subcommands.Add(Setup());
        command.Subcommands.Add(Batch());
        command.Subcommands.Add(Model());
        command.Subcommands.Add(Awrs());
        command.Subcommands.Add(Serve());
        command.Subcommands.Add(Grammars());
        command.Subcommands.Add(FillInTheMiddle());
        return command;
    }

    private static Command MaskBench()
    {
        var tokenizer = new Option<string>("--tokenizer") { Description = "cl100k or o200k.", Required = true };
        var data = new Option<DirectoryInfo>("--data") { Description = "The data folder (holding jsonschemabench/maskbench/).", Required = true };
        var grammar = new Option<FileInfo?>("--grammar") { Description = "Replace every schema with this grammar (timings only: no schema is enforced, invalid instances are not judged)." };
        var limit = new Option<int>("--limit") { Description = "At most this many schemas (0: all).", DefaultValueFactory = _ => 0 };
        var perSubset = new Option<int>("--per-subset") { Description = "At most this many schemas from each subset, the first ones (0: all).", DefaultValueFactory = _ => 0 };
        var once = new Option<bool>("--compile-once") { Description = "With --grammar: compile it once and share it (its caches) across schemas, as a compile cache would." };
        var anyOrder = new Option<bool>("--any-order") { Description = "Compile schemas with properties in any order (objects of up to 10 listed properties)." };
        var only = new Option<string?>("--only") { Description = "Only these schema ids (Subset/name), comma-separated, or @FILE with one per line: to rerun the slowest masks alone." };
        var noMasks = new Option<bool>("--no-masks") { Description = "Judge instances by parsing their bytes only, without computing masks (the correctness counts, fast); no TBM/TTFM." };
        var command = new Command("maskbench", "The MaskBench protocol: per schema, compile and feed every valid instance token by token; TBM, TTFM, passing schemas, compile errors, valid rejected, invalid accepted.")
        {
            tokenizer, data, grammar, limit, perSubset, once, noMasks, anyOrder, only,
        };
        command.SetAction(r => MaskBenchBenchmark.Run(r.GetValue(tokenizer)!, r.GetValue(data)!.FullName, r.GetValue(grammar)?.FullName, r.GetValue(limit), r.GetValue(once), r.GetValue(noMasks), r.GetValue(anyOrder), r.GetValue(perSubset), r.GetValue(only)));
        return command;
    }

    private static Command Setup()
    {
        var tokenizer = new Option<string>("--tokenizer") { Description = "cl100k or o200k.", Required = true };
        var repeats = new Option<int>("--repeats") { Description = "Trie builds timed.", DefaultValueFactory = _ => 5 };
        var command = new Command("setup", "One-off costs of a vocabulary: loading its exact token bytes, building its token trie, and the trie's memory.") { tokenizer, repeats };
        command.SetAction(r => SetupBenchmark.Setup(r.GetValue(tokenizer)!, r.GetValue(repeats)));
        return command;
    }

    private static Command Model()
    {
        var model = new Option<string>("--model") { Description = "default, a Hugging Face folder, or bigram:FILE.", DefaultValueFactory = _ => "default" };
        var schemas = new Option<DirectoryInfo>("--schemas") { Description = "A folder of NAME.schema.json files (with a title each).", Required = true };
        var prompts = new Option<int>("--prompts") { Description = "Prompts for the validity comparison.", DefaultValueFactory = _ => 100 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Token limit per output.", DefaultValueFactory = _ => 160 };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };
        var command = new Command("model", "Forward speed (batch 1 and 16), masking overhead per step, and valid-output share without and with the constraint.") { model, schemas, prompts, maxTokens, seed };
        command.SetAction((r, _) => Bench.ModelBenchmark.RunAsync(r.GetValue(model)!, r.GetValue(schemas)!.FullName, r.GetValue(prompts), r.GetValue(maxTokens), r.GetValue(seed)));
        return command;
    }

    private static Command Awrs()
    {
        var model = new Option<string>("--model") { Description = "default, a Hugging Face folder, or bigram:FILE.", DefaultValueFactory = _ => "default" };
        var data = new Option<DirectoryInfo>("--data") { Description = "The shared data folder (with jsonschemabench/).", Required = true };
        var limit = new Option<int>("--limit") { Description = "Schemas, a few from each MaskBench subset.", DefaultValueFactory = _ => 50 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Token limit per output.", DefaultValueFactory = _ => 64 };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };
        var maxRejects = new Option<int>("--max-rejects") { Description = "AWRS switches to an exact mask after this many rejections; 0 never does.", DefaultValueFactory = _ => 32 };
        var command = new Command("awrs", "AWRS against full masking on MaskBench schemas: checks per token against the vocabulary size, and time per token.") { model, data, limit, maxTokens, seed, maxRejects };
        command.SetAction((r, _) => Bench.AwrsBenchmark.RunAsync(r.GetValue(model)!, r.GetValue(data)!.FullName, r.GetValue(limit), r.GetValue(maxTokens), r.GetValue(seed), r.GetValue(maxRejects)));
        return command;
    }

    private static Command Grammars()
    {
        var folder = new Option<DirectoryInfo>("--grammars") { Description = "The grammar library folder (with examples/NAME/valid/).", DefaultValueFactory = _ => new DirectoryInfo("grammars") };
        var tokenizer = new Option<string>("--tokenizer") { Description = "cl100k or o200k.", DefaultValueFactory = _ => "o200k" };
        var passes = new Option<int>("--passes") { Description = "Passes over the examples; the first is reported apart (cold caches).", DefaultValueFactory = _ => 5 };
        var command = new Command("grammars", "Per library grammar: compile time, and mask time along its valid examples.") { folder, tokenizer, passes };
        command.SetAction(r => GrammarLibraryBenchmark.Run(r.GetValue(folder)!.FullName, r.GetValue(tokenizer)!, Math.Max(1, r.GetValue(passes))));
        return command;
    }

    private static Command FillInTheMiddle()
    {
        var grammar = new Option<FileInfo>("--grammar") { Description = "The grammar of the files.", Required = true };
        var files = new Option<DirectoryInfo>("--files") { Description = "A folder of files in the grammar's language (searched recursively; files the grammar rejects are skipped).", Required = true };
        var cuts = new Option<int>("--cuts") { Description = "Random cuts (two points each).", DefaultValueFactory = _ => 200 };
        var maxMiddle = new Option<int>("--max-middle") { Description = "The longest middle, in bytes.", DefaultValueFactory = _ => 200 };
        var tokenizer = new Option<string>("--tokenizer") { Description = "cl100k or o200k, for the mask timings.", DefaultValueFactory = _ => "o200k" };
        var model = new Option<string?>("--model") { Description = "With a model (default, a Hugging Face folder, bigram:FILE): also the share of valid middles with and without the constraint." };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Token limit per generated middle.", DefaultValueFactory = _ => 64 };
        var promptChars = new Option<int>("--prompt-chars") { Description = "The model sees at most this many characters of the prefix.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Random seed for the cuts and the sampling.", DefaultValueFactory = _ => 1 };
        var command = new Command("fim", "Fill-in-the-middle over random cuts of real files: quotient setup, prefix parse and mask time per token; with --model, valid middles with and without the constraint.")
            { grammar, files, cuts, maxMiddle, tokenizer, model, maxTokens, promptChars, seed };
        command.SetAction((r, ct) => FillInTheMiddleBenchmark.RunAsync(new FillInTheMiddleBenchmark.Settings(r.GetValue(grammar)!.FullName, r.GetValue(files)!.FullName,
            r.GetValue(cuts), r.GetValue(maxMiddle), r.GetValue(tokenizer)!, r.GetValue(model), r.GetValue(maxTokens), r.GetValue(promptChars), r.GetValue(seed)), ct));
        return command;
    }

    private static Command Serve()
    {
        var model = new Option<string>("--model") { Description = "default, a Hugging Face folder, or bigram:FILE.", DefaultValueFactory = _ => "default" };
        var clients = new Option<string>("--clients") { Description = "Concurrent client counts, comma-separated.", DefaultValueFactory = _ => "1,4,16" };
        var seconds = new Option<double>("--seconds") { Description = "How long each client count runs.", DefaultValueFactory = _ => 20 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "max_tokens per request.", DefaultValueFactory = _ => 96 };
        var command = new Command("serve", "Server throughput and latency on loopback: N clients sending JSON-Schema chat requests back to back, for a bounded time.") { model, clients, seconds, maxTokens };
        command.SetAction((r, ct) => ServeBenchmark.RunAsync(r.GetValue(model)!, r.GetValue(clients)!.Split(',').Select(int.Parse).ToArray(), r.GetValue(seconds), r.GetValue(maxTokens), ct));
        return command;
    }

    private static Command Batch()
    {
        var tokenizer = new Option<string>("--tokenizer") { Description = "cl100k or o200k.", Required = true };
        var grammar = new Option<FileInfo>("--grammar") { Description = "The grammar.", Required = true };
        var trajectories = new Option<FileInfo>("--trajectories") { Description = "Trajectory JSONL; every state along them is a candidate.", Required = true };
        var sizes = new Option<string>("--sizes") { Description = "Batch sizes, comma-separated.", DefaultValueFactory = _ => "1,16,64" };
        var rounds = new Option<int>("--rounds") { Description = "Random batches timed per size.", DefaultValueFactory = _ => 200 };
        var command = new Command("batch", "FillMasks on batches of states (parallel across cores) against one-by-one FillMask, with warm caches.") { tokenizer, grammar, trajectories, sizes, rounds };
        command.SetAction(r => SetupBenchmark.Batch(r.GetValue(tokenizer)!, r.GetValue(grammar)!.FullName, r.GetValue(trajectories)!.FullName,
            r.GetValue(sizes)!.Split(',').Select(int.Parse).ToArray(), r.GetValue(rounds)));
        return command;
    }

    private static Command Masks()
    {
        var inputs = new Argument<string[]>("schema-or-dir") { Description = "NAME.schema.json / NAME.gbnf / NAME.lark files (with NAME.instance.json or .txt), or folders of them.", Arity = ArgumentArity.ZeroOrMore };
        var tokenizer = new Option<string>("--tokenizer") { Description = "cl100k, o200k, or a Hugging Face model folder.", Required = true };
        var trajectories = new Option<FileInfo?>("--trajectories") { Description = "A trajectory JSONL file (the peer harness's format): token ids per case." };
        var grammar = new Option<FileInfo?>("--grammar") { Description = "Use this grammar for every case (until JSON Schema compiles, e.g. grammars/json.gbnf for JSON instances)." };
        var repeat = new Option<int>("--repeat") { Description = "Timed passes over each trajectory.", DefaultValueFactory = _ => 5 };
        var compileRepeat = new Option<int>("--compile-repeat") { Description = "Timed compiles per case.", DefaultValueFactory = _ => 3 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed rounds over all cases first, with separately compiled grammars (JIT tiering).", DefaultValueFactory = _ => 1 };
        var command = new Command("masks", "Mask time along token trajectories, in the peer harness's format: one case line per case, then a summary line.")
        {
            inputs, tokenizer, trajectories, grammar, repeat, compileRepeat, warmup,
        };
        command.SetAction(result =>
        {
            string tok = result.GetValue(tokenizer)!;
            if (tok is not ("cl100k" or "o200k" or "cl100k_base" or "o200k_base") && !Directory.Exists(tok))
            {
                Console.Error.WriteLine($"error: --tokenizer {tok}: give cl100k, o200k, or a Hugging Face model folder (tokenizer.json or tokenizer.model)");
                return ExitCodes.BadConstraint;
            }
            var cases = MaskBenchmark.Discover(result.GetValue(inputs) ?? [], result.GetValue(trajectories)?.FullName);
            if (cases.Count == 0)
            {
                Console.Error.WriteLine("error: no cases: give schema or grammar files, folders, or --trajectories");
                return ExitCodes.BadConstraint;
            }
            var bench = new MaskBenchmark(tok, result.GetValue(repeat), result.GetValue(compileRepeat), result.GetValue(grammar)?.FullName);
            return bench.Run(cases, result.GetValue(warmup));
        });
        return command;
    }

    private static Command Parse()
    {
        var grammars = new Argument<FileInfo[]>("grammars") { Description = "Grammar files: compile time is measured for each; throughput and memory for the first.", Arity = ArgumentArity.OneOrMore };
        var input = new Option<FileInfo?>("--input") { Description = "The input to parse; it must be in the first grammar's language." };
        var jsonSize = new Option<int>("--json-size") { Description = "Without --input: parse a synthetic JSON document of about this many bytes.", DefaultValueFactory = _ => 1_000_000 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repetitions (the median is reported).", DefaultValueFactory = _ => 5 };
        var memoryPrefix = new Option<long>("--memory-prefix") { Description = "Bytes of input before measuring what a parser state keeps alive.", DefaultValueFactory = _ => 10_000 };
        var command = new Command("parse", "Compile time per grammar; parse throughput (one call and byte by byte) and memory per parser state for the first grammar.")
        {
            grammars, input, jsonSize, repeats, memoryPrefix,
        };
        command.SetAction(result =>
        {
            var file = result.GetValue(input);
            byte[] bytes = file is null ? SyntheticJson.Create(result.GetValue(jsonSize)) : File.ReadAllBytes(file.FullName);
            try
            {
                return ParseBenchmark.Run(result.GetValue(grammars)!.Select(f => f.FullName).ToList(), bytes, result.GetValue(repeats), result.GetValue(memoryPrefix));
            }
            catch (GrammarException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.BadConstraint;
            }
        });
        return command;
    }
}
