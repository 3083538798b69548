using Structured.Grammars;
using FsCheck;
using FsCheck.Fluent;
using Structured.Tests.Infrastructure;

namespace Structured.Tests.Grammars;

public class GrammarLibraryTests
{
    [Theory]
    [MemberData(nameof(GrammarFiles.All), MemberType = typeof(GrammarFiles))]
    public void Valid_examples_are_accepted(string grammar)
    {
        var (_, compiled) = GrammarFiles.Load(grammar);
        var examples = GrammarFiles.Examples(grammar, "valid").ToList();
        Assert.NotEmpty(examples);
        foreach (var (file, bytes) in examples)
        {
            var state = compiled.Parse(bytes);
            Assert.True(state.IsAccepting, $"{grammar} {file}: {state.Error ?? state.EndOfInputError()}");
        }
    }

    [Theory]
    [MemberData(nameof(GrammarFiles.All), MemberType = typeof(GrammarFiles))]
    public void Invalid_examples_are_rejected_with_a_located_error(string grammar)
    {
        var (_, compiled) = GrammarFiles.Load(grammar);
        var examples = GrammarFiles.Examples(grammar, "invalid").ToList();
        Assert.NotEmpty(examples);
        foreach (var (file, bytes) in examples)
        {
            var state = compiled.Parse(bytes);
            Assert.False(state.IsAccepting, $"{grammar} {file} was accepted");
            var error = state.Error ?? state.EndOfInputError();
            Assert.NotNull(error);
            Assert.InRange(error.Offset, 0, bytes.Length);
            Assert.NotEmpty(error.Expected);
        }
    }

    [Theory]
    [MemberData(nameof(GrammarFiles.All), MemberType = typeof(GrammarFiles))]
    public void Random_sentences_of_the_grammar_are_accepted(string grammar)
    {
        var (g, compiled) = GrammarFiles.Load(grammar);
        var sampler = new GrammarSampler(g);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var sentence = sampler.Sample(new Random(seed));
            var state = compiled.Parse(sentence);
            return state.IsAccepting.Label($"seed {seed}: {System.Text.Encoding.UTF8.GetString(sentence)} -> {state.Error ?? state.EndOfInputError()}");
        }));
    }

    [Theory]
    [MemberData(nameof(GrammarFiles.All), MemberType = typeof(GrammarFiles))]
    public void Every_prefix_of_a_sentence_is_viable(string grammar)
    {
        var (g, compiled) = GrammarFiles.Load(grammar);
        var sampler = new GrammarSampler(g);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var sentence = sampler.Sample(new Random(seed));
            var state = compiled.InitialState;
            for (int i = 0; i < sentence.Length; i++)
            {
                var allowed = state.AllowedBytes();
                if (!allowed.Contains(sentence[i])) return false.Label($"seed {seed}: byte {i} not in AllowedBytes");
                state = state.Advance(sentence.AsSpan(i, 1));
                if (!state.IsViable) return false.Label($"seed {seed}: {state.Error}");
            }
            return state.IsAccepting.Label($"seed {seed}: not accepting at the end");
        }));
    }

    [Fact]
    public void The_library_has_the_grammars_the_issue_names()
    {
        var names = GrammarFiles.Names.ToList();
        foreach (var required in new[] { "json.gbnf", "json.lark", "arithmetic.gbnf", "csv.lark", "sql.lark", "Expr.g4", "Json.g4", "Config.g4", "jsonl.lark", "datetime.gbnf", "markdown-table.lark", "xml.lark", "yaml.lark", "lua.lark", "TemplateLexer.g4", "TemplateParser.g4" })
            Assert.Contains(required, names);
    }
}
