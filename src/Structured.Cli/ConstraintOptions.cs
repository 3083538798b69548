using System.CommandLine;
using Structured.Grammars;
using Structured.Parsing;

namespace Structured.Cli;

/// <summary>The options that name a constraint (<c>--schema</c>, <c>--grammar</c>, <c>--regex</c>), shared by commands.</summary>
internal sealed class ConstraintOptions
{
    public Option<FileInfo?> Schema { get; } = new("--schema") { Description = "A JSON Schema file." };
    public Option<FileInfo?> Grammar { get; } = new("--grammar") { Description = "A grammar file: .gbnf (llama.cpp GBNF), .lark (Lark-style EBNF) or .g4 (ANTLR 4)." };
    public Option<string?> Regex { get; } = new("--regex") { Description = "An ECMA-262 regex; the whole input must match it." };
    public Option<bool> Lenient { get; } = new("--lenient") { Description = "Schemas: drop keywords that cannot be enforced exactly, with a warning, instead of failing." };
    public Option<string> Whitespace { get; } = new("--whitespace") { Description = "Schemas: flexible (default, bounded), compact or pretty.", DefaultValueFactory = _ => "flexible" };
    public Option<string> PropertyOrder { get; } = new("--property-order") { Description = "Schemas: schema (default) or any.", DefaultValueFactory = _ => "schema" };
    public Option<bool> Strict { get; } = new("--strict") { Description = "Schemas: no properties beyond those listed unless the schema allows them. ANTLR grammars: actions and predicates are errors, not warnings." };

    public void AddTo(Command command, bool withRegex)
    {
        command.Options.Add(Schema);
        command.Options.Add(Grammar);
        command.Options.Add(Lenient);
        command.Options.Add(Whitespace);
        command.Options.Add(PropertyOrder);
        command.Options.Add(Strict);
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
                var options = SchemaOptions(result);
                if (options is null) return null;
                var compiled = Schemas.JsonSchema.ToGrammar(File.ReadAllText(schema.FullName), options);
                foreach (var w in compiled.Warnings) Console.Error.WriteLine($"warning: {w}");
                return compiled.Grammar;
            }
            if (grammar is not null && grammar.Extension.Equals(".g4", StringComparison.OrdinalIgnoreCase))
            {
                var g = AntlrReader.ReadFile(grammar.FullName, result.GetValue(Strict), out var warnings);
                foreach (var w in warnings) Console.Error.WriteLine($"warning: {w}");
                return g;
            }
            if (grammar is not null) return GrammarFile.Load(grammar.FullName);
            return Structured.Grammars.Grammar.FromRegex(regex!);
        }
        catch (GrammarException e)
        {
            Console.Error.WriteLine($"error: {(schema is null ? "" : schema.Name + ": ")}{e.Message}");
            return null;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"error: cannot read {(schema ?? grammar)?.FullName}: {e.Message}");
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"error: cannot read {grammar?.FullName}: {e.Message}");
            return null;
        }
    }

    private Schemas.JsonSchemaOptions? SchemaOptions(ParseResult result)
    {
        Schemas.JsonWhitespace? ws = result.GetValue(Whitespace) switch
        {
            "flexible" => Schemas.JsonWhitespace.Flexible,
            "compact" => Schemas.JsonWhitespace.Compact,
            "pretty" => Schemas.JsonWhitespace.Pretty,
            _ => null,
        };
        Schemas.PropertyOrder? order = result.GetValue(PropertyOrder) switch
        {
            "schema" => Schemas.PropertyOrder.Schema,
            "any" => Schemas.PropertyOrder.Any,
            _ => null,
        };
        if (ws is null || order is null)
        {
            Console.Error.WriteLine("error: --whitespace takes flexible, compact or pretty; --property-order takes schema or any");
            return null;
        }
        return new Schemas.JsonSchemaOptions { Whitespace = ws.Value, PropertyOrder = order.Value, Lenient = result.GetValue(Lenient), Strict = result.GetValue(Strict) };
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
