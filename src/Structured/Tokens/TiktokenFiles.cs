using System.IO.Compression;
using System.Reflection;
using System.Text;

namespace Structured.Tokens;

/// <summary>
/// Reads tiktoken rank files (<c>base64 rank</c> lines, or one base64 per line after a <c>Capacity: N</c> header).
/// The byte strings come from the file itself: decoding ids through a tokenizer would turn partial UTF-8 into U+FFFD.
/// </summary>
internal static class TiktokenFiles
{
    private sealed record BuiltIn(string Assembly, string Resource, int Size, int EndOfText, (string Name, int Id)[] Specials);

    private static readonly Dictionary<string, BuiltIn> Known = new(StringComparer.Ordinal)
    {
        ["o200k_base"] = new BuiltIn("Microsoft.ML.Tokenizers.Data.O200kBase", "o200k_base.tiktoken.deflate", 200_019, 199_999,
            [("<|endoftext|>", 199_999), ("<|endofprompt|>", 200_018)]),
        ["cl100k_base"] = new BuiltIn("Microsoft.ML.Tokenizers.Data.Cl100kBase", "cl100k_base.tiktoken.deflate", 100_277, 100_257,
            [("<|endoftext|>", 100_257), ("<|fim_prefix|>", 100_258), ("<|fim_middle|>", 100_259), ("<|fim_suffix|>", 100_260), ("<|endofprompt|>", 100_276)]),
    };

    public static string Canonical(string name) => name switch
    {
        "o200k" or "o200k_base" => "o200k_base",
        "cl100k" or "cl100k_base" => "cl100k_base",
        _ => throw new ArgumentException($"unknown tiktoken encoding '{name}'; known: o200k_base, cl100k_base", nameof(name)),
    };

    public static TokenVocabulary LoadBuiltIn(string name)
    {
        var e = Known[name];
        var asm = Assembly.Load(e.Assembly);
        using var raw = asm.GetManifestResourceStream(e.Resource)
            ?? throw new InvalidOperationException($"{e.Assembly} has no resource {e.Resource}");
        using var inflated = new DeflateStream(raw, CompressionMode.Decompress);
        var ranks = Read(inflated);
        var tokens = new byte[]?[e.Size];
        foreach (var (bytes, rank) in ranks)
        {
            if (rank >= e.Size) throw new InvalidDataException($"{name}: rank {rank} is outside the vocabulary size {e.Size}");
            tokens[rank] = bytes;
        }
        var specials = e.Specials.ToDictionary(s => s.Name, s => s.Id);
        return new TokenVocabulary(name, tokens, e.Size, [e.EndOfText], specials);
    }

    /// <summary>Parses a rank file into (bytes, rank) pairs.</summary>
    public static List<(byte[] Bytes, int Rank)> Read(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var result = new List<(byte[], int)>();
        int lineNo = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (lineNo == 0 && line.StartsWith("Capacity:", StringComparison.Ordinal)) { continue; }
            if (line.Length == 0) continue;
            int space = line.IndexOf(' ');
            if (space < 0)
            {
                result.Add((Convert.FromBase64String(line), lineNo));
            }
            else
            {
                result.Add((Convert.FromBase64String(line[..space]), int.Parse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture)));
            }
            lineNo++;
        }
        return result;
    }

}
