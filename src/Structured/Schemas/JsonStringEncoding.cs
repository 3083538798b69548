using System.Collections.Concurrent;
using System.Text;
using Structured.Regex;

namespace Structured.Schemas;

/// <summary>
/// Turns a regex over decoded string values into a regex over JSON string-literal bytes. Every character may be
/// written raw (where JSON allows it), as a short escape, or as a <c>\uXXXX</c> escape in either hex case (surrogate
/// pairs above U+FFFF). JSON decoding is a function, so intersection and complement carry over node by node.
/// </summary>
internal static class JsonStringEncoding
{
    private static readonly CodePointSet Surrogates = CodePointSet.Range(0xD800, 0xDFFF);
    private static readonly CodePointSet MustEscape = CodePointSet.FromRanges([(0, 0x1F), ('"', '"'), ('\\', '\\')]);
    private static readonly ConcurrentDictionary<CodePointSet, RegexNode> Chars = new();

    private static readonly (int Char, string Escape)[] ShortEscapes =
        [('"', "\\\""), ('\\', "\\\\"), ('/', "\\/"), ('\b', "\\b"), ('\f', "\\f"), ('\n', "\\n"), ('\r', "\\r"), ('\t', "\\t")];

    /// <summary>Any string content: every character in any of its spellings (escapes of surrogates only as valid pairs).</summary>
    public static RegexNode AnyContent { get; } = RegexNode.Star(Char(CodePointSet.All));

    /// <summary>A whole string literal, quotes included, whose decoded value matches <paramref name="decoded"/>.</summary>
    public static RegexNode Literal(RegexNode decoded) => RegexNode.Sequence(RegexNode.Literal("\""), Encode(decoded), RegexNode.Literal("\""));

    /// <summary>The encodings of the strings that <paramref name="decoded"/> matches, without quotes.</summary>
    public static RegexNode Encode(RegexNode decoded) => decoded switch
    {
        NothingNode => RegexNode.Nothing,
        LiteralNode lit => RegexNode.Sequence(Encoding.UTF8.GetString(lit.Value.ToArray()).EnumerateRunes().Select(r => Char(CodePointSet.Of(r.Value)))),
        ClassNode c => Char(c.Set),
        SequenceNode s => RegexNode.Sequence(s.Parts.Select(Encode).ToList()),
        ChoiceNode ch => RegexNode.Choice(ch.Alternatives.Select(Encode).ToList()),
        RepeatNode r => RegexNode.Repeat(Encode(r.Item), r.Min, r.Max),
        // Intersections and complements stay over decoded characters, inside one node that the lexer reads through
        // escapes: distributed over every spelling, their product automaton grew with the escapes of each character
        // (a date-time format with a pattern explored 100,000 states to find one dead end).
        IntersectionNode or ComplementNode => RegexNode.JsonEncoded(Characters(decoded)),
        _ => throw new GrammarException($"a byte-level pattern cannot constrain a JSON string ({decoded})"),
    };

    // A decoded regex with every complement kept to whole characters: ~X alone would also match broken UTF-8.
    private static RegexNode Characters(RegexNode decoded) => decoded switch
    {
        NothingNode or LiteralNode or ClassNode => decoded,
        SequenceNode s => RegexNode.Sequence(s.Parts.Select(Characters).ToList()),
        ChoiceNode ch => RegexNode.Choice(ch.Alternatives.Select(Characters).ToList()),
        RepeatNode r => RegexNode.Repeat(Characters(r.Item), r.Min, r.Max),
        IntersectionNode i => RegexNode.Intersection(i.Parts.Select(Characters).ToList()),
        ComplementNode n => RegexNode.Intersection(RegexNode.Star(RegexNode.Class(CodePointSet.All)), RegexNode.Complement(Characters(n.Item))),
        _ => throw new GrammarException($"a byte-level pattern cannot constrain a JSON string ({decoded})"),
    };

    /// <summary>One character of <paramref name="set"/>, in every spelling JSON allows.</summary>
    public static RegexNode Char(CodePointSet set) => Chars.GetOrAdd(set, static s =>
    {
        var alts = new List<RegexNode> { RegexNode.Class(s.Except(MustEscape).Except(Surrogates)) };
        foreach (var (c, esc) in ShortEscapes)
            if (s.Contains(c)) alts.Add(RegexNode.Literal(esc));
        foreach (var (lo, hi) in s.Except(Surrogates).Ranges)
        {
            if (lo <= 0xFFFF)
                alts.Add(RegexNode.Sequence(RegexNode.Literal("\\u"), Hex(lo, Math.Min(hi, 0xFFFF), 4)));
            if (hi > 0xFFFF) alts.Add(SurrogatePairs(Math.Max(lo, 0x10000), hi));
        }
        return RegexNode.Choice(alts);
    });

    private static RegexNode SurrogatePairs(int lo, int hi)
    {
        static (int High, int Low) Split(int cp) => (0xD800 + ((cp - 0x10000) >> 10), 0xDC00 + ((cp - 0x10000) & 0x3FF));
        RegexNode Pair(int hLo, int hHi, int lLo, int lHi) =>
            RegexNode.Sequence(RegexNode.Literal("\\u"), Hex(hLo, hHi, 4), RegexNode.Literal("\\u"), Hex(lLo, lHi, 4));
        var (h1, l1) = Split(lo);
        var (h2, l2) = Split(hi);
        if (h1 == h2) return Pair(h1, h1, l1, l2);
        var alts = new List<RegexNode> { Pair(h1, h1, l1, 0xDFFF) };
        if (h2 - h1 > 1) alts.Add(Pair(h1 + 1, h2 - 1, 0xDC00, 0xDFFF));
        alts.Add(Pair(h2, h2, 0xDC00, l2));
        return RegexNode.Choice(alts);
    }

    // Fixed-width hex numerals (either case) for the values lo..hi.
    private static RegexNode Hex(int lo, int hi, int width)
    {
        if (width == 0) return RegexNode.Epsilon;
        int unit = 1 << (4 * (width - 1));
        int dLo = lo / unit, dHi = hi / unit;
        int restLo = lo % unit, restHi = hi % unit;
        if (dLo == dHi) return RegexNode.Sequence(HexDigit(dLo, dLo), Hex(restLo, restHi, width - 1));
        if (restLo == 0 && restHi == unit - 1) return RegexNode.Sequence(HexDigit(dLo, dHi), RegexNode.Repeat(HexDigit(0, 15), width - 1, width - 1));
        var alts = new List<RegexNode> { RegexNode.Sequence(HexDigit(dLo, dLo), Hex(restLo, unit - 1, width - 1)) };
        if (dHi - dLo > 1) alts.Add(RegexNode.Sequence(HexDigit(dLo + 1, dHi - 1), RegexNode.Repeat(HexDigit(0, 15), width - 1, width - 1)));
        alts.Add(RegexNode.Sequence(HexDigit(dHi, dHi), Hex(0, restHi, width - 1)));
        return RegexNode.Choice(alts);
    }

    private static RegexNode HexDigit(int lo, int hi)
    {
        var ranges = new List<(int, int)>();
        if (lo <= 9) ranges.Add(('0' + lo, '0' + Math.Min(hi, 9)));
        if (hi >= 10)
        {
            int a = Math.Max(lo, 10) - 10, b = hi - 10;
            ranges.Add(('a' + a, 'a' + b));
            ranges.Add(('A' + a, 'A' + b));
        }
        return RegexNode.Class(CodePointSet.FromRanges(ranges));
    }
}
