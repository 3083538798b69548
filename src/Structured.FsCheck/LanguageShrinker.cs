using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Structured.FsCheck;

/// <summary>
/// Shrink candidates that stay in the language: structural edits (shorter sentences of the grammar, deleted chunks,
/// for JSON removed items and properties and smaller scalars) filtered by the constraint's parser, smallest first.
/// </summary>
internal static class LanguageShrinker
{
    public static IEnumerable<string> Text(string value, Constraint constraint, Func<int, int, string?> shortest, SentenceOptions options)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { value };
        int offered = 0;
        foreach (var candidate in TextCandidates(value, shortest))
        {
            if (offered >= options.MaxShrinks) yield break;
            if (candidate.Length >= value.Length && string.CompareOrdinal(candidate, value) >= 0) continue; // only strictly smaller, so shrinking ends
            if (!seen.Add(candidate) || !constraint.Accepts(candidate)) continue;
            offered++;
            yield return candidate;
        }
    }

    private static IEnumerable<string> TextCandidates(string value, Func<int, int, string?> shortest)
    {
        // The grammar's own shortest sentences first: often the whole answer.
        for (int seed = 0; seed < 4; seed++)
            if (shortest(seed, 0) is { } s && s.Length < value.Length) yield return s;
        var runes = value.EnumerateRunes().Select(r => r.ToString()).ToArray();
        for (int chunk = runes.Length / 2; chunk >= 1; chunk /= 2)
            for (int at = 0; at + chunk <= runes.Length; at += Math.Max(1, chunk / 2))
                yield return string.Concat(runes[..at]) + string.Concat(runes[(at + chunk)..]);
        // Simpler characters in place.
        for (int i = 0; i < runes.Length; i++)
            foreach (var simple in new[] { "0", "a", " " })
                if (runes[i] != simple) yield return string.Concat(runes[..i]) + simple + string.Concat(runes[(i + 1)..]);
    }

    public static IEnumerable<string> Json(string value, Constraint constraint, SentenceOptions options)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(value);
        }
        catch (JsonException)
        {
            yield break;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal) { value };
        int offered = 0;
        foreach (var node in NodeCandidates(root))
        {
            if (offered >= options.MaxShrinks) yield break;
            string text = node?.ToJsonString() ?? "null";
            if (!seen.Add(text) || !constraint.Accepts(text)) continue;
            offered++;
            yield return text;
        }
    }

    // Smaller versions of a JSON value: each candidate is a whole new document.
    private static IEnumerable<JsonNode?> NodeCandidates(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                for (int i = array.Count - 1; i >= 0; i--)
                {
                    var copy = (JsonArray)array.DeepClone();
                    copy.RemoveAt(i);
                    yield return copy;
                }
                for (int i = 0; i < array.Count; i++)
                    foreach (var smaller in NodeCandidates(array[i]?.DeepClone()))
                    {
                        var copy = (JsonArray)array.DeepClone();
                        copy[i] = smaller;
                        yield return copy;
                    }
                break;
            case JsonObject obj:
                var names = obj.Select(p => p.Key).ToList();
                foreach (var name in names)
                {
                    var copy = (JsonObject)obj.DeepClone();
                    copy.Remove(name);
                    yield return copy;
                }
                foreach (var name in names)
                    foreach (var smaller in NodeCandidates(obj[name]?.DeepClone()))
                    {
                        var copy = (JsonObject)obj.DeepClone();
                        copy[name] = smaller;
                        yield return copy;
                    }
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                string s = v.GetValue<string>();
                if (s.Length > 0)
                {
                    yield return JsonValue.Create("");
                    var runes = s.EnumerateRunes().ToArray();
                    yield return JsonValue.Create(string.Concat(runes[..(runes.Length / 2)].Select(r => r.ToString())));
                    yield return JsonValue.Create(string.Concat(runes[..^1].Select(r => r.ToString())));
                    yield return JsonValue.Create(new StringBuilder().Append('a', runes.Length).ToString());
                }
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                double d = v.GetValue<double>();
                if (d != 0)
                {
                    yield return JsonValue.Create(0);
                    foreach (var x in new[] { Math.Truncate(d / 2), Math.Truncate(d), d - Math.Sign(d), Math.Abs(d) })
                        if (x != d && Math.Abs(x) <= Math.Abs(d)) yield return x == Math.Floor(x) && Math.Abs(x) < 1e15 ? JsonValue.Create((long)x) : JsonValue.Create(x);
                }
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.True:
                yield return JsonValue.Create(false);
                break;
        }
    }
}
