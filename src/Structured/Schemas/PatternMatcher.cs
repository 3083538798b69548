using System.Collections.Concurrent;
using System.Text;
using Structured.Grammars;
using Structured.Parsing;
using Structured.Regex;

namespace Structured.Schemas;

/// <summary>
/// Matches strings against ECMA-262 patterns (search semantics, as JSON Schema's <c>pattern</c>) and format regexes with
/// this library's own regex engine, so that the validator and the compiled grammars read patterns the same way.
/// </summary>
internal static class PatternMatcher
{
    private static readonly ConcurrentDictionary<string, CompiledGrammar> Patterns = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, CompiledGrammar> FormatGrammars = new(StringComparer.Ordinal);

    /// <summary>The pattern as a regex over the decoded string, anywhere in it; throws <see cref="RegexParseException"/>.</summary>
    public static RegexNode Parse(string pattern) => RegexParser.Parse(pattern, new RegexOptions { Anchoring = RegexAnchoring.Search });

    /// <summary>True when the pattern matches somewhere in <paramref name="text"/>.</summary>
    public static bool IsMatch(string pattern, string text)
    {
        // Kept for the process: without its regex tree (made again if ever asked for), which is most of its objects.
        var g = Patterns.GetOrAdd(pattern, p => Compile(Parse(p)).WithSourceMadeOnDemand(() => GrammarOf(Parse(p))));
        return g.Accepts(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>True when <paramref name="text"/> is in a supported format.</summary>
    public static bool IsFormat(string format, string text)
    {
        var g = FormatGrammars.GetOrAdd(format, f => Compile(Formats.Regex(f)!));
        return g.Accepts(Encoding.UTF8.GetBytes(text));
    }

    private static CompiledGrammar Compile(RegexNode node) => CompiledGrammar.Compile(GrammarOf(node));

    private static Grammar GrammarOf(RegexNode node) =>
        new("start", [new GrammarRule("start", new TokenExpr(node, "pattern"), new SourceLocation(1, 1))]);
}
