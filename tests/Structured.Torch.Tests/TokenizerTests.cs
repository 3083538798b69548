using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Structured.Tokens;

namespace Structured.Torch.Tests;

/// <summary>Prompt encoding from tokenizer.json round-trips through the vocabulary's exact bytes.</summary>
public class TokenizerTests
{
    private static string Decode(TokenVocabulary v, IEnumerable<int> ids) =>
        Encoding.UTF8.GetString(ids.SelectMany(i => v[i].ToArray()).ToArray());

    private static readonly Gen<string> Text = Gen.Elements("the", " the", "{\"a\":1}", "héllo", "日本", "☃", " ", "\n", "x", "hello world", "🙂", "\t")
        .ArrayOf().Select(parts => string.Concat(parts));

    [Fact]
    public void Byte_level_bpe_round_trips()
    {
        string json = TinyModels.ByteLevelTokenizerJson();
        var vocab = HuggingFaceVocabulary.FromTokenizerJson(json);
        var encoder = HuggingFaceBpeEncoder.Parse(json);
        Prop.ForAll(Text.ToArbitrary(), s => Decode(vocab, encoder.Encode(s)) == s).QuickCheckThrowOnFailure();
        Assert.Equal([258], encoder.Encode(" the"));          // merges apply: Ġ + the
        Assert.Equal([258, 261], encoder.Encode(" the<|endoftext|>")); // added tokens are matched whole
    }

    [Fact]
    public void Metaspace_with_byte_fallback_round_trips()
    {
        string json = TinyModels.MetaspaceTokenizerJson();
        var vocab = HuggingFaceVocabulary.FromTokenizerJson(json, eosNames: ["</s>"]);
        var encoder = HuggingFaceBpeEncoder.Parse(json);
        Prop.ForAll(Text.ToArbitrary(), s =>
        {
            var ids = encoder.Encode(s);
            return ids[0] == 1 && Decode(vocab, ids.Skip(1)) == (s.Length == 0 ? "" : " " + s); // <s>, then the dummy prefix space
        }).QuickCheckThrowOnFailure();
        var hello = encoder.Encode("hello world");
        Assert.Equal(["<s>", " hello", " world"], hello.Select(i => i == 1 ? "<s>" : Encoding.UTF8.GetString(vocab[i])));
        Assert.Equal(3 + 0xE2, encoder.Encode("☃")[2]); // ☃ is not a piece: its UTF-8 bytes fall back to <0xE2> <0x98> <0x83>
    }
}
