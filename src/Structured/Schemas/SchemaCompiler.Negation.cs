using System.Text.Json;

namespace Structured.Schemas;

internal sealed partial class SchemaCompiler
{
    // Keywords that only annotate: a schema made of them alone accepts everything.
    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "id", "$anchor", "$dynamicAnchor", "$recursiveAnchor", "$comment", "$defs", "definitions", "$vocabulary",
        "title", "description", "default", "examples", "readOnly", "writeOnly", "deprecated",
        "contentMediaType", "contentEncoding", "contentSchema",
    };

    /// <summary>
    /// The instances that do NOT satisfy <paramref name="node"/>, as a disjunction of conjunctions. Each assertion
    /// keyword is negated on its own (the node is their conjunction), keeping its type condition: not {minLength: 3}
    /// is a string shorter than 3. Keywords with no finite negation here are reported as unsupported.
    /// </summary>
    private List<Conj> Negate(SchemaNode node, SchemaNode at)
    {
        if (node.IsTrue) return False;
        if (node.IsFalse) return True;
        if (node.RefOverridesSiblings) return Negate(_set.Resolve(node, node.Element.GetProperty("$ref").GetString() ?? ""), at);
        if (!_negating.Add(node.Id)) throw new SchemaException(node.Pointer, "a 'not' refers back to itself");
        try
        {
            var parts = new List<List<Conj>>();
            bool draft4 = node.Draft == SchemaDraft.Draft4;
            foreach (var p in node.Element.EnumerateObject())
            {
                string kw = p.Name;
                var v = p.Value;
                if (Annotations.Contains(kw)) continue;
                switch (kw)
                {
                    case "$ref":
                        parts.Add(Negate(_set.Resolve(node, v.GetString() ?? ""), at));
                        break;
                    case "allOf":
                        foreach (var sub in node.ChildArray("allOf")) parts.Add(Negate(sub, at));
                        break;
                    case "anyOf":
                        {
                            var all = True;
                            foreach (var sub in node.ChildArray("anyOf")) all = Product(all, Negate(sub, at), at);
                            parts.Add(all);
                            break;
                        }
                    case "not":
                        if (node.Child("not") is { } inner) parts.Add(Expand(inner));
                        break;
                    case "type":
                        {
                            var allowed = TypesOfKeyword(v);
                            parts.Add(TypeConj(JsonTypes.All & ~allowed));
                            break;
                        }
                    case "enum":
                        parts.Add([new([Synthetic(new Dictionary<string, object> { ["x-not-enum"] = v })])]);
                        break;
                    case "const" when node.Draft >= SchemaDraft.Draft6:
                        parts.Add([new([Synthetic(new Dictionary<string, object> { ["x-not-enum"] = new[] { v } })])]);
                        break;
                    case "minLength": parts.Add(Bound("string", "maxLength", v, -1)); break;
                    case "maxLength": parts.Add(Bound("string", "minLength", v, +1)); break;
                    case "minItems": parts.Add(Bound("array", "maxItems", v, -1)); break;
                    case "maxItems": parts.Add(Bound("array", "minItems", v, +1)); break;
                    case "minProperties": parts.Add(Bound("object", "maxProperties", v, -1)); break;
                    case "maxProperties": parts.Add(Bound("object", "minProperties", v, +1)); break;
                    case "minimum":
                        parts.Add(Flip(draft4 && node.TryGet("exclusiveMinimum", out var exm) && exm.ValueKind == JsonValueKind.True ? "maximum" : "exclusiveMaximum", v));
                        break;
                    case "maximum":
                        parts.Add(Flip(draft4 && node.TryGet("exclusiveMaximum", out var exM) && exM.ValueKind == JsonValueKind.True ? "minimum" : "exclusiveMinimum", v));
                        break;
                    case "exclusiveMinimum" when v.ValueKind == JsonValueKind.Number: parts.Add(Flip("maximum", v)); break;
                    case "exclusiveMaximum" when v.ValueKind == JsonValueKind.Number: parts.Add(Flip("minimum", v)); break;
                    case "exclusiveMinimum" or "exclusiveMaximum": break; // draft 4 booleans, read with minimum/maximum
                    case "pattern":
                        parts.Add([new([Synthetic(new Dictionary<string, object> { ["type"] = "string", ["x-not-pattern"] = v })])]);
                        break;
                    case "format":
                        if (_options.AssertFormats && v.ValueKind == JsonValueKind.String && Formats.Supported.Contains(v.GetString()!))
                            parts.Add([new([Synthetic(new Dictionary<string, object> { ["type"] = "string", ["x-not-format"] = v })])]);
                        else if (_options.AssertFormats && v.ValueKind == JsonValueKind.String && Formats.DefinedButNotEnforced.Contains(v.GetString()!))
                            Unsupported(node, "format", $"'{v.GetString()}' is not enforced by this version");
                        break;
                    case "required":
                        foreach (var name in v.EnumerateArray())
                            if (name.ValueKind == JsonValueKind.String)
                                parts.Add([new([Synthetic(new { type = "object", properties = new Dictionary<string, bool> { [name.GetString()!] = false } })])]);
                        break;
                    case "properties":
                        foreach (var (name, sub) in node.ChildMap("properties"))
                            parts.Add([new([Synthetic(new Dictionary<string, object>
                            {
                                ["type"] = "object",
                                ["required"] = new[] { name },
                                ["properties"] = new Dictionary<string, object> { [name] = new Dictionary<string, object> { ["not"] = new Dictionary<string, string> { ["$ref"] = _set.AbsoluteUri(sub) } } },
                            })])]);
                        break;
                    default:
                        if (kw.StartsWith("x-", StringComparison.Ordinal)) break; // extensions annotate
                        if (!_options.Lenient)
                            throw new SchemaException(node.PointerTo(kw), $"'{kw}' under 'not' (or an 'if' without a finite negation) cannot be enforced exactly; compile with the lenient option to drop it");
                        if (_warned.Add(node.PointerTo(kw))) _warnings.Add($"{node.PointerTo(kw)}: dropped negated '{kw}'");
                        break;
                }
            }
            return Union(parts, at);
        }
        finally
        {
            _negating.Remove(node.Id);
        }
    }

    private readonly HashSet<int> _negating = [];

    private List<Conj> TypeConj(JsonTypes types)
    {
        if (types == 0) return False;
        var names = new List<string>();
        if ((types & JsonTypes.Null) != 0) names.Add("null");
        if ((types & JsonTypes.Boolean) != 0) names.Add("boolean");
        if ((types & JsonTypes.Object) != 0) names.Add("object");
        if ((types & JsonTypes.Array) != 0) names.Add("array");
        if ((types & JsonTypes.String) != 0) names.Add("string");
        if ((types & JsonTypes.Number) == JsonTypes.Number) names.Add("number");
        else if ((types & JsonTypes.Integer) != 0) names.Add("integer");
        else if ((types & JsonTypes.Fraction) != 0) return [new([Synthetic(new Dictionary<string, object> { ["type"] = names.Append("number").ToArray(), ["x-not-integer"] = true })])];
        return [new([Synthetic(new { type = names.ToArray() })])];
    }

    private List<Conj> Bound(string type, string keyword, JsonElement v, int delta)
    {
        if (v.ValueKind != JsonValueKind.Number) return False;
        double n = Math.Floor(v.GetDouble()) + delta;
        if (n < 0) return False;
        return [new([Synthetic(new Dictionary<string, object> { ["type"] = type, [keyword] = n })])];
    }

    private List<Conj> Flip(string keyword, JsonElement v) =>
        v.ValueKind != JsonValueKind.Number ? False : [new([Synthetic(new Dictionary<string, object> { ["type"] = "number", [keyword] = v })])];
}
