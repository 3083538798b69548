using System.Text;
using Microsoft.ML.Tokenizers;
using Structured.Masks;
using Structured.Parsing;
using Structured.Tokens;

namespace Structured.Tests.Masks;

public class VocabularyTests
{
    [Theory]
    [InlineData("o200k_base", 200_019, 199_999)]
    [InlineData("cl100k_base", 100_277, 100_257)]
    public void Tiktoken_bytes_round_trip_through_the_tokenizer(string encoding, int size, int eos)
    {
        var vocab = TokenVocabulary.Tiktoken(encoding);
        Assert.Equal(size, vocab.Size);
        Assert.Equal([eos], vocab.EndOfSequenceIds);
        var tokenizer = TiktokenTokenizer.CreateForEncoding(encoding);
        foreach (var (name, id) in tokenizer.SpecialTokens!) Assert.Equal(id, vocab.SpecialTokens[name]);
        const string text = "Hi {\"k\": [1, 2.5]}\n日本 ☃ 🚀 naïve — ok";
        var ids = tokenizer.EncodeToIds(text);
        Assert.Equal(Encoding.UTF8.GetBytes(text), ids.SelectMany(id => vocab[id].ToArray()).ToArray());
        // Decoding single ids corrupts partial UTF-8; the exact bytes do not.
        Assert.Contains(Enumerable.Range(0, vocab.TokenCount), id => vocab.HasText(id) && vocab[id].Length == 1 && vocab[id][0] >= 0x80);
        Assert.Same(vocab, TokenVocabulary.Tiktoken(encoding)); // loaded once
    }

    [Fact]
    public void Trie_is_a_flat_depth_first_layout_of_every_token()
    {
        var vocab = new TokenVocabulary("t", [E("ab"), E("a"), E("b"), E("abc"), E("ab"), null, E("ba")], 8, [5]);
        var trie = vocab.Trie;
        // root, a, ab, abc, b, ba
        Assert.Equal(6, trie.NodeCount);
        Assert.Equal(3, trie.MaxDepth);
        Assert.Equal(new byte[] { 0, (byte)'a', (byte)'b', (byte)'c', (byte)'b', (byte)'a' }, trie.NodeByte);
        Assert.Equal(new[] { 6, 4, 4, 4, 6, 6 }, trie.SubtreeEnd);
        // "ab" is token 0 and token 4: both hang on one node.
        Assert.Equal(0, trie.NodeToken[2]);
        Assert.Equal(4, trie.SameBytesNext[0]);
    }

