using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Structured.Parsing;
using Structured.Regex;
using NetRegex = System.Text.RegularExpressions.Regex;

namespace Structured.Tests.Regex;

public class RegexTests
{
    private static bool Full(string pattern, string input) => CompiledGrammar.FromRegex(pattern).Accepts(Encoding.UTF8.GetBytes(input));

    [Theory]
    [InlineData(@"\d{4}-\d{2}-\d{2}", "2024-01-31", true)]
    [InlineData(@"\d{4}-\d{2}-\d{2}", "2024-1-31", false)]
    [InlineData(@"^[a-z]+@[a-z]+\.com$", "ab@cd.com", true)]
    [InlineData(@"(?:ab|a)(?<n>b+)?c", "abbc", true)]
    [InlineData(@"a{2,3}?", "aaa", true)]
    [InlineData(@"a{2,3}", "aaaa", false)]
    [InlineData(@"[^\W\d]+", "Hello_", true)]
    [InlineData(@"[^\W\d]+", "a1", false)]
    [InlineData(@"\s*", " \t\u00A0\u3000", true)]
    [InlineData(@"\u00e9|\u{1F600}", "😀", true)]
    [InlineData(@"\uD83D\uDE00", "😀", true)]
    [InlineData(@".", "\n", false)]
    [InlineData(@"\p{Lu}\p{Ll}+", "Éte", true)]
    [InlineData(@"\P{L}", "a", false)]
    [InlineData(@"a{,3}", "a{,3}", true)]
    [InlineData(@"x{0}", "", true)]
    public void Full_match_semantics(string pattern, string input, bool expected) => Assert.Equal(expected, Full(pattern, input));

    [Theory]
    [InlineData("abc", "xxabcxx", true)]
    [InlineData("^abc", "xxabc", false)]
    [InlineData("^abc", "abcxx", true)]
    [InlineData("abc$", "xxabc", true)]
    [InlineData("^a|b$", "ax", true)]
    [InlineData("^a|b$", "xb", true)]
    [InlineData("^a|b$", "xa", false)]
    [InlineData("^(?:a|b)$", "b", true)]
    [InlineData("^(?:a|b)$", "ab", false)]
    public void Search_semantics_as_in_json_schema_pattern(string pattern, string input, bool expected)
    {
        var node = RegexParser.Parse(pattern, new RegexOptions { Anchoring = RegexAnchoring.Search });
        var g = new Structured.Grammars.Grammar("s", [new("s", new Structured.Grammars.TokenExpr(node, pattern), default)]);
        Assert.Equal(expected, CompiledGrammar.Compile(g).Accepts(Encoding.UTF8.GetBytes(input)));
    }

