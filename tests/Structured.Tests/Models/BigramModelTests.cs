using Structured.Models;
using Structured.Parsing;
using Structured.Sampling;

namespace Structured.Tests.Models;

public class BigramModelTests
{
    private const string Model = """{"tokens": ["a", "b", "ab"], "start": [0.3, 0.3, 0.3, 0.1], "next": [[0.25, 0.25, 0.25, 0.25], [0.5, 0.2, 0.2, 0.1], [0.1, 0.1, 0.1, 0.7]]}""";

    [Fact]
    public async Task Scores_are_the_rows_of_the_file()
    {
        var m = BigramModel.Parse(Model);
        Assert.Equal(4, m.Vocabulary.Size);
        Assert.Equal([3], m.Vocabulary.EndOfSequenceIds);
        using var empty = m.CreateSequence([]);
        using var afterB = m.CreateSequence([1]);
        using var s = await m.ScoreAsync([empty, afterB], TestContext.Current.CancellationToken);
        Assert.Equal(Math.Log(0.1), s.LogProb(0, 3), 12);
        Assert.Equal(Math.Log(0.5), s.LogProb(1, 0), 12);
        using var fork = afterB.Fork();
        fork.Append(2);
        Assert.Equal([1], afterB.Tokens);
        Assert.Equal(Math.Log(0.3) + Math.Log(0.25) + Math.Log(0.7), m.LogProbability([0, 2]), 12); // a, then ab after a, then end after ab
    }

    [Theory]
    [InlineData("""{"tokens": [], "start": [1], "next": []}""", "empty")]
    [InlineData("""{"tokens": ["a"], "start": [0.2, 0.2], "next": [[0.5, 0.5]]}""", "start sums to")]
    [InlineData("""{"tokens": ["a"], "start": [0.5, 0.5], "next": [[0.5, 0.5], [0.5, 0.5]]}""", "2 rows")]
    [InlineData("""{"tokens": ["a"], "start": [0.5, 0.5], "next": [[1.5, -0.5]]}""", "next[0][0]")]
    [InlineData("""{"tokens": [""], "start": [0.5, 0.5], "next": [[0.5, 0.5]]}""", "tokens[0]")]
    [InlineData("""{"tokens": ["a"], "next": [[0.5, 0.5]]}""", "\"start\"")]
    [InlineData("""[1, 2]""", "top level")]
    [InlineData("""{"tokens": ["a"],""", "not valid JSON")]
    public void Malformed_files_are_clear_errors(string json, string message)
    {
        var e = Assert.Throws<ModelLoadException>(() => BigramModel.Parse(json, "m.json"));
        Assert.Contains(message, e.Message);
        Assert.StartsWith("m.json", e.Message);
    }

    [Fact]
    public async Task Constrained_generation_stays_in_the_language_and_its_weight_is_the_allowed_mass()
    {
        var m = BigramModel.Parse(Model);
        var grammar = CompiledGrammar.Compile(Structured.Grammars.Grammar.FromRegex("ba"));
        var results = await ConstrainedGenerator.GenerateAsync(m, grammar, ["", "", "", "", "", "", "", ""], new LcdBatchOptions { Seed = 5 }, TestContext.Current.CancellationToken);
        foreach (var r in results)
        {
            Assert.True(r.Complete);
            Assert.Equal("ba", r.Text);
            // LCD's weight is the product of the allowed masses: b first (0.3), then a after b (0.5), then end after a (0.25).
            Assert.Equal(Math.Log(0.3) + Math.Log(0.5) + Math.Log(0.25), r.LogWeight, 9);
        }
    }
}
