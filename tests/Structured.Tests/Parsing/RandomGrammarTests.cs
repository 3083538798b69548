using FsCheck;
using FsCheck.Fluent;
using Structured.Grammars;
using Structured.Parsing;
using Structured.Regex;
using Structured.Tests.Infrastructure;

namespace Structured.Tests.Parsing;

/// <summary>Earley answers against a brute-force recognizer on random small grammars over {a, b}, for every string up to length 6.</summary>
public class RandomGrammarTests
{
    private static readonly string[] AllStrings = Enumerable.Range(0, 7)
        .SelectMany(len => Enumerable.Range(0, 1 << len).Select(bits => new string(Enumerable.Range(0, len).Select(i => ((bits >> i) & 1) == 0 ? 'a' : 'b').ToArray())))
        .ToArray();

    internal static Grammar RandomGrammar(Random rng)
    {
        int ruleCount = rng.Next(1, 5);
        var rules = new List<GrammarRule>();
        for (int r = 0; r < ruleCount; r++)
        {
            int alts = rng.Next(1, 4);
            for (int a = 0; a < alts; a++) rules.Add(new GrammarRule($"r{r}", Expr(rng, ruleCount, 0), new SourceLocation(r + 1, 1)));
        }
        return new Grammar("r0", rules);
    }

    private static GrammarExpr Expr(Random rng, int ruleCount, int depth)
    {
        int pick = rng.Next(depth >= 3 ? 5 : 9);
        return pick switch
        {
            0 => Literal(rng.Next(4) switch { 0 => "a", 1 => "b", 2 => "ab", _ => "ba" }),
            1 => Literal(rng.Next(3) == 0 ? "" : "a"),
            2 => new TokenExpr(RegexNode.Class(CodePointSet.FromRanges([('a', 'b')])), "[ab]"),
            3 or 4 => new RuleRef($"r{rng.Next(ruleCount)}", default),
            5 => new SeqExpr(Enumerable.Range(0, rng.Next(2, 4)).Select(_ => Expr(rng, ruleCount, depth + 1)).ToList()),
            6 => new ChoiceExpr(Enumerable.Range(0, rng.Next(2, 4)).Select(_ => Expr(rng, ruleCount, depth + 1)).ToList()),
            7 => rng.Next(4) switch
            {
                0 => new RepeatExpr(Expr(rng, ruleCount, depth + 1), 0, null),
                1 => new RepeatExpr(Expr(rng, ruleCount, depth + 1), 1, null),
                2 => new RepeatExpr(Expr(rng, ruleCount, depth + 1), 0, 1),
                _ => new RepeatExpr(Expr(rng, ruleCount, depth + 1), rng.Next(0, 3), rng.Next(3, 6)),
            },
            _ => new SeqExpr([new RuleRef($"r{rng.Next(ruleCount)}", default), Expr(rng, ruleCount, depth + 1)]),
        };
    }

    private static TokenExpr Literal(string s) => new(RegexNode.Literal(s), $"\"{s}\"") { LiteralText = s };

    [Fact]
    public void Earley_agrees_with_brute_force_on_random_grammars()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(250), Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var g = RandomGrammar(new Random(seed));
            var language = AllStrings.Where(s => BruteForce.Accepts(g, s)).ToHashSet();
            CompiledGrammar compiled;
            try
            {
                compiled = CompiledGrammar.Compile(g);
            }
            catch (GrammarException e) when (e.Reason.Contains("matches no string", StringComparison.Ordinal))
            {
                return (language.Count == 0).Label($"seed {seed}: compiler says empty, brute force found {string.Join(",", language)}\n{g}");
            }
            foreach (var s in AllStrings)
            {
                var state = compiled.Parse(GrammarFiles.Utf8(s));
                bool expected = language.Contains(s);
                if (state.IsAccepting != expected)
                    return false.Label($"seed {seed}: '{s}' earley={state.IsAccepting} brute={expected}\n{g}");
                bool extendable = language.Any(w => w.StartsWith(s, StringComparison.Ordinal));
                if (extendable && !state.IsViable)
                    return false.Label($"seed {seed}: '{s}' is a prefix of a sentence but was rejected: {state.Error}\n{g}");
            }
            return true.ToProperty();
        }));
    }

    [Fact]
    public void Left_and_right_recursion_and_nullable_rules_work()
    {
        var g = Grammar.FromGbnf("""
            root ::= left "|" right "|" nul
            left ::= left "a" | "a"
            right ::= "b" right | "b"
            nul ::= e e "c" e
            e ::= "" | e e
            """);
        var c = CompiledGrammar.Compile(g);
        Assert.True(c.Accepts(GrammarFiles.Utf8("aaa|bbb|c")));
        Assert.False(c.Accepts(GrammarFiles.Utf8("|bbb|c")));
        Assert.False(c.Accepts(GrammarFiles.Utf8("a|bbb|cc")));
    }

    [Fact]
    public void Right_recursion_keeps_columns_small_through_Leo_items()
    {
        var c = CompiledGrammar.FromGbnf("""
            root ::= list
            list ::= item "," list | item
            item ::= "x" | "(" list ")"
            """);
        var state = c.InitialState;
        var chunk = GrammarFiles.Utf8("x,");
        int maxItems = 0;
        for (int i = 0; i < 5000; i++)
        {
            state = state.Advance(chunk);
            foreach (var t in state.Threads) maxItems = Math.Max(maxItems, t.Column.Items.Length);
        }
        state = state.Advance(GrammarFiles.Utf8("x"));
        foreach (var t in state.Threads) maxItems = Math.Max(maxItems, t.Column.Items.Length);
        Assert.True(state.IsAccepting);
        // Without Leo's memo, the final column would hold one completed 'list' item per element.
        Assert.True(maxItems < 30, $"a column grew to {maxItems} items");
    }

    [Fact]
    public void Bounded_repetition_of_a_recursive_part_does_not_copy_it()
    {
        var c = CompiledGrammar.FromGbnf("""
            root ::= pair{3,1000}
            pair ::= "(" pair ")" | "()"
            """);
        Assert.True(c.RuleCount < 2100, $"{c.RuleCount} rules");
        Assert.True(c.Accepts(GrammarFiles.Utf8("()(())((()))")));
        Assert.False(c.Accepts(GrammarFiles.Utf8("()(())")));
        var big = CompiledGrammar.FromGbnf("""
            root ::= pair{5000}
            pair ::= "(" pair ")" | "()"
            """);
        Assert.True(big.RuleCount < 100, $"{big.RuleCount} rules for an exact count");
        Assert.True(big.Accepts(GrammarFiles.Utf8(string.Concat(Enumerable.Repeat("()", 5000)))));
        Assert.False(big.Accepts(GrammarFiles.Utf8(string.Concat(Enumerable.Repeat("()", 4999)))));
    }
}
