using System.Globalization;
using System.Text;

namespace Structured.Cli.Bench;

/// <summary>A deterministic JSON document of about a given size, mixing objects, arrays, strings, numbers and literals.</summary>
internal static class SyntheticJson
{
    public static byte[] Create(int approximateBytes, int seed = 1)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder("[\n");
        int n = 0;
        while (sb.Length < approximateBytes)
        {
            if (n++ > 0) sb.Append(",\n");
            sb.Append("  {\"id\": ").Append(n.ToString(CultureInfo.InvariantCulture))
              .Append(", \"name\": \"item ").Append(rng.Next(100000).ToString(CultureInfo.InvariantCulture)).Append(" caf\\u00e9 \\\"q\\\" 日本\"")
              .Append(", \"price\": ").Append((rng.NextDouble() * 1000).ToString("F2", CultureInfo.InvariantCulture))
              .Append(", \"ratio\": -").Append(rng.NextDouble().ToString("E3", CultureInfo.InvariantCulture))
              .Append(", \"tags\": [\"a\", \"bb\", \"ccc\"], \"active\": ").Append(rng.Next(2) == 0 ? "true" : "false")
              .Append(", \"parent\": null, \"dims\": {\"w\": ").Append(rng.Next(1000).ToString(CultureInfo.InvariantCulture))
              .Append(", \"h\": ").Append(rng.Next(1000).ToString(CultureInfo.InvariantCulture)).Append("}}");
        }
        sb.Append("\n]\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
