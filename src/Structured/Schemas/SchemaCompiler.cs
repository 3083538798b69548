using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Structured.Grammars;
using Structured.Regex;

namespace Structured.Schemas;

/// <summary>
/// Compiles a JSON Schema to the grammar IR. A value position is described by a disjunction of conjunctions of
/// subschemas (<see cref="Expand"/> distributes <c>$ref</c>, <c>allOf</c>, <c>anyOf</c>, <c>oneOf</c>, <c>not</c>,
/// conditionals and dependencies); each conjunction becomes one rule whose keywords are merged exactly: string
/// constraints intersect as regexes, numeric bounds as digit automata, and object members per property name.
/// </summary>
internal sealed partial class SchemaCompiler
{
    private readonly SchemaSet _set;
    private readonly JsonSchemaOptions _options;
    private readonly SchemaValidator _validator;
    private readonly JsonLayout _layout;
    private readonly List<GrammarRule> _rules = [];
    private readonly Dictionary<string, string> _ruleByKey = new(StringComparer.Ordinal);
    private int _ruleNames;
    private readonly Queue<(string Name, Conj Conj, int Depth)> _pending = new();
    private readonly Dictionary<int, List<Conj>> _expanded = [];
    private readonly HashSet<int> _expanding = [];
    private readonly List<string> _warnings = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    /// <summary>A conjunction of subschemas, sorted by id: the instance must satisfy all of them.</summary>
    internal sealed class Conj(SchemaNode[] nodes)
    {
        public SchemaNode[] Nodes { get; } = nodes;

        public string Key { get; } = string.Join(",", nodes.Select(n => n.Id));

        public static Conj Empty { get; } = new([]);

        public Conj With(IEnumerable<SchemaNode> more) =>
            new(Nodes.Concat(more).DistinctBy(n => n.Id).OrderBy(n => n.Id).ToArray());
    }

    private SchemaCompiler(SchemaSet set, JsonSchemaOptions options)
    {
        _set = set;
        _options = options;
        _validator = new SchemaValidator(set, options.AssertFormats);
        _layout = new JsonLayout(options);
        _scratchTerms.Deadline = DateTime.UtcNow + options.Timeout;
    }

    public static JsonSchemaGrammar Compile(SchemaSet set, JsonSchemaOptions options)
    {
        var c = new SchemaCompiler(set, options);
        try
        {
            var root = c.RuleFor(c.Expand(set.Root), depth: 0);
            c.Drain();
            var startBody = c._layout.TrailingWhitespace is { } ws
                ? new SeqExpr([Ref(root), new RepeatExpr(ws, 0, 1)])
                : (GrammarExpr)Ref(root);
            var rules = new List<GrammarRule> { new("start", startBody, default) };
            rules.AddRange(c._rules);
            return new JsonSchemaGrammar(new Grammar("start", rules, sourceName: "schema") { FuseRegularParts = false }, set, c._warnings);
        }
        finally
        {
            c.EmptyWorkingTables();
        }
    }

    /// <summary>
    /// Empties the tables that only the compile reads, storage included, as the compiler is dropped (after an error too).
    /// </summary>
    /// <remarks>
    /// A compile of a large schema runs through several young collections, which promote these tables to the old
    /// generation while they are still growing; their last entries and grown arrays stay young. Once the compiler is
    /// garbage, an old table still holds those young objects until the next full collection, so the next gen-1
    /// collection copies them (the rule list alone held 5.5 MB of rules and their regexes at one mask of
    /// <c>Github_hard/o9926</c>), and that collection falls inside a mask.
    /// </remarks>
    private void EmptyWorkingTables()
    {
        _rules.Clear();
        _rules.TrimExcess();
        _ruleByKey.Clear();
        _ruleByKey.TrimExcess();
        _pending.Clear();
        _pending.TrimExcess();
        _expanded.Clear();
        _expanded.TrimExcess();
        _expanding.Clear();
        _expanding.TrimExcess();
        _negating.Clear();
        _negating.TrimExcess();
        _inPlace.Clear();
        _inPlace.TrimExcess();
        _warned.Clear();
        _warned.TrimExcess();
    }

    private static RuleRef Ref(string name) => new(name, default);

    /// <summary>A rule name not used before in this grammar.</summary>
    private string NewRuleName(string prefix) => prefix + _ruleNames++;

    /// <summary>The values that compiler-made negations of <c>enum</c>/<c>const</c> exclude.</summary>
    private static List<JsonElement> ExcludedValues(SchemaNode[] nodes) =>
        nodes.Where(n => n.TryGet("x-not-enum", out _)).SelectMany(n => n.Element.GetProperty("x-not-enum").EnumerateArray()).ToList();