    [Theory]
    [InlineData("a(?=b)", 1, "lookahead")]
    [InlineData("(?<!a)b", 0, "lookbehind")]
    [InlineData(@"(a)\1", 3, "backreference")]
    [InlineData(@"\bword", 0, "word boundary")]
    [InlineData("(ab", 0, "missing ')'")]
    [InlineData("ab)", 2, "unmatched ')'")]
    [InlineData("[a-", 0, "missing ']'")]
    [InlineData("[z-a]", 3, "out of order")]
    [InlineData("*a", 0, "nothing to repeat")]
    [InlineData("a{3,2}", 1, "out of order")]
    [InlineData(@"\q", 0, "unknown escape")]
    [InlineData("a^b", 1, "'^'")]
    [InlineData(@"\p{Greek}", 0, "not supported")]
    [InlineData("a{1000000}", 1, "limit")]
    public void Unsupported_or_bad_patterns_name_the_construct_and_offset(string pattern, int position, string cause)
    {
        var e = Assert.Throws<RegexParseException>(() => RegexParser.Parse(pattern));
        Assert.Equal(position, e.Position);
        Assert.Contains(cause, e.RegexReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Classes_compile_to_exact_utf8()
    {
        var c = CompiledGrammar.FromRegex(@"[\u0080-\u07FF]");
        Assert.True(c.Accepts([0xC2, 0x80]));
        Assert.True(c.Accepts([0xDF, 0xBF]));
        Assert.False(c.Accepts([0xC0, 0x80])); // overlong encoding of U+0000
        Assert.False(c.Accepts([0x41]));
        var any = CompiledGrammar.FromRegex(@"[\s\S]");
        Assert.False(any.Accepts([0xED, 0xA0, 0x80])); // a surrogate is not UTF-8
        Assert.True(any.Accepts([0xF4, 0x8F, 0xBF, 0xBF]));
        Assert.False(any.Accepts([0xF4, 0x90, 0x80, 0x80])); // above U+10FFFF
        Assert.True(any.Accepts(Encoding.UTF8.GetBytes("\uFFFF")));
    }

    [Fact]
    public void Utf8_ranges_match_exactly_the_encodings_of_their_code_points()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var rng = new Random(seed);
            int lo = rng.Next(0, 0x110000), hi = Math.Min(0x10FFFF, lo + rng.Next(0, rng.Next(2) == 0 ? 300 : 0x20000));
            var set = CodePointSet.Range(lo, hi);
            if (lo >= 0xD800 && hi <= 0xDFFF)
            {
                // Only surrogates, which UTF-8 cannot encode: the language is empty, and says so.
                Assert.Throws<EmptyLanguageException>(() => CompiledGrammar.FromRegex(set.ToString()));
                return true.ToProperty();
            }
            var c = CompiledGrammar.FromRegex(set.ToString());
            for (int k = 0; k < 200; k++)
            {
                int cp = k % 2 == 0 ? lo - 2 + rng.Next(hi - lo + 5) : rng.Next(0, 0x110000);
                if (cp < 0 || cp > 0x10FFFF || cp is >= 0xD800 and <= 0xDFFF) continue;
                bool expected = cp >= lo && cp <= hi;
                if (c.Accepts(Encoding.UTF8.GetBytes(char.ConvertFromUtf32(cp))) != expected) return false.Label($"{set} U+{cp:X}");
            }
            return true.ToProperty();
        }));
    }

    private static readonly string[] Atoms = ["a", "b", "c", "1", "[ab]", "[^a]", @"\d", "(a|b)", "(?:bc)", "(a*)", ".", "[a-c1]"];
    private static readonly string[] Quantifiers = ["", "", "", "*", "+", "?", "{2}", "{1,2}", "{0,3}", "*?", "{2,}"];

    [Fact]
    public void Search_semantics_agree_with_dotnet_regex_on_random_patterns_with_counted_edges()
    {
        // Repetitions at a free edge are trimmed before compiling (any·X{m,n} = any·X{m}); .NET searches untrimmed.
        string[] edges = ["a{1,3}", "[ab]{2,}", "1{0,2}", "(ab){1,4}", "b*", "[^a]+"];
        var gen = Gen.Choose(0, int.MaxValue);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Arb.From(gen), seed =>
        {
            var rng = new Random(seed);
            var sb = new StringBuilder();
            if (rng.Next(2) == 0) sb.Append(edges[rng.Next(edges.Length)]);
            int n = rng.Next(0, 3);
            for (int i = 0; i < n; i++) sb.Append(Atoms[rng.Next(Atoms.Length)]).Append(Quantifiers[rng.Next(Quantifiers.Length)]);
            if (rng.Next(2) == 0 || sb.Length == 0) sb.Append(edges[rng.Next(edges.Length)]);
            if (rng.Next(5) == 0) sb.Append('|').Append(edges[rng.Next(edges.Length)]);
            bool start = rng.Next(3) == 0, end = rng.Next(3) == 0;
            string pattern = (start ? "^" : "") + sb + (end ? "$" : "");
            var node = RegexParser.Parse(pattern, new RegexOptions { Anchoring = RegexAnchoring.Search });
            var ours = CompiledGrammar.Compile(new Structured.Grammars.Grammar("s", [new("s", new Structured.Grammars.TokenExpr(node, pattern), default)]));
            // .NET's '$' also matches before a final newline; \z is ECMA's '$' without the multiline flag.
            var theirs = new NetRegex((start ? "^" : "") + sb + (end ? @"\z" : ""), System.Text.RegularExpressions.RegexOptions.CultureInvariant);
            for (int k = 0; k < 60; k++)
            {
                var input = new string(Enumerable.Range(0, rng.Next(0, 9)).Select(_ => "abc1\n"[rng.Next(5)]).ToArray());
                if (ours.Accepts(Encoding.UTF8.GetBytes(input)) != theirs.IsMatch(input))
                    return false.Label($"/{pattern}/ on \"{input}\"");
            }
            return true.ToProperty();
        }));
    }

    [Fact]
    public void Acceptance_agrees_with_dotnet_regex_on_random_patterns()
    {
        var gen = Gen.Choose(0, int.MaxValue);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Arb.From(gen), seed =>
        {
            var rng = new Random(seed);
            var sb = new StringBuilder();
            int n = rng.Next(1, 6);
            for (int i = 0; i < n; i++)
            {
                if (i > 0 && rng.Next(6) == 0) sb.Append('|');
                sb.Append(Atoms[rng.Next(Atoms.Length)]).Append(Quantifiers[rng.Next(Quantifiers.Length)]);
            }
            string pattern = sb.ToString();
            var ours = CompiledGrammar.FromRegex(pattern);
            var theirs = new NetRegex(@"\A(?:" + pattern + @")\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
            for (int k = 0; k < 60; k++)
            {
                var input = new string(Enumerable.Range(0, rng.Next(0, 7)).Select(_ => "abc1\n"[rng.Next(5)]).ToArray());
                if (ours.Accepts(Encoding.UTF8.GetBytes(input)) != theirs.IsMatch(input))
                    return false.Label($"/{pattern}/ on \"{input}\"");
            }
            return true.ToProperty();
        }));
    }

    [Fact]
    public void Huge_bounded_repeats_cost_nothing_until_used()
    {
        var c = CompiledGrammar.FromRegex("\"[^\"]{0,5000}\"");
        int before = c.LexerStateCount;
        Assert.True(c.InitialState.Advance("\"abc").IsViable);
        Assert.True(c.LexerStateCount - before < 20);
        Assert.True(c.Accepts(Encoding.UTF8.GetBytes("\"" + new string('x', 5000) + "\"")));
        Assert.False(c.Accepts(Encoding.UTF8.GetBytes("\"" + new string('x', 5001) + "\"")));
    }
}
