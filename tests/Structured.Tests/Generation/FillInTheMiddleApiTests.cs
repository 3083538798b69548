using Structured.Potentials;
using Structured.Quotients;

namespace Structured.Tests.Generation;

public sealed class FillInTheMiddleApiTests
{
    private const string Statements = """
        start: stmt+
        stmt: NAME "=" expr ";"
        expr: NAME | NUMBER | expr "+" expr | "(" expr ")"
        NAME: /[a-z]+/
        NUMBER: /[0-9]+/
        %ignore " "
        """;

    [Theory]
    [InlineData(SamplerKind.Lcd)]
    [InlineData(SamplerKind.Awrs)]
    [InlineData(SamplerKind.Smc)]
    public async Task Every_sampler_writes_a_middle_that_joins_prefix_and_suffix(SamplerKind sampler)
    {
        using var model = TextModels.Ascii();
        var grammar = Constraint.Lark(Statements);
        // The prefix ends inside a name and the suffix starts inside a number: both cuts fall in lexemes.
        const string prefix = "a = 1; bc", suffix = "2; d = e;";
        for (int seed = 0; seed < 4; seed++)
        {
            var options = new GenerationOptions { Sampler = sampler, Particles = 4, Seed = seed, MaxTokens = 300 };
            var result = await model.GenerateMiddleAsync(prefix, suffix, grammar, options, TestContext.Current.CancellationToken);
            Assert.True(result.FinishReason == FinishReason.Stop, $"'{prefix}|{result.Text}|{suffix}' did not stop");
            Assert.True(grammar.Accepts(prefix + result.Text + suffix), $"'{prefix}|{result.Text}|{suffix}'");
        }
    }

    [Fact]
    public void The_middle_constraint_accepts_exactly_what_completes_the_whole_text()
    {
        var grammar = Constraint.Lark(Statements);
        var middle = Constraint.Middle(grammar, "x = (", "+ y);");
        foreach (var text in new[] { "1", "1 ", "a", "(1)", "", "1;", "1 + 2", "ab)" })
            Assert.Equal(grammar.Accepts("x = (" + text + "+ y);"), middle.Accepts(text));
    }

    [Fact]
    public void Impossible_contexts_are_errors_that_say_which_side_fails()
    {
        var grammar = Constraint.Lark(Statements);
        var suffix = Assert.Throws<EmptyLanguageException>(() => Constraint.Middle(grammar, "x = ", ";; ="));
        Assert.Contains("suffix", suffix.Message, StringComparison.Ordinal);
        var prefix = Assert.Throws<EmptyLanguageException>(() => Constraint.Middle(grammar, "x = = ", "1;"));
        Assert.Contains("prefix", prefix.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_end_of_sequence_waits_for_the_whole_text_where_lexing_is_longest_match()
    {
        // "ab" then the suffix "c = 1;" lexes as the one name "abc": the quotient's reading of "ab" as a whole name
        // before a separate "c" is one the real lexer never makes, so that end is refused.
        var grammar = Constraint.Lark(Statements);
        var m = MiddleGrammar.Create(grammar.Grammar, "c = 1;"u8);
        Assert.False(m.IsExact);
        var potential = new MiddlePotential(m, "x = 1; "u8);
        var tokens = potential.Coerce(TextModels.Ascii().Vocabulary);
        var state = potential.Start.Advance("ab"u8);
        Assert.Equal(grammar.Accepts("x = 1; abc = 1;"), tokens.Allows(state, tokens.Vocabulary.EndOfSequenceIds[0]));
        var stateWithSpace = potential.Start.Advance("ab = 2; "u8);
        Assert.True(tokens.Allows(stateWithSpace, tokens.Vocabulary.EndOfSequenceIds[0]));
    }

    [Fact]
    public void Models_with_fill_in_the_middle_sentinels_get_a_prefix_suffix_middle_prompt()
    {
        using var model = TextModels.Ascii();
        Assert.Equal("left", FillInTheMiddlePrompt.For(model.Vocabulary, "left", "right"));
        var vocab = new Tokens.TokenVocabulary("fim", [[(byte)'a'], null, null, null, null], 5, [4], specialTokens: new Dictionary<string, int>
        {
            ["<|fim_prefix|>"] = 0, ["<|fim_suffix|>"] = 1, ["<|fim_middle|>"] = 2,
        });
        Assert.Equal("<|fim_prefix|>left<|fim_suffix|>right<|fim_middle|>", FillInTheMiddlePrompt.For(vocab, "left", "right"));
    }
}
