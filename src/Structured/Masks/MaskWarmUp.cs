using Structured.Parsing;
using Structured.Tokens;

namespace Structured.Masks;

/// <summary>
/// Runs the mask code once on a toy vocabulary when a process creates its first masker, so that the methods a token
/// class build needs are compiled then, and not inside the first mask of a string or a number, where compiling them
/// took 4–6 ms of one mask. It costs the first masker about 50 ms (mostly compiling, which the first schema would
/// otherwise spread over its compile and its masks), once per process, and touches no cache of a real vocabulary.
/// </summary>
internal static class MaskWarmUp
{
    private static int _started;

    // A JSON schema, because its lexemes (strings with and without length bounds, numbers, literals, keys) are the
    // ones most grammars meet; the instance walks through each of them.
    private const string Schema = """
        {"type":"object","properties":{"name":{"type":"string","maxLength":12},"note":{"type":"string"},
         "n":{"type":"number"},"ok":{"type":"boolean"},"ids":{"type":"array","items":{"type":"integer"}}},"required":["name"]}
        """;

    private const string Instance = """{"name":"ab cd","note":"x\"y \u00e9 z","n":-1.5e3,"ok":true,"ids":[1,22]}""";

    /// <summary>Runs the warm-up unless this process already has.</summary>
    public static void EnsureRan()
    {
        if (Volatile.Read(ref _started) != 0 || Interlocked.Exchange(ref _started, 1) != 0) return;
        Run();
    }

    /// <summary>
    /// Feeds the instance token by token (longest toy token first), masking before each token and at the end.
    /// Returns the number of masks. Throws when a mask leaves out the next token, which would be a bug in the masks.
    /// </summary>
    internal static int Run()
    {
        var vocabulary = ToyVocabulary();
        var grammar = Schemas.JsonSchema.Compile(Schema);
        var masker = new TokenMasker(grammar, vocabulary);
        var mask = new uint[masker.MaskWords];
        var bytes = System.Text.Encoding.UTF8.GetBytes(Instance);
        ParserState state = grammar.InitialState;
        int masks = 0;
        for (int at = 0; ; )
        {
            masker.FillMask(state, mask);
            masks++;
            int id = at == bytes.Length ? vocabulary.EndOfSequenceIds[0] : LongestToken(vocabulary, bytes.AsSpan(at));
            if ((mask[id >> 5] & 1u << (id & 31)) == 0)
                throw new InvalidOperationException($"mask warm-up: token {id} at byte {at} of its instance was left out of the mask");
            if (at == bytes.Length) return masks;
            state = state.Advance(vocabulary[id]);
            at += vocabulary[id].Length;
        }
    }

    private static int LongestToken(TokenVocabulary vocabulary, ReadOnlySpan<byte> rest)
    {
        int best = rest[0]; // the byte's own token: ids 0–255 are the single bytes
        for (int id = 256; id < vocabulary.TokenCount; id++)
            if (vocabulary.HasText(id) && rest.StartsWith(vocabulary[id]) && vocabulary[id].Length > vocabulary[best].Length) best = id;
        return best;
    }

    // Every byte, and some longer tokens, with a split depth low enough that token classes are built in both parts.
    private static TokenVocabulary ToyVocabulary()
    {
        var tokens = new List<byte[]?>();
        for (int b = 0; b < 256; b++) tokens.Add([(byte)b]);
        foreach (string t in new[] { "\"", "\":", "\",\"", "ab", "ab cd", "name", "\"name\":\"", "note", "true", "12", "22", "-1", ".5e3", "\\\"", "\u00e9", "abcdefghijklmnop", "[1,", "]}" })
            tokens.Add(System.Text.Encoding.UTF8.GetBytes(t));
        tokens.Add(null); // end of sequence
        return new TokenVocabulary("warm-up", tokens, tokens.Count, [tokens.Count - 1]) { ClassSplitDepth = 4 };
    }
}
