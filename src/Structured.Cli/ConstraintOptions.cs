using System.CommandLine;
using Structured.Grammars;
using Structured.Parsing;

namespace Structured.Cli;

/// <summary>The options that name a constraint (<c>--schema</c>, <c>--grammar</c>, <c>--regex</c>), shared by commands.</summary>
internal sealed class ConstraintOptions
{
    public Option<FileInfo?> Schema { get; } = new("--schema") { Description = "A JSON Schema file." };
    public Option<FileInfo?> Grammar { get; } = new("--grammar") { Description = "A grammar file: .gbnf (llama.cpp GBNF) or .lark (Lark-style EBNF)." };
    public Option<string?> Regex { get; } = new("--regex") { Description = "An ECMA-262 regex; the whole input must match it." };

    public void AddTo(Command command, bool withRegex)
    {
        command.Options.Add(Schema);
        command.Options.Add(Grammar);
        if (withRegex) command.Options.Add(Regex);
    }

    /// <summary>Loads the one constraint given; on failure writes the reason to stderr and returns null.</summary>
    public Grammar? Load(ParseResult result)
    {
        var schema = result.GetValue(Schema);
        var grammar = result.GetValue(Grammar);
        var regex = result.GetValue(Regex);
        int given = (schema is null ? 0 : 1) + (grammar is null ? 0 : 1) + (regex is null ? 0 : 1);
        if (given != 1)
        {
            Console.Error.WriteLine("error: give exactly one of --schema, --grammar or --regex");
            return null;
        }
        try
        {
            if (schema is not null)
            {
                Console.Error.WriteLine($"error: {schema.Name}: JSON Schema constraints are not yet supported by this version");
                return null;
            }
            if (grammar is not null) return GrammarFile.Load(grammar.FullName);
            return Structured.Grammars.Grammar.FromRegex(regex!);
        }
        catch (GrammarException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return null;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"error: cannot read {grammar?.FullName}: {e.Message}");
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"error: cannot read {grammar?.FullName}: {e.Message}");
            return null;
        }
    }

    /// <summary>Compiles a loaded grammar; on failure writes the reason to stderr and returns null.</summary>
    public static CompiledGrammar? Compile(Grammar grammar)
    {
        try
        {
            return CompiledGrammar.Compile(grammar);
        }
        catch (GrammarException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return null;
        }
    }
}
