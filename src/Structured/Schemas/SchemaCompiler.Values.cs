using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Structured.Grammars;
using Structured.Regex;

namespace Structured.Schemas;

internal sealed partial class SchemaCompiler
{
    private static readonly CodePointSet AnyChar = CodePointSet.All.Except(CodePointSet.Range(0xD800, 0xDFFF));

    internal static JsonTypes TypesOf(SchemaNode[] nodes)
    {
        var types = JsonTypes.All;
        foreach (var n in nodes)
        {
            if (n.TryGet("type", out var t)) types &= TypesOfKeyword(t);
            if (n.TryGet("x-not-integer", out _)) types &= ~JsonTypes.Integer;
        }
        return types;
    }

    private static JsonTypes TypesOfKeyword(JsonElement t)
    {
        static JsonTypes One(string name) => name switch
        {
            "null" => JsonTypes.Null,
            "boolean" => JsonTypes.Boolean,
            "object" => JsonTypes.Object,
            "array" => JsonTypes.Array,
            "string" => JsonTypes.String,
            "number" => JsonTypes.Number,
            "integer" => JsonTypes.Integer,
            _ => 0,
        };
        if (t.ValueKind == JsonValueKind.String) return One(t.GetString()!);
        var r = (JsonTypes)0;
        if (t.ValueKind == JsonValueKind.Array)
            foreach (var x in t.EnumerateArray()) if (x.ValueKind == JsonValueKind.String) r |= One(x.GetString()!);
        return r;
    }

    private static JsonTypes KindOf(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null => JsonTypes.Null,
        JsonValueKind.True or JsonValueKind.False => JsonTypes.Boolean,
        JsonValueKind.Object => JsonTypes.Object,
        JsonValueKind.Array => JsonTypes.Array,
        JsonValueKind.String => JsonTypes.String,
        _ => JsonValues.Number(v).IsInteger ? JsonTypes.Integer : JsonTypes.Fraction,
    };

    private GrammarExpr BuildValue(Conj conj, int depth)
    {
        var nodes = conj.Nodes;
        var types = TypesOf(nodes);
        var constants = ConstantsOf(nodes);
        if (constants is not null)
        {
            var survivors = constants.Where(v => (KindOf(v) & types) != 0 && nodes.All(n => _validator.IsValid(n, v))).ToList();
            return survivors.Count == 0 ? Impossible : new ChoiceExpr(survivors.Select(v => ConstExpr(v, depth)).ToList());
        }
        var excluded = ExcludedValues(nodes);
        var alts = new List<GrammarExpr>();
        if ((types & JsonTypes.Null) != 0 && !excluded.Any(e => e.ValueKind == JsonValueKind.Null))
            alts.Add(_layout.Value(RegexNode.Literal("null"), "null"));
        if ((types & JsonTypes.Boolean) != 0)
            foreach (var b in new[] { "true", "false" })
                if (!excluded.Any(e => e.ValueKind.ToString().Equals(b, StringComparison.OrdinalIgnoreCase)))
                    alts.Add(_layout.Value(RegexNode.Literal(b), b));
        if ((types & JsonTypes.String) != 0) alts.Add(StringExpr(nodes, excluded));
        if ((types & JsonTypes.Number) != 0) alts.Add(NumberExpr(nodes, types, excluded));
        if ((types & JsonTypes.Object) != 0)
        {
            if (excluded.Any(e => e.ValueKind == JsonValueKind.Object)) Unsupported(nodes.First(n => n.Has("x-not-enum")), "not", "excludes an object value");
            alts.Add(ObjectExpr(nodes, depth));
        }
        if ((types & JsonTypes.Array) != 0)
        {
            if (excluded.Any(e => e.ValueKind == JsonValueKind.Array)) Unsupported(nodes.First(n => n.Has("x-not-enum")), "not", "excludes an array value");
            alts.Add(ArrayExpr(nodes, depth));
        }
        return alts.Count switch { 0 => Impossible, 1 => alts[0], _ => new ChoiceExpr(alts) };
    }

