using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Structured.Regex;

/// <summary>Code point sets for Unicode general categories (<c>\p{L}</c>, <c>\p{Nd}</c>…), built once from .NET's tables.</summary>
internal static class UnicodeCategories
{
    private static readonly ConcurrentDictionary<string, CodePointSet?> Cache = new();
    private static readonly Lazy<UnicodeCategory[]> Table = new(() =>
    {
        var t = new UnicodeCategory[CodePointSet.MaxCodePoint + 1];
        for (int cp = 0; cp <= CodePointSet.MaxCodePoint; cp++)
            t[cp] = cp is >= 0xD800 and <= 0xDFFF ? UnicodeCategory.Surrogate : Rune.GetUnicodeCategory(new Rune(cp));
        return t;
    });

    private static readonly Dictionary<string, UnicodeCategory[]> Names = new(StringComparer.Ordinal)
    {
        ["Lu"] = [UnicodeCategory.UppercaseLetter], ["Ll"] = [UnicodeCategory.LowercaseLetter], ["Lt"] = [UnicodeCategory.TitlecaseLetter],
        ["Lm"] = [UnicodeCategory.ModifierLetter], ["Lo"] = [UnicodeCategory.OtherLetter],
        ["Mn"] = [UnicodeCategory.NonSpacingMark], ["Mc"] = [UnicodeCategory.SpacingCombiningMark], ["Me"] = [UnicodeCategory.EnclosingMark],
        ["Nd"] = [UnicodeCategory.DecimalDigitNumber], ["Nl"] = [UnicodeCategory.LetterNumber], ["No"] = [UnicodeCategory.OtherNumber],
        ["Pc"] = [UnicodeCategory.ConnectorPunctuation], ["Pd"] = [UnicodeCategory.DashPunctuation], ["Ps"] = [UnicodeCategory.OpenPunctuation],
        ["Pe"] = [UnicodeCategory.ClosePunctuation], ["Pi"] = [UnicodeCategory.InitialQuotePunctuation], ["Pf"] = [UnicodeCategory.FinalQuotePunctuation],
        ["Po"] = [UnicodeCategory.OtherPunctuation],
        ["Sm"] = [UnicodeCategory.MathSymbol], ["Sc"] = [UnicodeCategory.CurrencySymbol], ["Sk"] = [UnicodeCategory.ModifierSymbol], ["So"] = [UnicodeCategory.OtherSymbol],
        ["Zs"] = [UnicodeCategory.SpaceSeparator], ["Zl"] = [UnicodeCategory.LineSeparator], ["Zp"] = [UnicodeCategory.ParagraphSeparator],
        ["Cc"] = [UnicodeCategory.Control], ["Cf"] = [UnicodeCategory.Format], ["Cs"] = [UnicodeCategory.Surrogate],
        ["Co"] = [UnicodeCategory.PrivateUse], ["Cn"] = [UnicodeCategory.OtherNotAssigned],
    };

    private static readonly Dictionary<string, string> LongNames = new(StringComparer.Ordinal)
    {
        ["Letter"] = "L", ["Uppercase_Letter"] = "Lu", ["Lowercase_Letter"] = "Ll", ["Mark"] = "M", ["Number"] = "N",
        ["Decimal_Number"] = "Nd", ["Punctuation"] = "P", ["Symbol"] = "S", ["Separator"] = "Z", ["Other"] = "C",
    };

    public static CodePointSet? Get(string name)
    {
        if (name.StartsWith("gc=", StringComparison.Ordinal) || name.StartsWith("General_Category=", StringComparison.Ordinal))
            name = name[(name.IndexOf('=') + 1)..];
        if (LongNames.TryGetValue(name, out var shortName)) name = shortName;
        return Cache.GetOrAdd(name, static n =>
        {
            UnicodeCategory[] cats;
            if (Names.TryGetValue(n, out var c)) cats = c;
            else if (n.Length == 1) cats = Names.Where(kv => kv.Key[0] == n[0]).SelectMany(kv => kv.Value).ToArray();
            else return null;
            if (cats.Length == 0) return null;
            var table = Table.Value;
            var ranges = new List<(int, int)>();
            int startRun = -1;
            for (int cp = 0; cp <= CodePointSet.MaxCodePoint + 1; cp++)
            {
                bool inSet = cp <= CodePointSet.MaxCodePoint && Array.IndexOf(cats, table[cp]) >= 0;
                if (inSet && startRun < 0) startRun = cp;
                else if (!inSet && startRun >= 0) { ranges.Add((startRun, cp - 1)); startRun = -1; }
            }
            return CodePointSet.FromRanges(ranges);
        });
    }
}
