using System.Globalization;
using System.Numerics;

namespace Structured.Schemas;

/// <summary>
/// An exact decimal number, <c>Mantissa × 10^Exponent</c>, read from JSON number text. Bounds, <c>multipleOf</c>
/// and equality are decided exactly, for any size, where doubles would round.
/// </summary>
internal readonly record struct JsonDecimal(BigInteger Mantissa, int Exponent) : IComparable<JsonDecimal>
{
    public static JsonDecimal Zero => new(BigInteger.Zero, 0);

    /// <summary>Parses JSON number syntax (also accepts a leading '+', and exponents); the result is normalised.</summary>
    public static bool TryParse(string text, out JsonDecimal value)
    {
        value = Zero;
        int e = text.IndexOfAny(['e', 'E']);
        int exponent = 0;
        string digits = e < 0 ? text : text[..e];
        if (e >= 0 && !int.TryParse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent)) return false;
        bool negative = digits.StartsWith('-');
        digits = digits.TrimStart('-', '+');
        int dot = digits.IndexOf('.');
        if (dot >= 0)
        {
            exponent -= digits.Length - dot - 1;
            digits = digits.Remove(dot, 1);
        }
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit)) return false;
        var m = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        value = Normalise(negative ? -m : m, exponent);
        return true;
    }

    public static JsonDecimal Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"'{text}' is not a number");

    public static JsonDecimal FromInteger(BigInteger n) => Normalise(n, 0);

    private static JsonDecimal Normalise(BigInteger m, int e)
    {
        if (m.IsZero) return Zero;
        while (m % 10 == 0) { m /= 10; e++; }
        return new JsonDecimal(m, e);
    }

    public bool IsInteger => Exponent >= 0;

    public int Sign => Mantissa.Sign;

    /// <summary>The value as an integer; only for <see cref="IsInteger"/> values (exponents are bounded by the caller).</summary>
    public BigInteger ToInteger() => Mantissa * BigInteger.Pow(10, Exponent);

    /// <summary>The largest integer not above the value.</summary>
    public BigInteger Floor()
    {
        if (IsInteger) return ToInteger();
        var div = BigInteger.Pow(10, -Exponent);
        var q = BigInteger.DivRem(Mantissa, div, out var r);
        return r.Sign < 0 ? q - 1 : q;
    }

    /// <summary>The smallest integer not below the value.</summary>
    public BigInteger Ceiling() => IsInteger ? ToInteger() : Floor() + 1;

    public int CompareTo(JsonDecimal other)
    {
        if (Sign != other.Sign) return Sign.CompareTo(other.Sign);
        int e = Math.Min(Exponent, other.Exponent);
        if (Math.Abs((long)Exponent - other.Exponent) > 100_000)
            return Exponent > other.Exponent ? Sign : -Sign; // magnitudes this far apart: the larger exponent wins
        var a = Mantissa * BigInteger.Pow(10, Exponent - e);
        var b = other.Mantissa * BigInteger.Pow(10, other.Exponent - e);
        return a.CompareTo(b);
    }

    /// <summary>True when this is an integer multiple of <paramref name="divisor"/> (which must not be zero).</summary>
    public bool IsMultipleOf(JsonDecimal divisor)
    {
        if (Mantissa.IsZero) return true;
        int e = Math.Min(Exponent, divisor.Exponent);
        if (Exponent - e > 10_000 || divisor.Exponent - e > 10_000) return false;
        var a = Mantissa * BigInteger.Pow(10, Exponent - e);
        var b = divisor.Mantissa * BigInteger.Pow(10, divisor.Exponent - e);
        return (a % b).IsZero;
    }

    public static bool operator <(JsonDecimal a, JsonDecimal b) => a.CompareTo(b) < 0;
    public static bool operator >(JsonDecimal a, JsonDecimal b) => a.CompareTo(b) > 0;
    public static bool operator <=(JsonDecimal a, JsonDecimal b) => a.CompareTo(b) <= 0;
    public static bool operator >=(JsonDecimal a, JsonDecimal b) => a.CompareTo(b) >= 0;

    /// <summary>Plain decimal digits: the integer part and the fraction digits of the absolute value (fraction has no trailing zeros).</summary>
    public (string Integer, string Fraction) Digits()
    {
        var abs = BigInteger.Abs(Mantissa).ToString(CultureInfo.InvariantCulture);
        if (Exponent >= 0) return (Mantissa.IsZero ? "0" : abs + new string('0', Exponent), "");
        int frac = -Exponent;
        if (abs.Length <= frac) return ("0", new string('0', frac - abs.Length) + abs);
        return (abs[..^frac], abs[^frac..]);
    }

    public override string ToString()
    {
        var (i, f) = Digits();
        return (Sign < 0 ? "-" : "") + i + (f.Length > 0 ? "." + f : "");
    }
}
