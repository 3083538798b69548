using System.Text;
using Structured.Models;
using Structured.Potentials;
using Structured.Tokens;

namespace Structured.Tests.Sampling;

internal static class SamplingFixtures
{
    /// <summary>Single-byte tokens "a", "b", … and end-of-sequence as the last id.</summary>
    public static TokenVocabulary Letters(int count)
    {
        var tokens = Enumerable.Range(0, count).Select(i => (byte[]?)[(byte)('a' + i)]).Append(null).ToList();
        return new TokenVocabulary("letters", tokens, count + 1, [count], new Dictionary<string, int> { ["<eos>"] = count });
    }

    /// <summary>A Boolean condition over <see cref="Letters"/> that allows exactly the tokens in <paramref name="allowed"/> as the first token (end-of-sequence included as id <c>count</c>).</summary>
    public static Potential FirstToken(bool[] allowed, int count) => Potential.FromPredicate(
        text => text.Length == 0 || (text.Length == 1 && allowed[text[0] - 'a']),
        text => text.Length == 0 && allowed[count]);

    /// <summary>A random bigram model over single letters, as its JSON file.</summary>
    public static string RandomBigram(Random rng, int letters, double endBias = 1)
    {
        string Row()
        {
            var w = Enumerable.Range(0, letters + 1).Select(i => -Math.Log(1 - rng.NextDouble()) * (i == letters ? endBias : 1)).ToArray();
            double s = w.Sum();
            return "[" + string.Join(", ", w.Select(x => (x / s).ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]";
        }
        var tokens = string.Join(", ", Enumerable.Range(0, letters).Select(i => $"\"{(char)('a' + i)}\""));
        var next = string.Join(", ", Enumerable.Range(0, letters).Select(_ => Row()));
        return $"{{\"tokens\": [{tokens}], \"start\": {Row()}, \"next\": [{next}]}}";
    }

    public static string Text(IEnumerable<int> tokens, TokenVocabulary v) => Encoding.UTF8.GetString(tokens.SelectMany(t => v[t].ToArray()).ToArray());

    /// <summary>A tolerance for a Monte Carlo mean: five standard errors of the sample, plus a rounding floor.</summary>
    public static double Tolerance(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double variance = values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Count - 1);
        return 5 * Math.Sqrt(variance / values.Count) + 1e-9;
    }
}
