using System.Text;
using Structured.Parsing;

namespace Structured.Tests.Parsing;

/// <summary>Where lexemes end: all ends (GBNF), longest match (Lark), shortest match (lazy Lark terminals), priorities.</summary>
public class LexemeSemanticsTests
{
    private static bool Accepts(CompiledGrammar g, string s) => g.Accepts(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void Gbnf_follows_every_split_of_a_regular_part()
    {
        // [a-z]* could swallow the final "a"; the exact CFG meaning still accepts.
        var g = CompiledGrammar.FromGbnf("root ::= [a-z]* \"a\" word\nword ::= [a-z]+ | \"(\" root \")\"");
        Assert.True(Accepts(g, "bab"));
        Assert.True(Accepts(g, "aaa(ab)"));
        Assert.False(Accepts(g, "bbb"));
    }

    [Fact]
    public void Lark_lexes_by_longest_match()
    {
        var g = CompiledGrammar.FromLark("start: NAME NAME\nNAME: /[a-z]+/\n%ignore \" \"");
        Assert.True(Accepts(g, "ab cd"));
        Assert.False(Accepts(g, "abcd")); // one NAME, not two
    }

    [Fact]
    public void Lazy_regex_terminals_end_at_the_shortest_match()
    {
        var lazy = CompiledGrammar.FromLark("start: COMMENT \"x\"\nCOMMENT: /\\/\\*.*?\\*\\//s");
        Assert.True(Accepts(lazy, "/* a */x"));
        Assert.False(Accepts(lazy, "/* a */ */x"));
        var lazyMany = CompiledGrammar.FromLark("start: COMMENT+\nCOMMENT: /\\/\\*.*?\\*\\//s");
        var greedyMany = CompiledGrammar.FromLark("start: COMMENT+\nCOMMENT: /\\/\\*.*\\*\\//s");
        Assert.False(Accepts(lazyMany, "/* a */ */"));   // ends at the first */, then " */" is no comment
        Assert.True(Accepts(greedyMany, "/* a */ */"));  // one comment up to the last */
        Assert.True(Accepts(lazyMany, "/* a *//* b */"));
    }

    [Fact]
    public void Literals_outrank_regexes_and_stay_reserved()
    {
        var g = CompiledGrammar.FromLark("""
            start: "select"i NAME ("from"i NAME)?
            NAME: /[a-z]+/
            %ignore " "
            """);
        Assert.True(Accepts(g, "SELECT a FROM b"));
        Assert.True(Accepts(g, "select selection"));
        Assert.False(Accepts(g, "select from"));      // 'from' is reserved, not a NAME
        Assert.False(Accepts(g, "select select"));
    }

    [Fact]
    public void Explicit_priorities_break_ties()
    {
        var g = CompiledGrammar.FromLark("""
            start: HEX | WORD
            HEX.2: /[0-9a-f]+/
            WORD: /[a-z]+/
            """);
        var plain = CompiledGrammar.FromLark("""
            start: WORD
            HEX.2: /[0-9a-f]+/
            WORD: /[a-z]+/
            """);
        Assert.True(Accepts(g, "beef"));
        Assert.True(Accepts(g, "zoo"));
        Assert.True(Accepts(plain, "beef")); // HEX is neither used nor a literal, so it reserves nothing
    }
}
