using System.CommandLine;
using Structured.Cli;

var root = new RootCommand("structured: grammar-constrained generation and checking for language models.");
root.Subcommands.Add(CheckCommand.Create());
root.Subcommands.Add(CompileCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(CoverageCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(ServeCommand.Create());

// No response files: an argument such as `bench maskbench --only @IDS` names a file the command reads itself.
var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (parsed.Errors.Count > 0)
{
    foreach (var e in parsed.Errors) Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine("Run 'structured --help' for usage.");
    return ExitCodes.BadConstraint;
}
return parsed.Invoke();
