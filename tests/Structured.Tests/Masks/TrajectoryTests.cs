using Microsoft.ML.Tokenizers;
using Structured.Masks;
using Structured.Tests.Infrastructure;
using Structured.Tokens;

namespace Structured.Tests.Masks;

/// <summary>
/// Token trajectories of real tokenizations (Microsoft.ML.Tokenizers' tiktoken encoder, as a model would emit them):
/// every token is in the mask before it, and end of sequence is allowed exactly at the end.
/// </summary>
public class TrajectoryTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var g in new[] { "json.gbnf", "json.lark" })
            foreach (var v in new[] { "o200k_base", "cl100k_base" })
                data.Add(g, v);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_token_of_every_trajectory_is_allowed(string grammar, string vocabulary)
    {
        var masker = MaskPropertyTests.Masker(grammar, vocabulary);
        var vocab = masker.Vocabulary;
        var tokenizer = TiktokenTokenizer.CreateForEncoding(vocabulary);
        var mask = new uint[masker.MaskWords];
        int eos = vocab.EndOfSequenceIds[0];
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "trajectory-instances.jsonl"));
        Assert.Equal(10, lines.Length);
        foreach (var text in lines)
        {
            var ids = tokenizer.EncodeToIds(text);
            // The ids spell the text exactly, byte for byte.
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(text), ids.SelectMany(id => vocab[id].ToArray()).ToArray());
            var state = masker.Grammar.InitialState;
            for (int step = 0; step < ids.Count; step++)
            {
                masker.FillMask(state, mask);
                int id = ids[step];
                Assert.True((mask[id >> 5] & (1u << (id & 31))) != 0, $"{grammar}/{vocabulary}: step {step} token {id} not in mask for: {text}");
                Assert.False((mask[eos >> 5] & (1u << (eos & 31))) != 0 && !state.IsAccepting, "EOS allowed before the end");
                state = state.Advance(vocab[id]);
            }
            masker.FillMask(state, mask);
            Assert.True((mask[eos >> 5] & (1u << (eos & 31))) != 0, $"EOS not allowed at the end of: {text}");
        }
    }
}
