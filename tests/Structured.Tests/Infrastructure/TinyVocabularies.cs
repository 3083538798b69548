using System.Text;
using Structured.Tokens;

namespace Structured.Tests.Infrastructure;

/// <summary>Small vocabularies that can be checked token by token, and private copies of real ones.</summary>
internal static class TinyVocabularies
{
    /// <summary>Every string of 1 to <paramref name="maxLength"/> characters over <paramref name="alphabet"/>, then an end-of-sequence id.</summary>
    public static TokenVocabulary AllStrings(string name, string alphabet, int maxLength, int classSplitDepth = 24)
    {
        var tokens = new List<byte[]?>();
        void Add(string prefix, int left)
        {
            if (prefix.Length > 0) tokens.Add(Encoding.UTF8.GetBytes(prefix));
            if (left > 0) foreach (char ch in alphabet) Add(prefix + ch, left - 1);
        }
        Add("", maxLength);
        tokens.Add(null);
        return new TokenVocabulary(name, tokens, tokens.Count, [tokens.Count - 1]) { ClassSplitDepth = classSplitDepth };
    }

    /// <summary>A copy of <paramref name="source"/> with caches of its own, so shared token classes start empty.</summary>
    public static TokenVocabulary PrivateCopy(TokenVocabulary source)
    {
        var tokens = Enumerable.Range(0, source.TokenCount).Select(i => source.HasText(i) ? source[i].ToArray() : null).ToArray();
        return new TokenVocabulary("private", tokens, source.Size, source.EndOfSequenceIds);
    }
}
