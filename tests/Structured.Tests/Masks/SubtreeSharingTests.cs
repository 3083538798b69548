using Structured.Masks;
using Structured.Parsing;
using Structured.Schemas;
using Structured.Tests.Infrastructure;
using Structured.Tokens;

namespace Structured.Tests.Masks;

/// <summary>
/// Token classes are assembled from subtree classes, one per first byte, cached by the lexer state after that byte.
/// A new lexer state walks only the subtrees after which it does something new, and masks stay exact.
/// </summary>
public class SubtreeSharingTests
{
    [Fact]
    public void Tokens_that_end_different_lexemes_at_alike_states_are_told_apart()
    {
        // After 'a' and after 'b' the lexer is in states that lex alike (a literal just ended), but the parser takes
        // ';' only after 'a' and ':' only after 'b': a token class must not let one stand for the other.
        var vocab = TinyVocabularies.AllStrings("ab;:", "ab;:", 3);
        var masker = new TokenMasker(CompiledGrammar.FromLark("""start: "a" ";" | "b" ":" """), vocab);
        var state = masker.Grammar.InitialState;
        var mask = new uint[masker.MaskWords];
        masker.FillMask(state, mask);
        var allowed = Allowed(vocab, mask);
        Assert.Contains("a;", allowed);
        Assert.Contains("b:", allowed);
        Assert.DoesNotContain("a:", allowed);
        Assert.DoesNotContain("b;", allowed);
        MaskAssert.Exact(masker, state, mask);
    }

    [Fact]
    public void Object_keys_share_the_subtrees_of_bytes_that_start_no_named_key()
    {
        // Keys limited to lower-case letters: plain text can end them, so they are walked by subtrees, not sliced.
        var vocab = TinyVocabularies.PrivateCopy(TokenVocabulary.Tiktoken("cl100k_base"));
        var first = new TokenMasker(JsonSchema.Compile("""{"type":"object","propertyNames":{"pattern":"^[a-z]+$"},"properties":{"name":{"type":"string"},"age":{"type":"integer"}}}"""), vocab);
        var second = new TokenMasker(JsonSchema.Compile("""{"type":"object","propertyNames":{"pattern":"^[a-z]+$"},"properties":{"title":{"type":"string"},"year":{"type":"integer"}}}"""), vocab);
        var mask = new uint[first.MaskWords];

        var inFirst = first.Grammar.InitialState.Advance("{\"");
        first.FillMask(inFirst, mask);
        MaskAssert.Exact(first, inFirst, mask);
        int subtrees = vocab.SharedSubtrees.Count;
        Assert.True(subtrees > 0, "the key state is walked by subtrees");

        var inSecond = second.Grammar.InitialState.Advance("{\"");
        second.FillMask(inSecond, mask);
        MaskAssert.Exact(second, inSecond, mask);
        // The second object's key state is new, but after any byte other than 't' and 'y' it is the first one's
        // "rest of some other key" state: only those two subtrees (and a few states they lead to) are walked again.
        int added = vocab.SharedSubtrees.Count - subtrees;
        Assert.InRange(added, 1, 8);
    }

    [Fact]
    public void Strings_far_from_their_length_bound_walk_only_the_long_tokens_again()
    {
        // Lower-case words: plain text can end the string's lexeme, so it is walked by subtrees, not sliced.
        var vocab = TinyVocabularies.PrivateCopy(TokenVocabulary.Tiktoken("o200k_base"));
        var masker = new TokenMasker(JsonSchema.Compile("""{"type":"object","properties":{"note":{"type":"string","pattern":"^[a-z ]*$","maxLength":90}},"required":["note"]}"""), vocab);
        var mask = new uint[masker.MaskWords];
        var state = masker.Grammar.InitialState.Advance("{\"note\":\"a");
        masker.FillMask(state, mask);
        MaskAssert.Exact(masker, state, mask);
        int shallow = vocab.SharedSubtrees.Count, deep = vocab.SharedDeepSubtrees.Count;
        Assert.True(deep > 0, "o200k has tokens longer than the split depth, under some first bytes");

        // 89, 88, … characters left: each count is a new lexer state and, within the longest token, a new class; but
        // over the first 24 bytes every such state behaves like the one before, so only the deep parts are walked again.
        foreach (string more in new[] { "b", "cd", "efghij" })
        {
            state = state.Advance(more);
            masker.FillMask(state, mask);
            MaskAssert.Exact(masker, state, mask);
        }
        Assert.Equal(shallow, vocab.SharedSubtrees.Count);
        Assert.True(vocab.SharedDeepSubtrees.Count > deep, "each count walks the deep parts again");
    }

    private static HashSet<string> Allowed(TokenVocabulary vocab, uint[] mask)
    {
        var set = new HashSet<string>();
        for (int id = 0; id < vocab.TokenCount; id++)
            if ((mask[id >> 5] & (1u << (id & 31))) != 0 && vocab.HasText(id)) set.Add(System.Text.Encoding.UTF8.GetString(vocab[id]));
        return set;
    }
}
