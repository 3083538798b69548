using System.Text.Json;

namespace Structured.Schemas;

/// <summary>One reason an instance fails a schema.</summary>
/// <param name="InstancePointer">Where in the instance, as a JSON pointer (empty for the whole instance).</param>
/// <param name="SchemaPointer">The keyword that failed, as a JSON pointer into the schema.</param>
/// <param name="Message">What is wrong.</param>
public sealed record ValidationError(string InstancePointer, string SchemaPointer, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{(InstancePointer.Length == 0 ? "(root)" : InstancePointer)}: {Message} ({SchemaPointer})";
}

/// <summary>The outcome of validating an instance.</summary>
public sealed class ValidationResult
{
    internal ValidationResult(IReadOnlyList<ValidationError> errors) => Errors = errors;

    /// <summary>True when the instance satisfies the schema.</summary>
    public bool IsValid => Errors.Count == 0;

    /// <summary>Why it does not (empty when valid).</summary>
    public IReadOnlyList<ValidationError> Errors { get; }
}

/// <summary>
/// A JSON Schema validator for drafts 4 to 2020-12, with every keyword: references (dynamic ones included),
/// applicators, <c>unevaluated*</c>, and <c>format</c> as an assertion for the formats in <see cref="Formats"/>.
/// It is the reference that compiled grammars are tested against.
/// </summary>
public sealed class SchemaValidator
{
    private readonly SchemaSet _set;

    /// <summary>Creates a validator for a loaded schema.</summary>
    public SchemaValidator(SchemaSet schema, bool assertFormats = true)
    {
        _set = schema;
        AssertFormats = assertFormats;
    }

    /// <summary>Reads a schema and creates its validator.</summary>
    public static SchemaValidator Parse(string schemaJson, bool assertFormats = true) => new(SchemaSet.Parse(schemaJson), assertFormats);

    /// <summary>Whether <c>format</c> is checked (draft 2020-12 makes it an annotation unless asked).</summary>
    public bool AssertFormats { get; }

    /// <summary>Validates an instance.</summary>
    public ValidationResult Validate(JsonElement instance)
    {
        var errors = new List<ValidationError>();
        Eval(_set.Root, instance, "", null, null, errors);
        return new ValidationResult(errors);
    }