    private void Drain()
    {
        while (_pending.TryDequeue(out var job))
        {
            CheckLimits();
            _rules.Add(new GrammarRule(job.Name, BuildValue(job.Conj, job.Depth), default));
        }
    }

    private void CheckLimits()
    {
        if (_clock.Elapsed > _options.Timeout)
            throw new SchemaException("#", $"compile time limit reached ({_options.Timeout.TotalSeconds:0.#} s)");
        if (_rules.Count + _pending.Count > _options.MaxRules)
            throw new SchemaException("#", $"the grammar would need more than {_options.MaxRules:N0} rules");
    }

    /// <summary>A rule for a value that satisfies one of the conjunctions; the empty list is no value at all.</summary>
    private string RuleFor(List<Conj> dnf, int depth)
    {
        if (_options.Whitespace != JsonWhitespace.Pretty) depth = 0;
        else if (depth > MaxPrettyDepth) dnf = False; // pretty printing needs a rule per level: deeper values are not allowed
        string key = string.Join("|", dnf.Select(c => c.Key)) + "@" + depth;
        if (_ruleByKey.TryGetValue(key, out var known)) return known;
        string name = NewRuleName("v") + Hint(dnf);
        _ruleByKey[key] = name;
        if (dnf.Count == 1)
        {
            _pending.Enqueue((name, dnf[0], depth));
            return name;
        }
        var alts = dnf.Select(c => (GrammarExpr)Ref(RuleFor([c], depth))).ToList();
        _rules.Add(new GrammarRule(name, alts.Count == 0 ? Impossible : new ChoiceExpr(alts), default));
        return name;
    }

    /// <summary>The deepest nesting that pretty-printed output may have.</summary>
    internal const int MaxPrettyDepth = 32;

    private static string Hint(List<Conj> dnf)
    {
        if (dnf.Count != 1 || dnf[0].Nodes.Length == 0) return "";
        var p = dnf[0].Nodes[^1].LocalPointer;
        int slash = p.LastIndexOf('/');
        var tail = new string(p[(slash + 1)..].Where(char.IsAsciiLetterOrDigit).Take(24).ToArray());
        return tail.Length == 0 ? "" : "_" + tail;
    }

    private static GrammarExpr Impossible { get; } = new TokenExpr(RegexNode.Nothing, "(nothing)");

    /// <summary>Records a keyword that cannot be enforced: an error, or with <see cref="JsonSchemaOptions.Lenient"/> a warning.</summary>
    private void Unsupported(SchemaNode node, string keyword, string why)
    {
        string pointer = node.PointerTo(keyword);
        if (!_options.Lenient) throw new SchemaException(pointer, $"'{keyword}' {why}; compile with the lenient option to drop it");
        if (_warned.Add(pointer)) _warnings.Add($"{pointer}: dropped '{keyword}': {why}");
    }

    // ───────────────────────────── expansion to a disjunction of conjunctions ─────────────────────────────

    private static readonly List<Conj> True = [Conj.Empty];
    private static readonly List<Conj> False = [];

    internal List<Conj> Expand(SchemaNode node)
    {
        if (node.IsTrue) return True;
        if (node.IsFalse) return False;
        if (_expanded.TryGetValue(node.Id, out var known)) return known;
        if (!_expanding.Add(node.Id))
            throw new SchemaException(node.Pointer, "the schema refers to itself with no value in between (an infinite $ref or allOf cycle)");
        try
        {
            var result = ExpandUncached(node);
            _expanded[node.Id] = result;
            return result;
        }
        finally
        {
            _expanding.Remove(node.Id);
        }
    }

    private List<Conj> ExpandUncached(SchemaNode node)
    {
        if (node.RefOverridesSiblings) return Expand(_set.Resolve(node, node.Element.GetProperty("$ref").GetString() ?? ""));
        var acc = new List<Conj> { new([node]) };
        if (node.TryGet("$ref", out var r) && r.ValueKind == JsonValueKind.String)
            acc = Product(acc, Expand(_set.Resolve(node, r.GetString()!)), node);
        if (node.Draft >= SchemaDraft.Draft202012 && node.TryGet("$dynamicRef", out var dr) && dr.ValueKind == JsonValueKind.String)
            acc = Product(acc, Expand(ResolveDynamicStatically(node, dr.GetString()!)), node);
        if (node.Draft == SchemaDraft.Draft201909 && node.TryGet("$recursiveRef", out var rr) && rr.ValueKind == JsonValueKind.String)
            acc = Product(acc, Expand(ResolveRecursiveStatically(node, rr.GetString()!)), node);
        foreach (var sub in node.ChildArray("allOf")) acc = Product(acc, Expand(sub), node);
        if (node.Has("anyOf")) acc = Product(acc, Union(node.ChildArray("anyOf").Select(Expand), node), node);
        if (node.Has("oneOf")) acc = Product(acc, OneOf(node), node);
        if (node.Child("not") is { } not) acc = Product(acc, Negate(not, node), node);
        if (node.Draft >= SchemaDraft.Draft7 && node.Child("if") is { } cond && (node.Has("then") || node.Has("else")))
        {
            var then = node.Child("then") is { } t ? Expand(t) : True;
            var otherwise = node.Child("else") is { } e ? Expand(e) : True;
            acc = Product(acc, Union([Product(Expand(cond), then, node), Product(Negate(cond, node), otherwise, node)], node), node);
        }
        acc = Dependencies(node, acc);
        return acc;
    }

