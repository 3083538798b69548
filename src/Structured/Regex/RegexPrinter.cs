using System.Globalization;
using System.Text;

namespace Structured.Regex;

/// <summary>Prints <see cref="RegexNode"/> trees back as regex text.</summary>
internal static class RegexPrinter
{
    public static string Print(RegexNode node)
    {
        var sb = new StringBuilder();
        Write(node, sb, 0);
        return sb.ToString();
    }

    // Precedence: 0 = alternation, 1 = sequence, 2 = atom.
    private static void Write(RegexNode node, StringBuilder sb, int context)
    {
        switch (node)
        {
            case NothingNode:
                sb.Append("[^\\x00-\\u{10FFFF}]");
                break;
            case LiteralNode lit:
                {
                    string text;
                    try { text = new UTF8Encoding(false, true).GetString(lit.Value.ToArray()); }
                    catch (DecoderFallbackException) { text = string.Concat(lit.Value.Select(b => $"\\x{b:X2}")); Paren(sb, context > 1 && lit.Value.Count > 1, () => sb.Append(text)); break; }
                    bool many = CountCodePoints(text) > 1;
                    Paren(sb, context > 1 && many, () =>
                    {
                        foreach (var rune in text.EnumerateRunes()) sb.Append(EscapeCodePoint(rune.Value, inClass: false));
                    });
                    break;
                }
            case ClassNode c:
                sb.Append(c.Set.Ranges.Count == 1 && c.Set.Ranges[0].Lo == 0 && c.Set.Ranges[0].Hi == CodePointSet.MaxCodePoint ? "[\\s\\S]" : c.Set.ToString());
                break;
            case ByteClassNode b:
                sb.Append("(?bytes:").Append(b.Set).Append(')');
                break;
            case SequenceNode s when s.Parts.Count == 0:
                sb.Append("(?:)");
                break;
            case SequenceNode s:
                Paren(sb, context > 1, () => { foreach (var p in s.Parts) Write(p, sb, 2); });
                break;
            case ChoiceNode ch:
                Paren(sb, context > 0, () =>
                {
                    for (int i = 0; i < ch.Alternatives.Count; i++)
                    {
                        if (i > 0) sb.Append('|');
                        Write(ch.Alternatives[i], sb, 1);
                    }
                });
                break;
            case RepeatNode r:
                Write(r.Item, sb, 3);
                sb.Append((r.Min, r.Max) switch
                {
                    (0, null) => "*",
                    (1, null) => "+",
                    (0, 1) => "?",
                    (var m, null) => $"{{{m},}}",
                    (var m, var n) when m == n => $"{{{m}}}",
                    (var m, var n) => $"{{{m},{n}}}",
                });
                break;
            case IntersectionNode and:
                // Not ECMA-262: printed for reading only, in the notation of derivative-based engines.
                Paren(sb, context > 0, () =>
                {
                    for (int i = 0; i < and.Parts.Count; i++)
                    {
                        if (i > 0) sb.Append('&');
                        Write(and.Parts[i], sb, 2);
                    }
                });
                break;
            case ComplementNode not:
                sb.Append('~');
                Write(not.Item, sb, 3);
                break;
            case JsonEncodedNode json:
                // Not ECMA-262 either: the decoded language, which the lexer reads through JSON escapes.
                sb.Append("(?json:");
                Write(json.Decoded, sb, 0);
                sb.Append(')');
                break;
            default:
                throw new InvalidOperationException(node.GetType().Name);
        }
    }

    private static int CountCodePoints(string s)
    {
        int n = 0;
        foreach (var _ in s.EnumerateRunes()) n++;
        return n;
    }

    private static void Paren(StringBuilder sb, bool needed, Action body)
    {
        if (needed) sb.Append("(?:");
        body();
        if (needed) sb.Append(')');
    }

    internal static string EscapeCodePoint(int cp, bool inClass)
    {
        const string special = "\\^$.|?*+()[]{}/";
        if (cp == '\n') return "\\n";
        if (cp == '\r') return "\\r";
        if (cp == '\t') return "\\t";
        if (cp < 0x20 || cp == 0x7F) return "\\x" + cp.ToString("X2", CultureInfo.InvariantCulture);
        if (cp is >= 0xD800 and <= 0xDFFF) return "\\u" + cp.ToString("X4", CultureInfo.InvariantCulture);
        if (cp > 0xFFFF) return "\\u{" + cp.ToString("X", CultureInfo.InvariantCulture) + "}";
        if (cp > 0x7E && cp < 0xA0) return "\\u" + cp.ToString("X4", CultureInfo.InvariantCulture);
        char c = (char)cp;
        if (inClass ? "\\]^-[".Contains(c) : special.Contains(c)) return "\\" + c;
        return c.ToString();
    }
}