    /// <summary>Exactly one JSON value (objects in the member order given).</summary>
    private GrammarExpr ConstExpr(JsonElement v, int depth)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Null: return _layout.Value(RegexNode.Literal("null"), "null");
            case JsonValueKind.True: return _layout.Value(RegexNode.Literal("true"), "true");
            case JsonValueKind.False: return _layout.Value(RegexNode.Literal("false"), "false");
            case JsonValueKind.Number: return _layout.Value(NumberLiteral(JsonValues.Number(v)), v.GetRawText());
            case JsonValueKind.String: return _layout.Value(JsonStringEncoding.Literal(RegexNode.Literal(v.GetString()!)), v.GetRawText());
            case JsonValueKind.Array:
                {
                    if (v.GetArrayLength() == 0) return _layout.Empty('[', ']');
                    var items = new List<GrammarExpr> { _layout.Open('[', depth) };
                    int i = 0;
                    foreach (var item in v.EnumerateArray())
                    {
                        if (i++ > 0) items.Add(_layout.Comma(depth));
                        items.Add(ConstExpr(item, depth + 1));
                    }
                    items.Add(_layout.Close(']', depth));
                    return new SeqExpr(items);
                }
            default:
                {
                    var members = v.EnumerateObject().ToList();
                    if (members.Count == 0) return _layout.Empty('{', '}');
                    var items = new List<GrammarExpr> { _layout.Open('{', depth) };
                    for (int i = 0; i < members.Count; i++)
                    {
                        if (i > 0) items.Add(_layout.Comma(depth));
                        items.Add(_layout.Key(RegexNode.Literal(members[i].Name), JsonSerializer.Serialize(members[i].Name)));
                        items.Add(ConstExpr(members[i].Value, depth + 1));
                    }
                    items.Add(_layout.Close('}', depth));
                    return new SeqExpr(items);
                }
        }
    }

    /// <summary>The spellings of one number without exponent: trailing fraction zeros are free, and -0 equals 0.</summary>
    private static RegexNode NumberLiteral(JsonDecimal v)
    {
        var (i, f) = v.Digits();
        var zeros = RegexNode.Star(RegexNode.Literal("0"));
        var fraction = f.Length == 0
            ? RegexNode.Optional(RegexNode.Sequence(RegexNode.Literal("."), RegexNode.Repeat(RegexNode.Literal("0"), 1, null)))
            : RegexNode.Sequence(RegexNode.Literal("." + f), zeros);
        var sign = v.Sign < 0 ? RegexNode.Literal("-") : v.Sign == 0 ? RegexNode.Optional(RegexNode.Literal("-")) : RegexNode.Epsilon;
        return RegexNode.Sequence(sign, RegexNode.Literal(i), fraction);
    }

    // ───────────────────────────── strings ─────────────────────────────

    private GrammarExpr StringExpr(SchemaNode[] nodes, List<JsonElement> excluded)
    {
        var decoded = DecodedString(nodes, excluded, out bool unconstrained);
        var literal = unconstrained
            ? RegexNode.Sequence(RegexNode.Literal("\""), JsonStringEncoding.AnyContent, RegexNode.Literal("\""))
            : JsonStringEncoding.Literal(decoded);
        return _layout.Value(literal, "string");
    }

    /// <summary>The decoded values a string must have under the nodes' string keywords; <paramref name="unconstrained"/> when any string will do.</summary>
    private RegexNode DecodedString(SchemaNode[] nodes, List<JsonElement> excluded, out bool unconstrained)
    {
        long min = 0;
        long? max = null;
        var parts = new List<RegexNode>();
        foreach (var n in nodes)
        {
            if (n.TryGet("minLength", out var a) && a.ValueKind == JsonValueKind.Number) min = Math.Max(min, (long)Math.Ceiling(a.GetDouble()));
            if (n.TryGet("maxLength", out var b) && b.ValueKind == JsonValueKind.Number) max = Math.Min(max ?? long.MaxValue, (long)Math.Floor(b.GetDouble()));
            if (n.TryGet("pattern", out var p) && p.ValueKind == JsonValueKind.String && Pattern(n, "pattern", p.GetString()!) is { } pr) parts.Add(pr);
            if (n.TryGet("x-not-pattern", out var np) && Pattern(n, "x-not-pattern", np.GetString()!) is { } npr) parts.Add(RegexNode.Complement(npr));
            if (_options.AssertFormats && n.TryGet("format", out var f) && f.ValueKind == JsonValueKind.String)
            {
                if (Formats.Regex(f.GetString()!) is { } fr) parts.Add(fr);
                else if (Formats.DefinedButNotEnforced.Contains(f.GetString()!)) Unsupported(n, "format", $"'{f.GetString()}' is not enforced by this version");
            }
            if (n.TryGet("x-not-format", out var nf) && Formats.Regex(nf.GetString()!) is { } nfr) parts.Add(RegexNode.Complement(nfr));
        }
        var strings = excluded.Where(e => e.ValueKind == JsonValueKind.String).Select(e => RegexNode.Literal(e.GetString()!)).ToList();
        if (strings.Count > 0) parts.Add(RegexNode.Complement(RegexNode.Choice(strings)));
        unconstrained = parts.Count == 0 && min == 0 && max is null;
        if (max is long mx && mx < min) return RegexNode.Nothing;
        if (min > 0 || max is not null)
            parts.Add(RegexNode.Repeat(RegexNode.Class(AnyChar), (int)Math.Min(min, int.MaxValue), max is long m ? (int)Math.Min(m, int.MaxValue) : null));
        return parts.Count switch { 0 => RegexNode.Star(RegexNode.Class(AnyChar)), 1 => parts[0], _ => RegexNode.Intersection(parts) };
    }

    private RegexNode? Pattern(SchemaNode n, string keyword, string pattern)
    {
        try
        {
            return PatternMatcher.Parse(pattern);
        }
        catch (RegexParseException e)
        {
            Unsupported(n, keyword, $"cannot be compiled: {e.RegexReason} at offset {e.Position}");
            return null;
        }
    }

    // ───────────────────────────── numbers ─────────────────────────────

    private GrammarExpr NumberExpr(SchemaNode[] nodes, JsonTypes types, List<JsonElement> excluded)
    {
        JsonDecimal? lo = null, hi = null;
        bool loEx = false, hiEx = false;
        var parts = new List<RegexNode>();
        void Lower(JsonDecimal v, bool ex) { if (lo is not { } l || v > l || v == l && ex) { lo = v; loEx = ex; } }
        void Upper(JsonDecimal v, bool ex) { if (hi is not { } h || v < h || v == h && ex) { hi = v; hiEx = ex; } }
        foreach (var n in nodes)
        {
            bool draft4 = n.Draft == SchemaDraft.Draft4;
            if (n.TryGet("minimum", out var a) && a.ValueKind == JsonValueKind.Number)
                Lower(Bound(n, "minimum", a), draft4 && n.TryGet("exclusiveMinimum", out var e1) && e1.ValueKind == JsonValueKind.True);
            if (n.TryGet("maximum", out var b) && b.ValueKind == JsonValueKind.Number)
                Upper(Bound(n, "maximum", b), draft4 && n.TryGet("exclusiveMaximum", out var e2) && e2.ValueKind == JsonValueKind.True);
            if (n.TryGet("exclusiveMinimum", out var c) && c.ValueKind == JsonValueKind.Number) Lower(Bound(n, "exclusiveMinimum", c), true);
            if (n.TryGet("exclusiveMaximum", out var d) && d.ValueKind == JsonValueKind.Number) Upper(Bound(n, "exclusiveMaximum", d), true);
        }
        bool integersOnly = (types & JsonTypes.Fraction) == 0;
        // Draft 4 integers have no fraction part at all: 1.0 is a number, not an integer.
        bool canonical = _options.CanonicalIntegers || nodes.Any(n => n.Draft == SchemaDraft.Draft4 && n.Has("type"));
        if (integersOnly)
        {
            BigInteger? l = lo is { } lv ? (loEx && lv.IsInteger ? lv.ToInteger() + 1 : lv.Ceiling()) : null;
            BigInteger? h = hi is { } hv ? (hiEx && hv.IsInteger ? hv.ToInteger() - 1 : hv.Floor()) : null;
            parts.Add(canonical ? NumberRegex.IntegerDigits(l, h) : NumberRegex.Integer(l, h));
        }
        else
        {
            // Excluding values (integers, listed numbers) is decided on the digits, so exponent forms, whose value
            // the digits do not show, are left out there: 1e2 is the integer 100.
            bool excludes = (types & JsonTypes.Integer) == 0 || excluded.Any(e => e.ValueKind == JsonValueKind.Number);
            parts.Add(lo is null && hi is null && !excludes ? NumberRegex.AnyNumber : NumberRegex.Decimal(lo, loEx, hi, hiEx));
            if ((types & JsonTypes.Integer) == 0) parts.Add(RegexNode.Complement(NumberRegex.Integer(null, null)));
        }
        foreach (var n in nodes)
        {
            if (!n.TryGet("multipleOf", out var m) || m.ValueKind != JsonValueKind.Number) continue;
            var divisor = JsonValues.Number(m);
            if (divisor.Sign <= 0) continue;
            if (integersOnly && JsonDecimal.FromInteger(1).IsMultipleOf(divisor)) continue; // every integer is a multiple
            if (NumberRegex.MultipleOf(divisor) is { } mr) parts.Add(mr);
            else Unsupported(n, "multipleOf", $"{m.GetRawText()} is not a divisor whose multiples this compiler can spell out (a power of ten times 2^p·5^q, p,q ≤ 4)");
        }
        foreach (var n in nodes)
            if (n.TryGet("x-finite", out var fin) && fin.ValueKind == JsonValueKind.String)
                parts.Add(NumberRegex.Finite(fin.GetString() switch { "single" => 38, "half" => 4, _ => 308 }));
        var numbers = excluded.Where(e => e.ValueKind == JsonValueKind.Number).Select(e => NumberLiteral(JsonValues.Number(e))).ToList();
        if (numbers.Count > 0) parts.Add(RegexNode.Complement(RegexNode.Choice(numbers)));
        var regex = parts.Count == 1 ? parts[0] : RegexNode.Intersection(parts);
        return _layout.Value(regex, integersOnly ? "integer" : "number");
    }

    private JsonDecimal Bound(SchemaNode n, string keyword, JsonElement v)
    {
        var d = JsonValues.Number(v);
        if (Math.Abs(d.Exponent) > 400 || d.Mantissa.ToString(CultureInfo.InvariantCulture).Length > 400)
            throw new SchemaException(n.PointerTo(keyword), $"the bound {v.GetRawText()} has more than 400 digits");
        return d;
    }
}
