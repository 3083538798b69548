using System.Globalization;
using System.Text;
using Structured.Models;

namespace Structured.Tests.Generation;

/// <summary>Small exact models that can spell any ASCII text, for tests of the user-facing APIs.</summary>
internal static class TextModels
{
    /// <summary>
    /// A bigram model over the printable ASCII characters and newline, one token each (id 96 is end-of-sequence). Every
    /// row is the same: closing quotes, brackets and end-of-sequence are favoured, so constrained JSON stays short.
    /// </summary>
    public static BigramModel Ascii()
    {
        var tokens = Enumerable.Range(0x20, 0x7F - 0x20).Select(c => ((char)c).ToString()).Append("\n").ToArray();
        var weights = tokens.Select(t => t switch { "\"" => 15.0, "}" or "]" => 5, "," => 3, _ => 1 }).Append(10).ToArray();
        double total = weights.Sum();
        string row = "[" + string.Join(",", weights.Select(w => (w / total).ToString("R", CultureInfo.InvariantCulture))) + "]";
        var json = new StringBuilder("{\"tokens\":[");
        json.Append(string.Join(",", tokens.Select(t => System.Text.Json.JsonSerializer.Serialize(t))));
        json.Append("],\"start\":").Append(row).Append(",\"next\":[");
        json.Append(string.Join(",", tokens.Select(_ => row))).Append("]}");
        return BigramModel.Parse(json.ToString(), "ascii");
    }
}
