using System.Globalization;
using System.Numerics;
using Structured.Lexing;
using Structured.Regex;

namespace Structured.Schemas;

/// <summary>
/// Regexes for JSON number text whose value lies in a range: digit automata built from the bounds' decimal digits,
/// exact for any size and for decimal bounds. Bounded numbers are written without exponents.
/// </summary>
internal static class NumberRegex
{
    private static readonly RegexNode D = RegexNode.Class(CodePointSet.Range('0', '9'));
    private static readonly RegexNode D19 = RegexNode.Class(CodePointSet.Range('1', '9'));
    private static readonly RegexNode Minus = RegexNode.Literal("-");
    private static readonly RegexNode Dot = RegexNode.Literal(".");

    /// <summary>Any JSON number.</summary>
    public static RegexNode AnyNumber { get; } = RegexNode.Sequence(
        RegexNode.Optional(Minus), NaturalCanonical, RegexNode.Optional(RegexNode.Sequence(Dot, RegexNode.Repeat(D, 1, null))),
        RegexNode.Optional(RegexNode.Sequence(RegexNode.Class(CodePointSet.FromRanges([('e', 'e'), ('E', 'E')])),
            RegexNode.Optional(RegexNode.Class(CodePointSet.FromRanges([('+', '+'), ('-', '-')]))), RegexNode.Repeat(D, 1, null))));

    private static RegexNode NaturalCanonical => RegexNode.Choice(RegexNode.Literal("0"), RegexNode.Sequence(D19, RegexNode.Star(D)));

    private static RegexNode AnyFraction => RegexNode.Optional(RegexNode.Sequence(Dot, RegexNode.Repeat(D, 1, null)));

    private static RegexNode ZeroFraction => RegexNode.Optional(RegexNode.Sequence(Dot, RegexNode.Repeat(RegexNode.Literal("0"), 1, null)));

    /// <summary>Canonical integer digits (with '-' when negative) of the integers in [lo, hi]; null bounds are open. "-0" counts as 0.</summary>
    public static RegexNode IntegerDigits(BigInteger? lo, BigInteger? hi)
    {
        if (lo is { } l && hi is { } h && l > h) return RegexNode.Nothing;
        var alts = new List<RegexNode>();
        // Positive part: [max(lo,1), hi].
        if (hi is not { } h1 || h1 >= 1)
            alts.Add(Natural(BigInteger.Max(lo ?? 1, 1), hi));
        // Negative part: -[max(-hi,1), -lo].
        if (lo is not { } l1 || l1 <= -1)
            alts.Add(RegexNode.Sequence(Minus, Natural(BigInteger.Max(hi is { } h2 ? -h2 : 1, 1), lo is { } l2 ? -l2 : null)));
        if ((lo is not { } l3 || l3 <= 0) && (hi is not { } h3 || h3 >= 0))
            alts.Add(RegexNode.Sequence(RegexNode.Optional(Minus), RegexNode.Literal("0")));
        return RegexNode.Choice(alts);
    }

    /// <summary>Integer values in [lo, hi] as JSON text: canonical digits, optionally with a zero fraction (<c>3.0</c> is an integer).</summary>
    public static RegexNode Integer(BigInteger? lo, BigInteger? hi) => RegexNode.Sequence(IntegerDigits(lo, hi), ZeroFraction);

    /// <summary>Canonical naturals in [lo, hi] (lo ≥ 1; hi null for no bound).</summary>
    private static RegexNode Natural(BigInteger lo, BigInteger? hi)
    {
        if (hi is { } h && lo > h) return RegexNode.Nothing;
        string a = lo.ToString(CultureInfo.InvariantCulture);
        var alts = new List<RegexNode>();
        int maxLen = hi is { } hh ? hh.ToString(CultureInfo.InvariantCulture).Length : a.Length;
        for (int len = a.Length; len <= maxLen; len++)
        {
            string from = len == a.Length ? a : "1" + new string('0', len - 1);
            string to = hi is { } h2 && len == maxLen ? h2.ToString(CultureInfo.InvariantCulture) : new string('9', len);
            alts.Add(SameLength(from, to));
        }
        if (hi is null) alts.Add(RegexNode.Sequence(D19, RegexNode.Repeat(D, a.Length, null)));
        return RegexNode.Choice(alts);
    }