    /// <summary>Validates JSON text; text that is not JSON is one error.</summary>
    public ValidationResult Validate(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Validate(doc.RootElement);
        }
        catch (JsonException e)
        {
            return new ValidationResult([new ValidationError("", "#", "not valid JSON: " + e.Message)]);
        }
    }

    /// <summary>True when the instance satisfies the schema (faster than <see cref="Validate(JsonElement)"/>: no messages).</summary>
    public bool IsValid(JsonElement instance) => Eval(_set.Root, instance, "", null, null, null);

    /// <summary>True when the instance satisfies the given subschema of the same set.</summary>
    internal bool IsValid(SchemaNode node, JsonElement instance) => Eval(node, instance, "", null, null, null);

    private sealed record Scope(string Resource, Scope? Outer);

    /// <summary>What in-place applicators evaluated, for <c>unevaluatedProperties</c> and <c>unevaluatedItems</c>.</summary>
    private sealed class Evaluated
    {
        public HashSet<string>? Properties;
        public int Prefix;
        public bool AllItems;
        public HashSet<int>? Items;

        public void Merge(Evaluated other)
        {
            if (other.Properties is not null) (Properties ??= new(StringComparer.Ordinal)).UnionWith(other.Properties);
            Prefix = Math.Max(Prefix, other.Prefix);
            AllItems |= other.AllItems;
            if (other.Items is not null) (Items ??= []).UnionWith(other.Items);
        }

        public void Property(string name) => (Properties ??= new(StringComparer.Ordinal)).Add(name);
    }

    private static void Fail(List<ValidationError>? errors, string ip, SchemaNode s, string keyword, string message) =>
        errors?.Add(new ValidationError(ip, s.PointerTo(keyword), message));

    private bool Eval(SchemaNode s, JsonElement x, string ip, Scope? scope, Evaluated? ev, List<ValidationError>? errors)
    {
        if (s.IsTrue) return true;
        if (s.IsFalse)
        {
            errors?.Add(new ValidationError(ip, s.Pointer, "no value is allowed here (the schema is false)"));
            return false;
        }
        string resource = SchemaSet.ResourceOf(s.BaseUri);
        if (scope is null || scope.Resource != resource) scope = new Scope(resource, scope);
        bool needAnnotations = s.Has("unevaluatedProperties") || s.Has("unevaluatedItems");
        var local = ev is not null || needAnnotations ? new Evaluated() : null;
        bool ok = true;

        if (s.RefOverridesSiblings)
            return Eval(_set.Resolve(s, s.Element.GetProperty("$ref").GetString() ?? ""), x, ip, scope, ev, errors);

        if (s.TryGet("$ref", out var r) && r.ValueKind == JsonValueKind.String)
            ok &= Eval(_set.Resolve(s, r.GetString()!), x, ip, scope, local, errors);
        if (s.Draft >= SchemaDraft.Draft202012 && s.TryGet("$dynamicRef", out var dr) && dr.ValueKind == JsonValueKind.String)
            ok &= Eval(ResolveDynamic(s, dr.GetString()!, scope), x, ip, scope, local, errors);
        if (s.Draft == SchemaDraft.Draft201909 && s.TryGet("$recursiveRef", out var rr) && rr.ValueKind == JsonValueKind.String)
            ok &= Eval(ResolveRecursive(s, rr.GetString()!, scope), x, ip, scope, local, errors);

        ok &= Assertions(s, x, ip, errors);
        if (x.ValueKind == JsonValueKind.Object) ok &= Objects(s, x, ip, scope, local, errors);
        if (x.ValueKind == JsonValueKind.Array) ok &= Arrays(s, x, ip, scope, local, errors);
        ok &= Applicators(s, x, ip, scope, local, errors);

        if (ok && x.ValueKind == JsonValueKind.Object && s.Child("unevaluatedProperties") is { } up)
        {
            foreach (var p in x.EnumerateObject())
            {
                if (local!.Properties?.Contains(p.Name) == true) continue;
                if (!Eval(up, p.Value, ip + "/" + SchemaNode.Escape(p.Name), scope, null, errors))
                {
                    Fail(errors, ip, s, "unevaluatedProperties", $"property '{p.Name}' is not allowed (unevaluatedProperties)");
                    ok = false;
                }
                local.Property(p.Name);
            }
        }
        if (ok && x.ValueKind == JsonValueKind.Array && s.Child("unevaluatedItems") is { } ui)
        {
            int i = 0;
            foreach (var item in x.EnumerateArray())
            {
                if (!local!.AllItems && i >= local.Prefix && local.Items?.Contains(i) != true
                    && !Eval(ui, item, ip + "/" + i, scope, null, errors))
                {
                    Fail(errors, ip, s, "unevaluatedItems", $"item {i} is not allowed (unevaluatedItems)");
                    ok = false;
                }
                i++;
            }
            local!.AllItems = true;
        }
        if (ok && ev is not null && local is not null) ev.Merge(local);
        return ok;
    }

    private SchemaNode ResolveDynamic(SchemaNode s, string reference, Scope scope)
    {
        var target = _set.Resolve(s, reference, "$dynamicRef");
        int hash = reference.IndexOf('#', StringComparison.Ordinal);
        string name = hash >= 0 ? reference[(hash + 1)..] : "";
        if (name.Length == 0 || name.StartsWith('/') || !(target.TryGet("$dynamicAnchor", out var a) && a.GetString() == name)) return target;
        foreach (var resource in OutermostFirst(scope))
            if (_set.DynamicAnchor(resource, name) is { } outer) return outer;
        return target;
    }

    private SchemaNode ResolveRecursive(SchemaNode s, string reference, Scope scope)
    {
        var target = _set.Resolve(s, reference, "$recursiveRef");
        if (!(target.TryGet("$recursiveAnchor", out var a) && a.ValueKind == JsonValueKind.True)) return target;
        foreach (var resource in OutermostFirst(scope))
        {
            var root = _set.ResourceRoot(resource);
            if (root is not null && root.TryGet("$recursiveAnchor", out var ra) && ra.ValueKind == JsonValueKind.True) return root;
        }
        return target;
    }

    // The resources of the dynamic scope, from the one evaluation started in to the current one.
    private static List<string> OutermostFirst(Scope scope)
    {
        var resources = new List<string>();
        for (var sc = scope; sc is not null; sc = sc.Outer) resources.Add(sc.Resource);
        resources.Reverse();
        return resources;
    }

    private bool Assertions(SchemaNode s, JsonElement x, string ip, List<ValidationError>? errors)
    {
        bool ok = true;
        if (s.TryGet("type", out var type))
        {
            bool Has(string t) => JsonValues.HasType(x, t)
                && !(t == "integer" && s.Draft == SchemaDraft.Draft4 && x.GetRawText().IndexOfAny(['.', 'e', 'E']) >= 0);
            bool match = type.ValueKind == JsonValueKind.String ? Has(type.GetString()!)
                : type.ValueKind == JsonValueKind.Array && type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && Has(t.GetString()!));
            if (!match) { Fail(errors, ip, s, "type", $"expected type {type.GetRawText()}"); ok = false; }
        }
        if (s.TryGet("enum", out var en) && en.ValueKind == JsonValueKind.Array && !en.EnumerateArray().Any(v => JsonValues.Equal(v, x)))
        {
            Fail(errors, ip, s, "enum", "not one of the enumerated values");
            ok = false;
        }
        if (s.Draft >= SchemaDraft.Draft6 && s.TryGet("const", out var c) && !JsonValues.Equal(c, x))
        {
            Fail(errors, ip, s, "const", $"expected {c.GetRawText()}");
            ok = false;
        }
        ok &= CompilerKeywords(s, x, ip, errors);
        if (x.ValueKind == JsonValueKind.Number) ok &= Numbers(s, JsonValues.Number(x), ip, errors);
        if (x.ValueKind == JsonValueKind.String) ok &= Strings(s, x.GetString()!, ip, errors);
        return ok;
    }

    // Negations that the schema compiler writes into the schemas it makes (never in user schemas' meaning).
    private static bool CompilerKeywords(SchemaNode s, JsonElement x, string ip, List<ValidationError>? errors)
    {
        if (s.Document == 0) return true;
        bool ok = true;
        if (s.TryGet("x-not-enum", out var ne) && ne.EnumerateArray().Any(v => JsonValues.Equal(v, x))) { Fail(errors, ip, s, "x-not-enum", "an excluded value"); ok = false; }
        if (x.ValueKind == JsonValueKind.String && s.TryGet("x-not-pattern", out var np) && MatchesPattern(np.GetString()!, x.GetString()!)) { Fail(errors, ip, s, "x-not-pattern", "matches an excluded pattern"); ok = false; }
        if (x.ValueKind == JsonValueKind.String && s.TryGet("x-not-format", out var nf) && PatternMatcher.IsFormat(nf.GetString()!, x.GetString()!)) { Fail(errors, ip, s, "x-not-format", "has an excluded format"); ok = false; }
        if (x.ValueKind == JsonValueKind.Number && s.TryGet("x-not-integer", out _) && JsonValues.Number(x).IsInteger) { Fail(errors, ip, s, "x-not-integer", "an integer"); ok = false; }
        return ok;
    }

    private static bool Numbers(SchemaNode s, JsonDecimal v, string ip, List<ValidationError>? errors)
    {
        bool ok = true;
        bool Check(string keyword, Func<JsonDecimal, bool> pass, string message)
        {
            if (!s.TryGet(keyword, out var b) || b.ValueKind != JsonValueKind.Number || pass(JsonValues.Number(b))) return true;
            Fail(errors, ip, s, keyword, message + " " + b.GetRawText());
            return false;
        }
        bool draft4 = s.Draft == SchemaDraft.Draft4;
        bool exMin = draft4 && s.TryGet("exclusiveMinimum", out var em) && em.ValueKind == JsonValueKind.True;
        bool exMax = draft4 && s.TryGet("exclusiveMaximum", out var eM) && eM.ValueKind == JsonValueKind.True;
        ok &= Check("minimum", b => exMin ? v > b : v >= b, exMin ? "must be greater than" : "must be at least");
        ok &= Check("maximum", b => exMax ? v < b : v <= b, exMax ? "must be less than" : "must be at most");
        if (!draft4)
        {
            ok &= Check("exclusiveMinimum", b => v > b, "must be greater than");
            ok &= Check("exclusiveMaximum", b => v < b, "must be less than");
        }
        ok &= Check("multipleOf", b => b.Sign <= 0 || v.IsMultipleOf(b), "must be a multiple of");
        return ok;
    }

    private bool Strings(SchemaNode s, string v, string ip, List<ValidationError>? errors)
    {
        bool ok = true;
        int length = -1;
        int Length() => length >= 0 ? length : length = JsonValues.CodePointLength(v);
        if (s.TryGet("minLength", out var min) && min.ValueKind == JsonValueKind.Number && Length() < min.GetDouble())
        {
            Fail(errors, ip, s, "minLength", $"shorter than {min.GetRawText()} characters");
            ok = false;
        }
        if (s.TryGet("maxLength", out var max) && max.ValueKind == JsonValueKind.Number && Length() > max.GetDouble())
        {
            Fail(errors, ip, s, "maxLength", $"longer than {max.GetRawText()} characters");
            ok = false;
        }
        if (s.TryGet("pattern", out var p) && p.ValueKind == JsonValueKind.String && !MatchesPattern(p.GetString()!, v))
        {
            Fail(errors, ip, s, "pattern", $"does not match the pattern {p.GetRawText()}");
            ok = false;
        }
        if (AssertFormats && s.TryGet("format", out var f) && f.ValueKind == JsonValueKind.String
            && Formats.Supported.Contains(f.GetString()!) && !PatternMatcher.IsFormat(f.GetString()!, v))
        {
            Fail(errors, ip, s, "format", $"not a valid {f.GetString()}");
            ok = false;
        }
        return ok;
    }

    internal static bool MatchesPattern(string pattern, string text)
    {
        try
        {
            return PatternMatcher.IsMatch(pattern, text);
        }
        catch (GrammarException)
        {
            // Constructs outside the regular fragment (lookaround, backreferences): .NET's engine decides.
            try
            {
                return System.Text.RegularExpressions.Regex.IsMatch(text, pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw new SchemaException("#", $"the pattern '{pattern}' is not a valid regex: {e.Message}");
            }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                throw new SchemaException("#", $"the pattern '{pattern}' took over a second to match");
            }
        }
    }

    private bool Objects(SchemaNode s, JsonElement x, string ip, Scope scope, Evaluated? ev, List<ValidationError>? errors)
    {
        bool ok = true;
        var members = JsonValues.Members(x);
        if (s.TryGet("required", out var req) && req.ValueKind == JsonValueKind.Array)
            foreach (var name in req.EnumerateArray())
                if (name.ValueKind == JsonValueKind.String && !members.ContainsKey(name.GetString()!))
                {
                    Fail(errors, ip, s, "required", $"missing required property '{name.GetString()}'");
                    ok = false;
                }
        if (s.TryGet("minProperties", out var minP) && minP.ValueKind == JsonValueKind.Number && members.Count < minP.GetDouble())
        {
            Fail(errors, ip, s, "minProperties", $"fewer than {minP.GetRawText()} properties");
            ok = false;
        }
        if (s.TryGet("maxProperties", out var maxP) && maxP.ValueKind == JsonValueKind.Number && members.Count > maxP.GetDouble())
        {
            Fail(errors, ip, s, "maxProperties", $"more than {maxP.GetRawText()} properties");
            ok = false;
        }
        var properties = s.ChildMap("properties");
        var patterns = s.ChildMap("patternProperties");
        var additional = s.Child("additionalProperties");
        foreach (var (name, value) in members)
        {
            string at = ip + "/" + SchemaNode.Escape(name);
            bool matched = false;
            foreach (var (pn, ps) in properties)
            {
                if (pn != name) continue;
                matched = true;
                ok &= Eval(ps, value, at, scope, null, errors);
            }
            foreach (var (pattern, ps) in patterns)
            {
                if (!MatchesPattern(pattern, name)) continue;
                matched = true;
                ok &= Eval(ps, value, at, scope, null, errors);
            }
            if (!matched && additional is not null)
            {
                if (!Eval(additional, value, at, scope, null, errors))
                {
                    Fail(errors, ip, s, "additionalProperties", $"property '{name}' is not allowed");
                    ok = false;
                }
                matched = true;
            }
            if (matched) ev?.Property(name);
            if (s.Child("propertyNames") is { } pnames)
            {
                if (!Eval(pnames, JsonSerializer.SerializeToElement(name), at, scope, null, null))
                {
                    Fail(errors, ip, s, "propertyNames", $"property name '{name}' is not allowed");
                    ok = false;
                }
            }
        }
        if (s.TryGet("dependentRequired", out var depReq) && depReq.ValueKind == JsonValueKind.Object)
            ok &= DependentRequired(s, "dependentRequired", depReq, members, ip, errors);
        foreach (var (name, dep) in s.ChildMap("dependentSchemas"))
            if (members.ContainsKey(name)) ok &= Eval(dep, x, ip, scope, ev, errors);
        if (s.TryGet("dependencies", out var deps) && deps.ValueKind == JsonValueKind.Object)
        {
            ok &= DependentRequired(s, "dependencies", deps, members, ip, errors);
            foreach (var (name, dep) in s.ChildMap("dependencies"))
                if (members.ContainsKey(name)) ok &= Eval(dep, x, ip, scope, ev, errors);
        }
        return ok;
    }

    private static bool DependentRequired(SchemaNode s, string keyword, JsonElement map, Dictionary<string, JsonElement> members, string ip, List<ValidationError>? errors)
    {
        bool ok = true;
        foreach (var dep in map.EnumerateObject())
        {
            if (dep.Value.ValueKind != JsonValueKind.Array || !members.ContainsKey(dep.Name)) continue;
            foreach (var needed in dep.Value.EnumerateArray())
                if (needed.ValueKind == JsonValueKind.String && !members.ContainsKey(needed.GetString()!))
                {
                    Fail(errors, ip, s, keyword, $"property '{dep.Name}' requires property '{needed.GetString()}'");
                    ok = false;
                }
        }
        return ok;
    }

    private bool Arrays(SchemaNode s, JsonElement x, string ip, Scope scope, Evaluated? ev, List<ValidationError>? errors)
    {
        bool ok = true;
        int n = x.GetArrayLength();
        if (s.TryGet("minItems", out var minI) && minI.ValueKind == JsonValueKind.Number && n < minI.GetDouble())
        {
            Fail(errors, ip, s, "minItems", $"fewer than {minI.GetRawText()} items");
            ok = false;
        }
        if (s.TryGet("maxItems", out var maxI) && maxI.ValueKind == JsonValueKind.Number && n > maxI.GetDouble())
        {
            Fail(errors, ip, s, "maxItems", $"more than {maxI.GetRawText()} items");
            ok = false;
        }
        if (s.TryGet("uniqueItems", out var u) && u.ValueKind == JsonValueKind.True)
        {
            bool unique = true;
            for (int i = 0; i < n && unique; i++)
                for (int j = i + 1; j < n && unique; j++)
                    if (JsonValues.Equal(x[i], x[j]))
                    {
                        Fail(errors, ip, s, "uniqueItems", $"items {i} and {j} are equal");
                        unique = false;
                    }
            ok &= unique;
        }
        bool legacy = s.Draft <= SchemaDraft.Draft201909;
        var prefix = legacy ? (s.TryGet("items", out var it) && it.ValueKind == JsonValueKind.Array ? s.ChildArray("items") : []) : s.ChildArray("prefixItems");
        var rest = legacy ? (prefix.Count > 0 || (s.TryGet("items", out var it2) && it2.ValueKind == JsonValueKind.Array) ? s.Child("additionalItems") : s.Child("items")) : s.Child("items");
        string restKeyword = legacy && s.TryGet("items", out var it3) && it3.ValueKind == JsonValueKind.Array ? "additionalItems" : "items";
        for (int i = 0; i < n; i++)
        {
            if (i < prefix.Count) ok &= Eval(prefix[i], x[i], ip + "/" + i, scope, null, errors);
            else if (rest is not null && !Eval(rest, x[i], ip + "/" + i, scope, null, errors))
            {
                Fail(errors, ip, s, restKeyword, $"item {i} is not allowed");
                ok = false;
            }
        }
        if (ev is not null)
        {
            ev.Prefix = Math.Max(ev.Prefix, Math.Min(prefix.Count, n));
            if (rest is not null) ev.AllItems = true;
        }
        if (s.Child("contains") is { } contains)
        {
            var matched = new HashSet<int>();
            for (int i = 0; i < n; i++) if (Eval(contains, x[i], ip + "/" + i, scope, null, null)) matched.Add(i);
            double minC = s.Draft >= SchemaDraft.Draft201909 && s.TryGet("minContains", out var mc) && mc.ValueKind == JsonValueKind.Number ? mc.GetDouble() : 1;
            if (matched.Count < minC)
            {
                Fail(errors, ip, s, "contains", minC == 1 ? "no item matches 'contains'" : $"fewer than {minC} items match 'contains'");
                ok = false;
            }
            if (s.Draft >= SchemaDraft.Draft201909 && s.TryGet("maxContains", out var xc) && xc.ValueKind == JsonValueKind.Number && matched.Count > xc.GetDouble())
            {
                Fail(errors, ip, s, "maxContains", $"more than {xc.GetRawText()} items match 'contains'");
                ok = false;
            }
            if (ev is not null) (ev.Items ??= []).UnionWith(matched);
        }
        return ok;
    }

    private bool Applicators(SchemaNode s, JsonElement x, string ip, Scope scope, Evaluated? ev, List<ValidationError>? errors)
    {
        bool ok = true;
        foreach (var sub in s.ChildArray("allOf")) ok &= Eval(sub, x, ip, scope, ev, errors);
        if (s.Has("anyOf"))
        {
            bool any = false;
            foreach (var sub in s.ChildArray("anyOf"))
            {
                var e = ev is null ? null : new Evaluated();
                if (!Eval(sub, x, ip, scope, e, null)) continue;
                any = true;
                if (e is null) break; // without annotations to collect, the first match settles it
                ev!.Merge(e);
            }
            if (!any) { Fail(errors, ip, s, "anyOf", "matches none of the anyOf schemas"); ok = false; }
        }
        if (s.Has("oneOf"))
        {
            int count = 0;
            Evaluated? winner = null;
            foreach (var sub in s.ChildArray("oneOf"))
            {
                var e = new Evaluated();
                if (!Eval(sub, x, ip, scope, e, null)) continue;
                count++;
                winner = e;
            }
            if (count != 1) { Fail(errors, ip, s, "oneOf", count == 0 ? "matches none of the oneOf schemas" : $"matches {count} of the oneOf schemas, not exactly one"); ok = false; }
            else ev?.Merge(winner!);
        }
        if (s.Child("not") is { } not && Eval(not, x, ip, scope, null, null))
        {
            Fail(errors, ip, s, "not", "matches the schema under 'not'");
            ok = false;
        }
        if (s.Draft >= SchemaDraft.Draft7 && s.Child("if") is { } cond)
        {
            var e = ev is null ? null : new Evaluated();
            if (Eval(cond, x, ip, scope, e, null))
            {
                if (e is not null) ev!.Merge(e);
                if (s.Child("then") is { } then) ok &= Eval(then, x, ip, scope, ev, errors);
            }
            else if (s.Child("else") is { } otherwise) ok &= Eval(otherwise, x, ip, scope, ev, errors);
        }
        return ok;
    }
}
