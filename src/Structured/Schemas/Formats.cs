using System.Collections.Concurrent;
using System.Globalization;
using Structured.Regex;

namespace Structured.Schemas;

/// <summary>
/// The string formats enforced exactly, as regular expressions over the decoded string. The schema compiler
/// intersects them with length and <c>pattern</c>; the validator runs the same expressions, so the two agree.
/// Calendar validity is part of the language: days per month, leap years, and leap seconds only at 23:59:60 UTC.
/// </summary>
public static class Formats
{
    private const string Leap = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)";
    private const string FullDate =
        "(?:[0-9]{4}-(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|[0-9]{4}-(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|[0-9]{4}-02-(?:0[1-9]|1[0-9]|2[0-8])|" + Leap + "-02-29)";
    private const string Offset = "(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])";
    private const string Fraction = "(?:\\.[0-9]+)?";
    private const string Dec8 = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
    private const string IPv4 = Dec8 + "(?:\\." + Dec8 + "){3}";
    private const string H16 = "[0-9A-Fa-f]{1,4}";
    // 1–63 letters, digits and inner hyphens, and no "--" in positions 3 and 4: such labels are A-labels (xn--),
    // whose Punycode is not checked here, so they are refused rather than accepted unchecked.
    private const string Label = "(?:[A-Za-z0-9]|[A-Za-z0-9]{2}|[A-Za-z0-9][A-Za-z0-9-][A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]{2}[A-Za-z0-9]"
        + "|[A-Za-z0-9][A-Za-z0-9-](?:[A-Za-z0-9][A-Za-z0-9-]|-[A-Za-z0-9])[A-Za-z0-9-]{0,58}[A-Za-z0-9])";
    private const string Unreserved = "A-Za-z0-9._~\\-";
    private const string SubDelims = "!$&'()*+,;=";
    private const string Pct = "%[0-9A-Fa-f]{2}";

    private static readonly ConcurrentDictionary<string, RegexNode> Cache = new(StringComparer.Ordinal);

    /// <summary>The formats that are enforced; any other format is an annotation and constrains nothing.</summary>
    public static IReadOnlyList<string> Supported { get; } =
        ["date-time", "date", "time", "duration", "email", "hostname", "ipv4", "ipv6", "uuid", "uri", "uri-reference",
         "json-pointer", "relative-json-pointer"];

    /// <summary>
    /// Formats the JSON Schema specification defines that are not enforced here: a schema that asserts one is an error
    /// (or, leniently, a warning), never a silently unchecked value. Other, unknown formats are annotations.
    /// </summary>
    public static IReadOnlyList<string> DefinedButNotEnforced { get; } =
        ["idn-email", "idn-hostname", "iri", "iri-reference", "uri-template", "regex"];

    /// <summary>The regex for a supported format, or null.</summary>
    public static RegexNode? Regex(string format) =>
        Supported.Contains(format) ? Cache.GetOrAdd(format, Build) : null;

    private static RegexNode Build(string format)
    {
        var node = RegexParser.Parse(Pattern(format));
        // A host name has at most 253 characters: an intersection, since the regex dialect has no lookahead.
        // A host name has at most 253 characters: an intersection, since the regex dialect has no lookahead.
        return format == "hostname" ? RegexNode.Intersection(node, RegexNode.Repeat(RegexNode.Class(CodePointSet.All), 1, 253)) : node;
    }

    /// <summary>The pattern text of a supported format (ECMA-262 syntax, full match).</summary>
    public static string Pattern(string format) => format switch
    {
        "date" => FullDate,
        "time" => Time(),
        "date-time" => FullDate + "[Tt]" + Time(),
        "duration" => Duration(),
        "email" => Email(),
        "hostname" => HostnameBody(),
        "ipv4" => IPv4,
        "ipv6" => IPv6(),
        "uuid" => "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}",
        "uri" => Uri(),
        "uri-reference" => "(?:" + Uri() + "|" + RelativeRef() + ")",
        "json-pointer" => JsonPointer,
        "relative-json-pointer" => "(?:0|[1-9][0-9]*)(?:#|" + JsonPointer + ")",
        _ => throw new ArgumentException($"unknown format '{format}'", nameof(format)),
    };

    private const string JsonPointer = "(?:/(?:[^~/]|~[01])*)*";

    private static string Time()
    {
        // A leap second is valid only where the time, shifted to UTC, is 23:59:60: each local hour and minute allows
        // one offset of each sign (23:59 allows only a zero offset). The 1,440 local times are written as a trie of
        // their digits, not as a flat list of alternatives: a lexer deriving the flat list past each digit rebuilt
        // an alternation of thousands of terms, and a mask at the start of a date-time's time cost milliseconds.
        var leaps = new List<(string Key, string Tail)>(1440);
        for (int local = 0; local < 1440; local++)
        {
            string offsets;
            if (local == 23 * 60 + 59) offsets = "(?:[Zz]|[+-]00:00)";
            else
            {
                int ahead = (local - (23 * 60 + 59) + 1440) % 1440; // local = UTC + offset, with UTC 23:59
                offsets = "(?:\\+" + Clock(ahead) + "|-" + Clock(1440 - ahead) + ")";
            }
            leaps.Add((Clock(local), ":60" + Fraction + offsets));
        }
        return "(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]" + Fraction + Offset + "|" + Trie(leaps, 0) + ")";
    }

    private static string Clock(int minutes) => string.Create(CultureInfo.InvariantCulture, $"{minutes / 60:D2}:{minutes % 60:D2}");

    // Alternatives grouped by their keys' common prefixes (keys are literal digits and colons, all of one length).
    private static string Trie(IReadOnlyList<(string Key, string Tail)> items, int depth)
    {
        if (items[0].Key.Length == depth) return items[0].Tail;
        var branches = items.GroupBy(i => i.Key[depth]).Select(g => g.Key + Trie(g.ToList(), depth + 1)).ToList();
        return branches.Count == 1 ? branches[0] : "(?:" + string.Join("|", branches) + ")";
    }

    private static string Duration()
    {
        const string n = "[0-9]+";
        string second = n + "S";
        string minute = n + "M(?:" + second + ")?";
        string hour = n + "H(?:" + minute + ")?";
        string time = "T(?:" + hour + "|" + minute + "|" + second + ")";
        string day = n + "D";
        string month = n + "M(?:" + day + ")?";
        string year = n + "Y(?:" + month + ")?";
        string date = "(?:" + day + "|" + month + "|" + year + ")(?:" + time + ")?";
        return "P(?:" + date + "|" + time + "|" + n + "W)";
    }

    // Dot-separated labels; the 253-character bound is added as an intersection in Build.
    private static string HostnameBody() => Label + "(?:\\." + Label + ")*";

    private static string Email()
    {
        const string atext = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-]";
        string local = "(?:" + atext + "+(?:\\." + atext + "+)*|\"(?:[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]|\\\\[\\x20-\\x7E])*\")";
        string domain = "(?:" + HostnameBody() + "|\\[" + IPv4 + "\\]|\\[IPv6:" + IPv6() + "\\])";
        return local + "@" + domain;
    }

    private static string IPv6()
    {
        string ls32 = "(?:" + H16 + ":" + H16 + "|" + IPv4 + ")";
        string Groups(int n) => n == 0 ? "" : "(?:" + H16 + ":){" + n + "}";
        string Upto(int n) => n < 0 ? "" : "(?:(?:" + H16 + ":){0," + n + "}" + H16 + ")?";
        var alts = new List<string>
        {
            Groups(6) + ls32,
            "::" + Groups(5) + ls32,
            Upto(0) + "::" + Groups(4) + ls32,
            Upto(1) + "::" + Groups(3) + ls32,
            Upto(2) + "::" + Groups(2) + ls32,
            Upto(3) + "::" + Groups(1) + ls32,
            Upto(4) + "::" + ls32,
            Upto(5) + "::" + H16,
            Upto(6) + "::",
        };
        return "(?:" + string.Join("|", alts) + ")";
    }

    private static string Authority()
    {
        string userinfo = "(?:[" + Unreserved + SubDelims + ":]|" + Pct + ")*@";
        string ipLiteral = "\\[(?:" + IPv6() + "|[Vv][0-9A-Fa-f]+\\.[" + Unreserved + SubDelims + ":]+)\\]";
        string regName = "(?:[" + Unreserved + SubDelims + "]|" + Pct + ")*";
        return "(?:" + userinfo + ")?(?:" + ipLiteral + "|" + regName + ")(?::[0-9]*)?";
    }

    private static string PChar => "(?:[" + Unreserved + SubDelims + ":@]|" + Pct + ")";

    private static string Tail => "(?:\\?(?:" + PChar + "|[/?])*)?(?:#(?:" + PChar + "|[/?])*)?";

    private static string Uri()
    {
        string segment = PChar + "*";
        string segmentNz = PChar + "+";
        string pathAbempty = "(?:/" + segment + ")*";
        string hier = "(?://" + Authority() + pathAbempty + "|/(?:" + segmentNz + pathAbempty + ")?|" + segmentNz + pathAbempty + "|)";
        return "[A-Za-z][A-Za-z0-9+.\\-]*:" + hier + Tail;
    }

    private static string RelativeRef()
    {
        string segment = PChar + "*";
        string segmentNz = PChar + "+";
        string segmentNzNc = "(?:[" + Unreserved + SubDelims + "@]|" + Pct + ")+";
        string pathAbempty = "(?:/" + segment + ")*";
        string relative = "(?://" + Authority() + pathAbempty + "|/(?:" + segmentNz + pathAbempty + ")?|" + segmentNzNc + pathAbempty + "|)";
        return relative + Tail;
    }
}
