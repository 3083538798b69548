using Structured.Masks;
using Structured.Parsing;

namespace Structured.Tests.Infrastructure;

/// <summary>Checks a whole mask against the single-token check, token by token.</summary>
internal static class MaskAssert
{
    /// <summary>Fails at the first token whose bit differs from <see cref="TokenMasker.IsAllowed"/>.</summary>
    public static void Exact(TokenMasker masker, ParserState state, uint[] mask)
    {
        for (int id = 0; id < masker.Vocabulary.Size; id++)
        {
            bool bit = (mask[id >> 5] & (1u << (id & 31))) != 0;
            if (bit != masker.IsAllowed(state, id))
                Assert.Fail($"token {id} ('{System.Text.Encoding.UTF8.GetString(masker.Vocabulary[id])}'): mask {bit}, IsAllowed {!bit}");
        }
    }
}