    private static byte[] E(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Byte_level_bpe_tokenizer_json_gives_exact_bytes()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), """
            {"version":"1.0","added_tokens":[{"id":6,"content":"<|endoftext|>","special":true}],
             "pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false},"decoder":{"type":"ByteLevel"},
             "model":{"type":"BPE","vocab":{"a":0,"b":1,"Ġ":2,"Ġa":3,"Ċ":4,"Ã©":5},"merges":["Ġ a"]}}
            """);
        File.WriteAllText(Path.Combine(dir, "config.json"), """{"vocab_size": 8}""");
        var v = HuggingFaceVocabulary.Load(dir);
        Assert.Equal(8, v.Size);
        Assert.Equal([6], v.EndOfSequenceIds);
        Assert.Equal(" "u8.ToArray(), v[2].ToArray());
        Assert.Equal(" a"u8.ToArray(), v[3].ToArray());
        Assert.Equal("\n"u8.ToArray(), v[4].ToArray());
        Assert.Equal(new byte[] { 0xC3, 0xA9 }, v[5].ToArray());
        Assert.False(v.HasText(6));
        Assert.Same(v, HuggingFaceVocabulary.Load(dir)); // cached while the files are unchanged
    }

    [Fact]
    public void Byte_level_alphabet_is_a_bijection_on_bytes()
    {
        var decoder = ByteLevelAlphabet.Decoder;
        Assert.Equal(256, decoder.Count);
        Assert.Equal(256, decoder.Values.Distinct().Count());
        Assert.Equal((byte)' ', decoder['Ġ']);
        Assert.Equal((byte)'\n', decoder['Ċ']);
    }

    [Fact]
    public void Metaspace_with_byte_fallback_gives_exact_bytes()
    {
        var v = HuggingFaceVocabulary.FromTokenizerJson("""
            {"added_tokens":[{"id":0,"content":"<unk>","special":true},{"id":1,"content":"<s>","special":true},{"id":2,"content":"</s>","special":true}],
             "decoder":{"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"▁"},"content":" "},{"type":"ByteFallback"},{"type":"Fuse"}]},
             "model":{"type":"BPE","byte_fallback":true,"vocab":{"<unk>":0,"<s>":1,"</s>":2,"<0x0A>":3,"<0xE2>":4,"▁Hi":5,"日":6},"merges":[]}}
            """, size: 32);
        Assert.Equal(32, v.Size);
        Assert.Equal([2], v.EndOfSequenceIds);
        Assert.Equal("\n"u8.ToArray(), v[3].ToArray());
        Assert.Equal(new byte[] { 0xE2 }, v[4].ToArray());
        Assert.Equal(" Hi"u8.ToArray(), v[5].ToArray());
        Assert.Equal("日"u8.ToArray(), v[6].ToArray());
        Assert.False(v.HasText(0));
    }

    [Fact]
    public void SentencePiece_model_gives_exact_bytes()
    {
        // ModelProto { repeated SentencePiece pieces = 1 { string piece = 1; float score = 2; Type type = 3; } }
        var model = new List<byte>();
        void Piece(string text, int type)
        {
            var body = new List<byte> { 0x0A };
            var t = Encoding.UTF8.GetBytes(text);
            body.Add((byte)t.Length);
            body.AddRange(t);
            body.AddRange(new byte[] { 0x15, 0, 0, 0, 0 }); // score (fixed32)
            body.AddRange(new byte[] { 0x18, (byte)type });
            model.Add(0x0A);
            model.Add((byte)body.Count);
            model.AddRange(body);
        }
        Piece("<unk>", 2);
        Piece("<s>", 3);
        Piece("</s>", 3);
        Piece("<0x41>", 6);
        Piece("▁hello", 1);
        Piece("<0xF0>", 6);
        var v = HuggingFaceVocabulary.FromSentencePiece(model.ToArray());
        Assert.Equal([2], v.EndOfSequenceIds);
        Assert.Equal("A"u8.ToArray(), v[3].ToArray());
        Assert.Equal(" hello"u8.ToArray(), v[4].ToArray());
        Assert.Equal(new byte[] { 0xF0 }, v[5].ToArray());
        Assert.False(v.HasText(1));
    }

    [Fact]
    public void Masks_are_sized_to_the_model_and_never_set_ids_without_text()
    {
        var v = HuggingFaceVocabulary.FromTokenizerJson("""
            {"added_tokens":[{"id":4,"content":"</s>","special":true}],"decoder":{"type":"ByteFallback"},
             "model":{"type":"BPE","byte_fallback":true,"vocab":{"a":0,"b":1,"ab":2,"<0x61>":3},"merges":[]}}
            """, size: 70);
        var masker = new TokenMasker(CompiledGrammar.FromRegex("(ab)+"), v);
        Assert.Equal(3, masker.MaskWords);
        var mask = new uint[masker.MaskWords];
        var s = masker.Grammar.InitialState.Advance("ab");
        masker.FillMask(s, mask);
        for (int id = 0; id < 70; id++)
            Assert.Equal(masker.IsAllowed(s, id), (mask[id >> 5] & (1u << (id & 31))) != 0);
        Assert.True(masker.IsAllowed(s, 4));  // EOS: "ab" is complete
        Assert.True(masker.IsAllowed(s, 3));  // the byte 'a'
        Assert.False(masker.IsAllowed(s, 1));
        Assert.Equal(4, TokenMasker.CountAllowed(mask)); // a, ab, <0x61>, </s>
    }
}