    private SchemaNode ResolveDynamicStatically(SchemaNode node, string reference)
    {
        var target = _set.Resolve(node, reference, "$dynamicRef");
        int hash = reference.IndexOf('#', StringComparison.Ordinal);
        string name = hash >= 0 ? reference[(hash + 1)..] : "";
        if (target.Has("$dynamicAnchor") && _set.DynamicAnchorIsAmbiguous(name))
            throw new SchemaException(node.PointerTo("$dynamicRef"), $"'$dynamicRef' to '{name}', which several resources declare, depends on the evaluation path and cannot be compiled");
        return target;
    }

    private SchemaNode ResolveRecursiveStatically(SchemaNode node, string reference)
    {
        var target = _set.Resolve(node, reference, "$recursiveRef");
        if (target.TryGet("$recursiveAnchor", out var a) && a.ValueKind == JsonValueKind.True
            && _set.Nodes.Any(n => n != target && n.TryGet("$recursiveAnchor", out var b) && b.ValueKind == JsonValueKind.True))
            throw new SchemaException(node.PointerTo("$recursiveRef"), "'$recursiveRef' with several '$recursiveAnchor' resources depends on the evaluation path and cannot be compiled");
        return target;
    }

    private List<Conj> Dependencies(SchemaNode node, List<Conj> acc)
    {
        var required = new List<(string Name, List<string> Needs, string Keyword)>();
        var schemas = new List<(string Name, SchemaNode Schema, string Keyword)>();
        void Read(string keyword)
        {
            if (!node.TryGet(keyword, out var map) || map.ValueKind != JsonValueKind.Object) return;
            foreach (var p in map.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Array)
                    required.Add((p.Name, p.Value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList(), keyword));
            }
            foreach (var (name, dep) in node.ChildMap(keyword)) schemas.Add((name, dep, keyword));
        }
        if (node.Draft >= SchemaDraft.Draft201909) { Read("dependentRequired"); Read("dependentSchemas"); }
        Read("dependencies"); // the draft-7 keyword, still honoured later for compatibility
        foreach (var (name, needs, _) in required)
        {
            if (needs.Count == 0) continue;
            var absent = Synthetic(new { type = "object", properties = new Dictionary<string, bool> { [name] = false } });
            var present = Synthetic(new { required = needs.Append(name).Distinct().ToArray() });
            acc = Product(acc, [new([absent]), new([present])], node);
        }
        foreach (var (name, dep, _) in schemas)
        {
            var absent = Synthetic(new { type = "object", properties = new Dictionary<string, bool> { [name] = false } });
            var present = Synthetic(new { required = new[] { name } });
            acc = Product(acc, Union([[new([absent])], Product([new([present])], Expand(dep), node)], node), node);
        }
        return acc;
    }

    private SchemaNode Synthetic(object schema) => _set.AddSynthetic(JsonSerializer.Serialize(schema));

    private List<Conj> OneOf(SchemaNode node)
    {
        var branches = node.ChildArray("oneOf");
        var expanded = branches.Select(Expand).ToList();
        (int, int)? overlap = null;
        for (int i = 0; i < branches.Count && overlap is null; i++)
            for (int j = i + 1; j < branches.Count; j++)
                if (!Disjoint(expanded[i], expanded[j])) { overlap = (i, j); break; }
        if (overlap is null) return Union(expanded, node);
        if (!_options.Lenient)
        {
            // Exactly one: each branch together with the negation of every other.
            try
            {
                var alts = new List<List<Conj>>();
                for (int i = 0; i < branches.Count; i++)
                {
                    var one = expanded[i];
                    for (int j = 0; j < branches.Count && one.Count > 0; j++)
                        if (j != i && !Disjoint(expanded[i], expanded[j])) one = Product(one, Negate(branches[j], node), node);
                    alts.Add(one);
                }
                return Union(alts, node);
            }
            catch (SchemaException e)
            {
                var (a, b) = overlap.Value;
                throw new SchemaException(node.PointerTo("oneOf"),
                    $"'oneOf' branches {a} and {b} may both match, and exactly-one needs their negation, which cannot be built ({e.SchemaReason}); compile with the lenient option to treat it as anyOf");
            }
        }
        if (_warned.Add(node.PointerTo("oneOf"))) _warnings.Add($"{node.PointerTo("oneOf")}: 'oneOf' treated as 'anyOf' (branches {overlap.Value.Item1} and {overlap.Value.Item2} may overlap)");
        return Union(expanded, node);
    }

    /// <summary>True when no instance can satisfy both disjunctions: checked on types, constants and required constant properties.</summary>
    private bool Disjoint(List<Conj> a, List<Conj> b)
    {
        foreach (var x in a)
            foreach (var y in b)
                if (!ConjDisjoint(x, y)) return false;
        return true;
    }

    private bool ConjDisjoint(Conj x, Conj y)
    {
        var tx = TypesOf(x.Nodes);
        var ty = TypesOf(y.Nodes);
        if ((tx & ty) == 0) return true;
        var vx = ConstantsOf(x.Nodes);
        var vy = ConstantsOf(y.Nodes);
        if (vx is not null && vy is not null && !vx.Any(v => vy.Any(w => JsonValues.Equal(v, w)))) return true;
        if (vx is not null && !vx.Any(v => y.Nodes.All(n => _validator.IsValid(n, v)))) return true;
        if (vy is not null && !vy.Any(v => x.Nodes.All(n => _validator.IsValid(n, v)))) return true;
        // Objects told apart by a required property whose constant values differ (a discriminator).
        if ((tx & ty) == JsonTypes.Object)
        {
            foreach (var n in x.Nodes)
                foreach (var (name, ps) in n.ChildMap("properties"))
                {
                    if (!Required(x.Nodes).Contains(name) || !Required(y.Nodes).Contains(name)) continue;
                    var cx = ConstantsOf(Expand(ps).SelectMany(c => c.Nodes).ToArray());
                    if (cx is null) continue;
                    foreach (var m in y.Nodes)
                        foreach (var (name2, ps2) in m.ChildMap("properties"))
                        {
                            if (name2 != name) continue;
                            var cy = ConstantsOf(Expand(ps2).SelectMany(c => c.Nodes).ToArray());
                            if (cy is not null && !cx.Any(v => cy.Any(w => JsonValues.Equal(v, w)))) return true;
                        }
                }
        }
        return false;
    }

    private static HashSet<string> Required(SchemaNode[] nodes)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in nodes)
            if (n.TryGet("required", out var r) && r.ValueKind == JsonValueKind.Array)
                foreach (var v in r.EnumerateArray()) if (v.ValueKind == JsonValueKind.String) set.Add(v.GetString()!);
        return set;
    }

    /// <summary>The values allowed by enum/const keywords (intersected), or null when no node has one.</summary>
    private static List<JsonElement>? ConstantsOf(SchemaNode[] nodes)
    {
        List<JsonElement>? values = null;
        foreach (var n in nodes)
        {
            List<JsonElement>? these = null;
            if (n.Draft >= SchemaDraft.Draft6 && n.TryGet("const", out var c)) these = [c];
            if (n.TryGet("enum", out var e) && e.ValueKind == JsonValueKind.Array)
            {
                var list = e.EnumerateArray().ToList();
                these = these is null ? list : these.Where(v => list.Any(w => JsonValues.Equal(v, w))).ToList();
            }
            if (these is null) continue;
            values = values is null ? these : values.Where(v => these.Any(w => JsonValues.Equal(v, w))).ToList();
        }
        return values;
    }

    private List<Conj> Product(List<Conj> a, List<Conj> b, SchemaNode at)
    {
        if (a.Count == 0 || b.Count == 0) return False;
        if (b.Count == 1 && b[0].Nodes.Length == 0) return a;
        if (a.Count == 1 && a[0].Nodes.Length == 0) return b;
        CheckLimits();
        if ((long)a.Count * b.Count > _options.MaxAlternatives)
            throw new SchemaException(at.Pointer, $"the combination of allOf/anyOf/oneOf/conditionals here has more than {_options.MaxAlternatives:N0} alternatives");
        var result = new List<Conj>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var x in a)
            foreach (var y in b)
            {
                var c = x.With(y.Nodes);
                if (TypesOf(c.Nodes) == 0) continue; // no type satisfies every part: drop early
                if (seen.Add(c.Key)) result.Add(c);
            }
        return result;
    }

    private List<Conj> Union(IEnumerable<List<Conj>> parts, SchemaNode at)
    {
        var result = new List<Conj>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in parts)
            foreach (var c in p)
                if (seen.Add(c.Key)) result.Add(c);
        if (result.Count > _options.MaxAlternatives)
            throw new SchemaException(at.Pointer, $"more than {_options.MaxAlternatives:N0} alternatives here");
        if (result.Any(c => c.Nodes.Length == 0)) return True; // one branch accepts everything
        return result;
    }
}
