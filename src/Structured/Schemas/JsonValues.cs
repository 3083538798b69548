using System.Text.Json;

namespace Structured.Schemas;

/// <summary>JSON value helpers shared by the validator and the compiler: equality by value, and type names.</summary>
internal static class JsonValues
{
    /// <summary>JSON Schema equality: numbers by value (1 equals 1.0), objects regardless of member order.</summary>
    public static bool Equal(JsonElement a, JsonElement b)
    {
        if (a.ValueKind is JsonValueKind.True or JsonValueKind.False || b.ValueKind is JsonValueKind.True or JsonValueKind.False)
            return a.ValueKind == b.ValueKind;
        if (a.ValueKind != b.ValueKind) return false;
        switch (a.ValueKind)
        {
            case JsonValueKind.Null: return true;
            case JsonValueKind.Number: return Number(a).CompareTo(Number(b)) == 0;
            case JsonValueKind.String: return a.ValueEquals(b.GetString());
            case JsonValueKind.Array:
                {
                    int n = a.GetArrayLength();
                    if (n != b.GetArrayLength()) return false;
                    for (int i = 0; i < n; i++) if (!Equal(a[i], b[i])) return false;
                    return true;
                }
            case JsonValueKind.Object:
                {
                    var pa = Members(a);
                    var pb = Members(b);
                    if (pa.Count != pb.Count) return false;
                    foreach (var (k, v) in pa)
                        if (!pb.TryGetValue(k, out var w) || !Equal(v, w)) return false;
                    return true;
                }
            default: return false;
        }
    }

    /// <summary>The members of an object; a repeated name keeps its last value, as most parsers do.</summary>
    public static Dictionary<string, JsonElement> Members(JsonElement o)
    {
        var d = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in o.EnumerateObject()) d[p.Name] = p.Value;
        return d;
    }

    public static JsonDecimal Number(JsonElement e) => JsonDecimal.Parse(e.GetRawText());

    /// <summary>Whether the instance has the JSON Schema type (integers include numbers with a zero fraction).</summary>
    public static bool HasType(JsonElement x, string type) => type switch
    {
        "null" => x.ValueKind == JsonValueKind.Null,
        "boolean" => x.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => x.ValueKind == JsonValueKind.Object,
        "array" => x.ValueKind == JsonValueKind.Array,
        "string" => x.ValueKind == JsonValueKind.String,
        "number" => x.ValueKind == JsonValueKind.Number,
        "integer" => x.ValueKind == JsonValueKind.Number && Number(x).IsInteger,
        _ => false,
    };

    /// <summary>The number of Unicode code points, which is what <c>minLength</c> and <c>maxLength</c> count.</summary>
    public static int CodePointLength(string s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            n++;
        }
        return n;
    }
}