    /// <summary>Digit strings of one length between <paramref name="lo"/> and <paramref name="hi"/> (inclusive).</summary>
    private static RegexNode SameLength(string lo, string hi)
    {
        if (lo.Length == 0) return RegexNode.Epsilon;
        if (string.CompareOrdinal(lo, hi) > 0) return RegexNode.Nothing;
        if (lo == hi) return RegexNode.Literal(lo);
        int n = lo.Length - 1;
        if (lo[0] == hi[0]) return RegexNode.Sequence(RegexNode.Literal(lo[..1]), SameLength(lo[1..], hi[1..]));
        if (lo[1..].All(c => c == '0') && hi[1..].All(c => c == '9'))
            return RegexNode.Sequence(Digits(lo[0], hi[0]), RegexNode.Repeat(D, n, n));
        var alts = new List<RegexNode>
        {
            RegexNode.Sequence(RegexNode.Literal(lo[..1]), SameLength(lo[1..], new string('9', n))),
        };
        if (hi[0] - lo[0] > 1) alts.Add(RegexNode.Sequence(Digits((char)(lo[0] + 1), (char)(hi[0] - 1)), RegexNode.Repeat(D, n, n)));
        alts.Add(RegexNode.Sequence(RegexNode.Literal(hi[..1]), SameLength(new string('0', n), hi[1..])));
        return RegexNode.Choice(alts);
    }

    private static RegexNode Digits(char lo, char hi) => RegexNode.Class(CodePointSet.Range(lo, hi));

    /// <summary>
    /// Numbers (no exponent) between optional bounds, each inclusive or exclusive. Exact for decimal bounds.
    /// </summary>
    public static RegexNode Decimal(JsonDecimal? lo, bool loExclusive, JsonDecimal? hi, bool hiExclusive)
    {
        var unsigned = RegexNode.Sequence(NaturalCanonical, AnyFraction);
        var any = RegexNode.Sequence(RegexNode.Optional(Minus), unsigned);
        var parts = new List<RegexNode>();
        if (lo is { } l) parts.Add(AtLeast(l, loExclusive, unsigned));
        if (hi is { } h) parts.Add(AtMost(h, hiExclusive, unsigned));
        return parts.Count == 0 ? any : RegexNode.Intersection([any, .. parts]);
    }

    // x ≥ L (or x > L).
    private static RegexNode AtLeast(JsonDecimal l, bool strict, RegexNode unsigned)
    {
        if (l.Sign >= 0)
        {
            var alts = new List<RegexNode> { MagnitudeAtLeast(l, strict) };
            if (l.Sign == 0 && !strict) alts.Add(RegexNode.Sequence(Minus, RegexNode.Literal("0"), ZeroFraction));
            return RegexNode.Choice(alts);
        }
        return RegexNode.Choice(unsigned, RegexNode.Sequence(Minus, MagnitudeAtMost(Negate(l), strict)));
    }

    // x ≤ H (or x < H).
    private static RegexNode AtMost(JsonDecimal h, bool strict, RegexNode unsigned)
    {
        if (h.Sign >= 0)
        {
            var alts = new List<RegexNode> { RegexNode.Sequence(Minus, unsigned), MagnitudeAtMost(h, strict) };
            return RegexNode.Choice(alts);
        }
        return RegexNode.Sequence(Minus, MagnitudeAtLeast(Negate(h), strict));
    }

    private static JsonDecimal Negate(JsonDecimal v) => new(-v.Mantissa, v.Exponent);

