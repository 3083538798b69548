using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace Structured.Cli;

/// <summary><c>structured compile</c>: compile a constraint and report its size, or print it back.</summary>
internal static class CompileCommand
{
    public static Command Create()
    {
        var constraint = new ConstraintOptions();
        var print = new Option<bool>("--print-grammar") { Description = "Print the grammar IR as text." };
        var rules = new Option<bool>("--print-rules") { Description = "Print the lowered Earley rules." };
        var command = new Command("compile", "Compile a schema or grammar and report the result; exit 2 with the location and cause when it is invalid.");
        constraint.AddTo(command, withRegex: true);
        command.Options.Add(print);
        command.Options.Add(rules);
        command.SetAction(result =>
        {
            var sw = Stopwatch.StartNew();
            var grammar = constraint.Load(result);
            if (grammar is null) return ExitCodes.BadConstraint;
            var compiled = ConstraintOptions.Compile(grammar);
            if (compiled is null) return ExitCodes.BadConstraint;
            _ = compiled.InitialState;
            sw.Stop();
            if (result.GetValue(print)) Console.Write(grammar.ToString());
            if (result.GetValue(rules)) Console.Write(compiled.DescribeRules());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"compiled: {compiled.RuleCount} rules, {compiled.LexemeCount} lexemes, {sw.Elapsed.TotalMilliseconds:F2} ms"));
            return ExitCodes.Accepted;
        });
        return command;
    }
}
