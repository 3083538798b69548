using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TrainDefaultModel;

/// <summary>
/// Writes the training text with a fixed seed: JSON documents for the schemas in <c>examples/schemas</c>, SELECT
/// statements in the dialect of <c>grammars/sql.lark</c>, and plain English sentences from templates. Each document
/// starts with a short instruction line, the kind of prompt the model will later see.
/// </summary>
public sealed class CorpusGenerator(Random rng)
{
    private static readonly string[] First = ["Ana", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Liam", "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera", "Will", "Yara", "Zoe"];
    private static readonly string[] Last = ["Smith", "Garcia", "Chen", "Okafor", "Muller", "Rossi", "Kowalski", "Dubois", "Silva", "Novak", "Berg", "Khan"];
    private static readonly string[] Cities = ["Paris", "Lagos", "Osaka", "Lima", "Oslo", "Berlin", "Austin", "Madrid", "Cairo", "Seoul", "Toronto", "Dublin"];
    private static readonly string[] Products = ["desk lamp", "coffee mug", "wool scarf", "phone case", "notebook", "water bottle", "backpack", "headphones", "tea kettle", "yoga mat"];
    private static readonly string[] Tags = ["home", "office", "gift", "sale", "new", "eco", "kitchen", "travel", "sport", "audio"];
    private static readonly string[] Events = ["team meeting", "product launch", "book club", "city marathon", "jazz night", "code review", "garden party", "board meeting"];
    private static readonly string[] Domains = ["example.com", "mail.org", "post.net", "inbox.io"];
    private static readonly string[] Tables = ["users", "orders", "products", "events", "customers", "payments"];
    private static readonly string[] Columns = ["id", "name", "age", "city", "price", "total", "status", "created_at", "email", "quantity"];
    private static readonly string[] Subjects = ["The cat", "My neighbour", "A small bird", "The old train", "Our teacher", "The river", "A young girl", "The red car", "This book", "The wind"];
    private static readonly string[] Verbs = ["sleeps", "runs", "sings", "waits", "shines", "moves", "rests", "falls", "grows", "turns"];
    private static readonly string[] Places = ["in the garden", "near the station", "by the sea", "under the bridge", "at night", "after lunch", "in the morning", "on the hill"];
    private static readonly string[] Adverbs = ["quietly", "slowly", "again", "every day", "without a sound", "for a while"];

    /// <summary>The instruction lines used for JSON documents; generation prompts use the same forms.</summary>
    public static string JsonPrompt(string title, int variant) => (variant % 3) switch
    {
        0 => $"Return a JSON object for a {title}.",
        1 => $"Give me a {title} as JSON.",
        _ => $"A {title} in JSON:",
    };

    /// <summary>One document of the mix: half JSON, a quarter SQL, a quarter English.</summary>
    public string Document(IReadOnlyList<(string Title, JsonElement Schema)> schemas)
    {
        double u = rng.NextDouble();
        if (u < 0.5)
        {
            var (title, schema) = schemas[rng.Next(schemas.Count)];
            return JsonPrompt(title, rng.Next(3)) + "\n" + Json(Instance(schema, title, ""));
        }
        if (u < 0.75) return "Write a SQL query.\n" + Sql();
        return "Write a sentence.\n" + Sentence();
    }

    private static string Json(JsonNode? node) => node is null ? "null" : Render(node);

    // json.dumps style: ", " and ": " separators, which tokenizes into common pieces.
    private static string Render(JsonNode node) => node switch
    {
        JsonObject o => "{" + string.Join(", ", o.Select(p => JsonSerializer.Serialize(p.Key) + ": " + (p.Value is null ? "null" : Render(p.Value)))) + "}",
        JsonArray a => "[" + string.Join(", ", a.Select(x => x is null ? "null" : Render(x))) + "]",
        _ => node.ToJsonString(),
    };

    private JsonNode? Instance(JsonElement schema, string title, string key)
    {
        if (schema.TryGetProperty("enum", out var e)) return JsonNode.Parse(e[rng.Next(e.GetArrayLength())].GetRawText());
        string type = schema.TryGetProperty("type", out var t) ? t.GetString()! : "string";
        switch (type)
        {
            case "object":
                {
                    var o = new JsonObject();
                    var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(x => x.GetString()).ToHashSet() : [];
                    foreach (var p in schema.GetProperty("properties").EnumerateObject())
                        if (required.Contains(p.Name) || rng.NextDouble() < 0.6) o[p.Name] = Instance(p.Value, title, p.Name);
                    return o;
                }
            case "array":
                {
                    int min = schema.TryGetProperty("minItems", out var mi) ? mi.GetInt32() : 0;
                    int max = schema.TryGetProperty("maxItems", out var ma) ? ma.GetInt32() : 3;
                    var a = new JsonArray();
                    int n = rng.Next(min, Math.Min(max, min + 3) + 1);
                    for (int i = 0; i < n; i++) a.Add(Instance(schema.GetProperty("items"), title, key));
                    return a;
                }
            case "integer":
                {
                    int min = schema.TryGetProperty("minimum", out var mi) ? mi.GetInt32() : 0;
                    int max = schema.TryGetProperty("maximum", out var ma) ? ma.GetInt32() : 500;
                    return key == "age" ? rng.Next(18, 80) : rng.Next(min, Math.Min(max, min + 60) + 1);
                }
            case "number": return JsonValue.Create(Math.Round(rng.NextDouble() * 120 + 1, rng.Next(3)));
            case "boolean": return rng.Next(2) == 0;
            default: return Text(schema, key);
        }
    }

    private string Text(JsonElement schema, string key)
    {
        string format = schema.TryGetProperty("format", out var f) ? f.GetString()! : "";
        string first = Pick(First), last = Pick(Last);
        return (format, key) switch
        {
            ("email", _) => $"{first.ToLowerInvariant()}.{last.ToLowerInvariant()}@{Pick(Domains)}",
            ("date", _) => new DateTime(2020, 1, 1).AddDays(rng.Next(2500)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            (_, "name" or "customer") => $"{first} {last}",
            (_, "city") => Pick(Cities),
            (_, "title") => Capital(Pick(Products)),
            (_, "tags") => Pick(Tags),
            (_, "event") => Capital(Pick(Events)),
            (_, "sku") => $"SKU-{rng.Next(100, 999)}",
            (_, "order_id") => $"{(char)('A' + rng.Next(26))}{(char)('A' + rng.Next(26))}-{rng.Next(1000, 9999)}",
            _ => Pick(Tags),
        };
    }

    private string Sql()
    {
        string table = Pick(Tables);
        var cols = Enumerable.Range(0, rng.Next(1, 4)).Select(_ => Pick(Columns)).Distinct().ToList();
        var sb = new StringBuilder("SELECT ");
        sb.Append(rng.NextDouble() < 0.15 ? "*" : string.Join(", ", cols));
        sb.Append(" FROM ").Append(table);
        if (rng.NextDouble() < 0.6)
        {
            string c = Pick(Columns);
            sb.Append(" WHERE ").Append(c).Append(rng.Next(4) switch
            {
                0 => $" > {rng.Next(1, 100)}",
                1 => $" = '{Pick(Cities)}'",
                2 => $" BETWEEN {rng.Next(1, 20)} AND {rng.Next(21, 90)}",
                _ => $" LIKE '{Pick(First)[0]}%'",
            });
        }
        if (rng.NextDouble() < 0.4) sb.Append(" ORDER BY ").Append(Pick(cols)).Append(rng.Next(2) == 0 ? " DESC" : "");
        if (rng.NextDouble() < 0.3) sb.Append(" LIMIT ").Append(rng.Next(1, 50));
        return sb.Append(';').ToString();
    }

    private string Sentence() => $"{Pick(Subjects)} {Pick(Verbs)} {Pick(Places)}{(rng.Next(2) == 0 ? " " + Pick(Adverbs) : "")}.";

    private string Pick(IReadOnlyList<string> items) => items[rng.Next(items.Count)];
    private static string Capital(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