    // Unsigned number text with value ≥ m (> m when strict); m ≥ 0.
    private static RegexNode MagnitudeAtLeast(JsonDecimal m, bool strict)
    {
        var (intText, frac) = m.Digits();
        var i = BigInteger.Parse(intText, CultureInfo.InvariantCulture);
        var alts = new List<RegexNode>
        {
            RegexNode.Sequence(i.IsZero ? NaturalFrom1() : Natural(i + 1, null), AnyFraction),
            RegexNode.Sequence(RegexNode.Literal(intText), FractionAtLeast(frac, strict)),
        };
        return RegexNode.Choice(alts);
    }

    private static RegexNode NaturalFrom1() => RegexNode.Sequence(D19, RegexNode.Star(D));

    // Unsigned number text with value ≤ m (< m when strict); m ≥ 0.
    private static RegexNode MagnitudeAtMost(JsonDecimal m, bool strict)
    {
        var (intText, frac) = m.Digits();
        var i = BigInteger.Parse(intText, CultureInfo.InvariantCulture);
        var alts = new List<RegexNode>();
        if (i > 0) alts.Add(RegexNode.Sequence(IntegerDigitsUnsigned(i - 1), AnyFraction));
        alts.Add(RegexNode.Sequence(RegexNode.Literal(intText), FractionAtMost(frac, strict)));
        return RegexNode.Choice(alts);
    }

    private static RegexNode IntegerDigitsUnsigned(BigInteger hi) =>
        hi.IsZero ? RegexNode.Literal("0") : RegexNode.Choice(RegexNode.Literal("0"), Natural(1, hi));

    // An optional fraction ".s" whose digits, zero-padded, compare ≥ f (> f when strict).
    private static RegexNode FractionAtLeast(string f, bool strict)
    {
        if (f.Length == 0)
            return strict
                ? RegexNode.Sequence(Dot, RegexNode.Star(D), D19, RegexNode.Star(D))
                : AnyFraction;
        var alts = new List<RegexNode>();
        for (int i = 0; i < f.Length; i++)
            if (f[i] < '9')
                alts.Add(RegexNode.Sequence(Dot, RegexNode.Literal(f[..i]), Digits((char)(f[i] + 1), '9'), RegexNode.Star(D)));
        alts.Add(strict
            ? RegexNode.Sequence(Dot, RegexNode.Literal(f), RegexNode.Star(D), D19, RegexNode.Star(D))
            : RegexNode.Sequence(Dot, RegexNode.Literal(f), RegexNode.Star(D)));
        return RegexNode.Choice(alts);
    }

    // An optional fraction whose digits, zero-padded, compare ≤ f (< f when strict).
    private static RegexNode FractionAtMost(string f, bool strict)
    {
        if (f.Length == 0) return strict ? RegexNode.Nothing : ZeroFraction;
        var alts = new List<RegexNode> { RegexNode.Epsilon };
        for (int i = 0; i < f.Length; i++)
            if (f[i] > '0')
                alts.Add(RegexNode.Sequence(Dot, RegexNode.Literal(f[..i]), Digits('0', (char)(f[i] - 1)), RegexNode.Star(D)));
        for (int j = 1; j < f.Length; j++) alts.Add(RegexNode.Sequence(Dot, RegexNode.Literal(f[..j])));
        if (!strict) alts.Add(RegexNode.Sequence(Dot, RegexNode.Literal(f), RegexNode.Star(RegexNode.Literal("0"))));
        return RegexNode.Choice(alts);
    }

