using FsCheck;
using FsCheck.Fluent;
using Structured.Grammars;
using Structured.Parsing;
using Structured.Tests.Infrastructure;

namespace Structured.Tests.Grammars;

/// <summary>Bad grammars give errors that name the line, the column and the cause, and never another exception.</summary>
public class BadGrammarTests
{
    [Theory]
    [InlineData("root ::= \"a\" missing", 1, 14, "undefined rule 'missing'")]
    [InlineData("root ::= \"abc", 1, 10, "unterminated string literal")]
    [InlineData("root ::= [a-", 1, 10, "missing ']'")]
    [InlineData("root ::= ( \"a\"", 1, 10, "missing ')'")]
    [InlineData("root := \"a\"", 1, 6, "expected '::='")]
    [InlineData("other ::= \"a\"", 1, 1, "no 'root' rule")]
    [InlineData("root ::= \"a\"{3,1}", 1, 13, "max below min")]
    [InlineData("root ::= \"\\q\"", 1, 11, "unknown escape")]
    [InlineData("root ::= <[42]>", 1, 10, "token references")]
    [InlineData("root ::= [z-a]", 1, 10, "out of order")]
    public void Gbnf_errors(string text, int line, int column, string cause) => Expect(() => CompiledGrammar.FromGbnf(text), line, column, cause);

    [Theory]
    [InlineData("start: a\na: \"x\" b", 2, 8, "undefined rule 'b'")]
    [InlineData("start: X", 1, 8, "undefined terminal 'X'")]
    [InlineData("start: /a(?=b)/", 1, 10, "lookahead")]
    [InlineData("start: \"a\"\nX: X \"a\"", 2, 1, "refers to itself")]
    [InlineData("start: \"a\"\n%import common.NOPE", 2, 1, "no terminal 'NOPE'")]
    [InlineData("start: \"a\"\n%declare X", 2, 1, "not supported")]
    [InlineData("start: \"a\"\nX: b", 2, 4, "terminals may use only terminals")]
    [InlineData("start: (\"a\"", 1, 8, "missing ')'")]
    [InlineData("start: /abc/q", 1, 13, "flag 'q'")]
    [InlineData("rule: \"a\"", 1, 1, "no 'start' rule")]
    public void Lark_errors(string text, int line, int column, string cause) => Expect(() => CompiledGrammar.FromLark(text), line, column, cause);

    private static void Expect(Action action, int line, int column, string cause)
    {
        var e = Assert.ThrowsAny<GrammarException>(action);
        Assert.Contains(cause, e.Message, StringComparison.Ordinal);
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Contains($"{line}:{column}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_grammar_with_an_empty_language_is_an_error()
    {
        var e = Assert.Throws<EmptyLanguageException>(() => CompiledGrammar.FromGbnf("root ::= loop\nloop ::= \"a\" loop"));
        Assert.Contains("matches no string", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreachable_and_unproductive_rules_are_harmless()
    {
        var c = CompiledGrammar.FromGbnf("root ::= \"a\" | dead\ndead ::= \"b\" dead\nunused ::= \"x\" unused");
        Assert.True(c.Accepts("a"u8));
        Assert.False(c.Accepts("b"u8));
    }

    [Fact]
    public void Compile_limits_stop_huge_expansions_with_a_clear_error()
    {
        var e = Assert.Throws<GrammarException>(() => CompiledGrammar.FromGbnf("root ::= x{0,100000}\nx ::= \"(\" x \")\" | \"a\""));
        Assert.Contains("limit", e.Message, StringComparison.Ordinal);
        var tight = new CompileOptions { MaxRegexStates = 500 };
        var g = CompiledGrammar.Compile(Grammar.FromRegex("(a|b)*a(a|b){12}"), tight);
        var rng = new Random(7);
        var input = System.Text.Encoding.ASCII.GetBytes(new string(Enumerable.Range(0, 4000).Select(_ => rng.Next(2) == 0 ? 'a' : 'b').ToArray()));
        var ex = Assert.Throws<GrammarException>(() => g.Accepts(input));
        Assert.Contains("limit", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(GrammarFiles.All), MemberType = typeof(GrammarFiles))]
    public void Mutated_grammar_texts_compile_or_fail_with_a_grammar_error(string file)
    {
        string text = File.ReadAllText(Path.Combine(GrammarFiles.Folder, file));
        const string noise = "()[]{}|*+?\"'/\\:=.-~%^ \na_Z09";
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var rng = new Random(seed);
            var chars = text.ToList();
            for (int k = rng.Next(1, 4); k > 0; k--)
            {
                int at = rng.Next(chars.Count);
                switch (rng.Next(3))
                {
                    case 0: chars.RemoveAt(at); break;
                    case 1: chars.Insert(at, noise[rng.Next(noise.Length)]); break;
                    default: chars[at] = noise[rng.Next(noise.Length)]; break;
                }
            }
            var mutated = new string(chars.ToArray());
            try
            {
                var c = CompiledGrammar.Compile(GrammarFile.Parse(mutated, Path.GetExtension(file), file));
                c.Parse("{\"a\": [1, 2], \"b\": SELECT x FROM y\n"u8);
                return true.ToProperty();
            }
            catch (GrammarException)
            {
                return true.ToProperty();
            }
            catch (Exception e)
            {
                return false.Label($"seed {seed}: {e.GetType().Name}: {e.Message}\n{mutated}");
            }
        }));
    }

    [Fact]
    public void Random_patterns_parse_or_fail_with_a_regex_error()
    {
        const string alphabet = "ab()[]{}|*+?^$\\.-,0123dwsuxp:=!<>";
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var rng = new Random(seed);
            var pattern = new string(Enumerable.Range(0, rng.Next(1, 12)).Select(_ => alphabet[rng.Next(alphabet.Length)]).ToArray());
            try
            {
                CompiledGrammar.FromRegex(pattern).Accepts("ab1"u8);
                return true.ToProperty();
            }
            catch (GrammarException)
            {
                return true.ToProperty();
            }
            catch (Exception e)
            {
                return false.Label($"/{pattern}/: {e.GetType().Name}: {e.Message}");
            }
        }));
    }
}
