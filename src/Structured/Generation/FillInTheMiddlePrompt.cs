using Structured.Tokens;

namespace Structured;

/// <summary>
/// The prompt a model sees for fill-in-the-middle. Models trained for it have sentinel tokens and read the suffix
/// before writing the middle (prefix–suffix–middle order); other models see only the prefix and continue it.
/// </summary>
public static class FillInTheMiddlePrompt
{
    // Sentinels by family: StarCoder/SantaCoder, Qwen2.5-Coder and StarCoder2-style, CodeLlama.
    private static readonly (string Prefix, string Suffix, string Middle)[] Sentinels =
    [
        ("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"),
        ("<fim_prefix>", "<fim_suffix>", "<fim_middle>"),
        ("<fim-prefix>", "<fim-suffix>", "<fim-middle>"),
        ("▁<PRE>", "▁<SUF>", "▁<MID>"),
    ];

    /// <summary>
    /// The prompt for <paramref name="vocabulary"/>: <c>PRE prefix SUF suffix MID</c> when its special tokens include a
    /// known set of sentinels, else the prefix alone.
    /// </summary>
    public static string For(TokenVocabulary vocabulary, string prefix, string suffix)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(suffix);
        foreach (var (pre, suf, mid) in Sentinels)
            if (vocabulary.SpecialTokens.ContainsKey(pre) && vocabulary.SpecialTokens.ContainsKey(suf) && vocabulary.SpecialTokens.ContainsKey(mid))
                return pre + prefix + suf + suffix + mid;
        return prefix;
    }
}