    /// <summary>
    /// Numbers that cannot overflow a binary float whose largest value is below 10^<paramref name="maxExponent"/>:
    /// plain decimals with at most <paramref name="maxExponent"/> integer digits, or a one-digit mantissa with an
    /// exponent below <paramref name="maxExponent"/> (any negative exponent: underflow is not an error).
    /// </summary>
    public static RegexNode Finite(int maxExponent)
    {
        var e = RegexNode.Class(CodePointSet.FromRanges([('e', 'e'), ('E', 'E')]));
        var natural = RegexNode.Choice(RegexNode.Literal("0"), RegexNode.Sequence(D19, RegexNode.Repeat(D, 0, maxExponent - 1)));
        var plain = RegexNode.Sequence(RegexNode.Optional(Minus), natural, AnyFraction);
        var exponent = RegexNode.Choice(
            RegexNode.Sequence(Minus, RegexNode.Repeat(D, 1, null)),
            RegexNode.Sequence(RegexNode.Optional(RegexNode.Literal("+")), RegexNode.Star(RegexNode.Literal("0")), IntegerDigits(0, maxExponent - 1)));
        var scientific = RegexNode.Sequence(RegexNode.Optional(Minus), D, AnyFraction, e, exponent);
        return RegexNode.Choice(plain, scientific);
    }

    /// <summary>
    /// Numbers (no exponent) that are multiples of <paramref name="m"/>, when that is a regular condition on the digits
    /// this builds: m = a·10^-j with a = 2^p·5^q and at most four trailing digits involved. Null otherwise.
    /// </summary>
    public static RegexNode? MultipleOf(JsonDecimal m)
    {
        if (m.Sign <= 0) return null;
        var a = BigInteger.Abs(m.Mantissa);
        int j = -m.Exponent; // m = a · 10^-j (j may be negative: m = a·10^k)
        if (j < 0) { a *= BigInteger.Pow(10, -j); j = 0; }
        var rest = a;
        int p = 0, q = 0;
        while (rest % 2 == 0) { rest /= 2; p++; }
        while (rest % 5 == 0) { rest /= 5; q++; }
        if (!rest.IsOne) return null;
        int r = Math.Max(p, q); // divisibility by a depends on the last r digits of the scaled value
        if (r > 4 || j > 64) return null;
        // The scaled value's digits are the integer digits followed by the first j fraction digits; the fraction beyond j must be zero.
        var endings = new List<string>();
        var modulus = BigInteger.Pow(10, r);
        for (var v = BigInteger.Zero; v < modulus; v += a) endings.Add(r == 0 ? "" : v.ToString(CultureInfo.InvariantCulture).PadLeft(r, '0'));
        var sign = RegexNode.Optional(Minus);
        if (j == 0)
        {
            // Integers whose last r digits (zero-padded on the left) are an ending.
            var alts = new List<RegexNode>();
            for (var v = BigInteger.Zero; v < modulus; v += a) alts.Add(RegexNode.Literal(v.ToString(CultureInfo.InvariantCulture)));
            foreach (var e in endings) alts.Add(RegexNode.Sequence(D19, RegexNode.Star(D), RegexNode.Literal(e)));
            return RegexNode.Sequence(sign, RegexNode.Choice(alts), ZeroFraction);
        }
        // Fractions: digits beyond position j are zeros; the last r of the first j (zero-padded) form an ending.
        var zeros = RegexNode.Star(RegexNode.Literal("0"));
        var fracAlts = new List<RegexNode>();
        if (j > r) fracAlts.Add(RegexNode.Repeat(D, 1, j - r));
        foreach (var e in endings)
        {
            string trimmed = e.TrimEnd('0');
            if (trimmed.Length == 0) continue;
            fracAlts.Add(RegexNode.Sequence(RegexNode.Repeat(D, Math.Max(j - r, 0), Math.Max(j - r, 0)), RegexNode.Literal(trimmed)));
        }
        fracAlts.Add(RegexNode.Literal("0"));
        if (r > j) return null; // the condition would reach into the integer digits: not built
        var frac = RegexNode.Optional(RegexNode.Sequence(Dot, RegexNode.Choice(fracAlts), zeros));
        return RegexNode.Sequence(sign, NaturalCanonical, frac);
    }
}
