using Structured.Masks;
using Structured.Parsing;
using Structured.Schemas;
using Structured.Tests.Infrastructure;
using Structured.Tokens;

namespace Structured.Tests.Masks;

/// <summary>
/// States that every plain string text keeps lexing take their classes from the vocabulary's plain slice and a walk of
/// the nodes outside it; the rest are walked by subtrees. Either way the masks are exact.
/// </summary>
public class PlainSliceTests
{
    private const string Strings = """
        {"type":"object","properties":{
          "free":{"type":"string"},
          "zone":{"type":"string","pattern":"UTC|Europe/[A-Za-z]+"},
          "long":{"type":"string","minLength":40},
          "bounded":{"type":"string","maxLength":1000},
          "short":{"type":"string","maxLength":5},
          "word":{"type":"string","pattern":"^[a-z]+$"},
          "id":{"type":"string","minLength":16,"maxLength":16},
          "code":{"type":"string","pattern":"^[a-z]{0,8}$"}},
         "required":["free","zone","long","bounded","short","word","id","code"],"additionalProperties":false}
        """;

    // Valid values for the fields before the one a prefix stops in (properties come in the schema's order).
    private static readonly (string Name, string Value)[] Fields =
        [("free", "x"), ("zone", "UTC"), ("long", new string('y', 40)), ("bounded", "z"), ("short", "abc"), ("word", "abc"),
         ("id", "0123456789abcdef"), ("code", "abc")];

    private static string Inside(string field, string text)
    {
        var prefix = new System.Text.StringBuilder("{");
        foreach (var (name, value) in Fields)
        {
            if (name == field) return prefix.Append($"\"{name}\":{text}").ToString();
            prefix.Append($"\"{name}\":\"{value}\",");
        }
        throw new ArgumentException(field);
    }

    private const int Unbounded = PlainSlice.Unbounded, NotCovered = PlainSlice.NotCovered;

    [Theory]
    [InlineData("free", "\"", Unbounded)]
    [InlineData("free", "\"ab\\n", Unbounded)]
    [InlineData("zone", "\"Eu", Unbounded)]     // unanchored: any text may still come before or after a match
    [InlineData("long", "\"", Unbounded)]       // at least 40 characters: no plain text ends it
    [InlineData("bounded", "\"x", Unbounded)]   // the bound lies beyond the horizon
    [InlineData("short", "\"", 5)]              // up to five characters go on, and a sixth dies
    [InlineData("short", "\"a\u00e9", 3)]       // counted in characters, not bytes
    [InlineData("id", "\"0123", 12)]
    [InlineData("word", "\"", NotCovered)]
    [InlineData("code", "\"ab", NotCovered)]    // short too, but some plain characters die at once
    [InlineData("free", "", NotCovered)]        // before the string: plain text is no JSON value
    public void Covers_states_that_plain_text_keeps_lexing(string field, string text, int bound)
    {
        var grammar = JsonSchema.Compile(Strings);
        var state = grammar.InitialState.Advance(Inside(field, text));
        Assert.True(state.IsViable);
        Assert.Equal(bound, state.Threads.Select(t => PlainSlice.Cover(grammar.T.Lexer, t.LexerState, horizon: 24)).Max());
    }

    [Fact]
    public void The_bounded_parts_of_the_slice_hold_the_plain_tokens_of_at_most_that_many_characters()
    {
        var vocab = TokenVocabulary.Tiktoken("o200k_base");
        var slice = vocab.PlainSlice;
        foreach (int chars in new[] { 0, 1, 3, 7 })
        {
            var bits = slice.BitsWithin(chars);
            for (int id = 0; id < vocab.TokenCount; id++)
            {
                bool inSlice = (slice.Bits[id >> 5] & (1u << (id & 31))) != 0;
                bool expected = inSlice && StartedCharacters(vocab[id]) <= chars;
                Assert.True(expected == ((bits[id >> 5] & (1u << (id & 31))) != 0), $"token {id} with {chars} characters");
            }
        }
        Assert.Same(slice.Bits, slice.BitsWithin(vocab.Trie.SplitDepth));
    }

    // Bytes that start a character: all but UTF-8 continuation bytes.
    private static int StartedCharacters(ReadOnlySpan<byte> bytes)
    {
        int n = 0;
        foreach (byte b in bytes) if ((b & 0xC0) != 0x80) n++;
        return n;
    }

    [Fact]
    public void The_slice_holds_the_plain_tokens_down_to_the_split_depth_and_the_spine_the_rest()
    {
        var vocab = TokenVocabulary.Tiktoken("o200k_base");
        var trie = vocab.Trie;
        var slice = vocab.PlainSlice;
        var plain = new HashSet<int>();
        for (int id = 0; id < vocab.TokenCount; id++)
        {
            var bytes = vocab[id];
            if (!bytes.IsEmpty && bytes.Length <= trie.SplitDepth && IsPlain(bytes)) plain.Add(id);
        }
        for (int id = 0; id < vocab.TokenCount; id++)
            Assert.Equal(plain.Contains(id), (slice.Bits[id >> 5] & (1u << (id & 31))) != 0);
        Assert.Equal(plain.Count, slice.Count);
        // The spine is small: nodes outside the slice and the way to them.
        Assert.InRange(slice.Spine.Length, 1, trie.NodeCount / 10);
    }

    [Fact]
    public void Sliced_classes_are_exact_and_walk_no_subtrees()
    {
        var vocab = TinyVocabularies.PrivateCopy(TokenVocabulary.Tiktoken("o200k_base"));
        var masker = new TokenMasker(JsonSchema.Compile(Strings), vocab);
        var mask = new uint[masker.MaskWords];
        string[] prefixes =
        [
            Inside("free", "\""), Inside("zone", "\"Eur"), Inside("long", "\"ab"),
            Inside("short", "\""), Inside("short", "\"\u00e9\u65e5"), Inside("short", "\"abcd"),
            Inside("id", "\""), Inside("id", "\"0123456789\u00e9\u65e5\u672c"),
        ];
        foreach (string prefix in prefixes)
        {
            var state = masker.Grammar.InitialState.Advance(prefix);
            masker.FillMask(state, mask);
            MaskAssert.Exact(masker, state, mask);
        }
        Assert.Equal(0, vocab.SharedSubtrees.Count);
    }

    // Printable ASCII but the quote and the backslash, and well-formed UTF-8 (a token may end inside a character).
    private static bool IsPlain(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length)
        {
            byte b = bytes[i];
            if (b < 0x80)
            {
                if (b < 0x20 || b == '"' || b == '\\') return false;
                i++;
                continue;
            }
            int need = b is >= 0xC2 and <= 0xDF ? 1 : b is >= 0xE0 and <= 0xEF ? 2 : b is >= 0xF0 and <= 0xF4 ? 3 : -1;
            if (need < 0) return false;
            for (int k = 1; k <= need && i + k < bytes.Length; k++)
            {
                byte c = bytes[i + k];
                (int lo, int hi) = k > 1 ? (0x80, 0xBF) : b switch
                {
                    0xE0 => (0xA0, 0xBF),
                    0xED => (0x80, 0x9F),
                    0xF0 => (0x90, 0xBF),
                    0xF4 => (0x80, 0x8F),
                    _ => (0x80, 0xBF),
                };
                if (c < lo || c > hi) return false;
            }
            i += need + 1;
        }
        return true;
    }
}
