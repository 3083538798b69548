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
