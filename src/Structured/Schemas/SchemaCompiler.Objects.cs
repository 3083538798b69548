using System.Text.Json;
using Structured.Grammars;
using Structured.Lexing;
using Structured.Regex;

namespace Structured.Schemas;

internal sealed partial class SchemaCompiler
{
    /// <summary>How one subschema constrains the members of an object.</summary>
    private sealed record MemberRules(
        SchemaNode Node,
        IReadOnlyList<KeyValuePair<string, SchemaNode>> Properties,
        IReadOnlyList<(string Pattern, RegexNode Regex, SchemaNode Schema)> Patterns,
        SchemaNode? Additional,
        bool ClosedByStrictMode);

    private MemberRules RulesOf(SchemaNode n)
    {
        var patterns = new List<(string, RegexNode, SchemaNode)>();
        foreach (var (p, s) in n.ChildMap("patternProperties"))
            if (Pattern(n, "patternProperties", p) is { } r) patterns.Add((p, r, s));
        var additional = n.Child("additionalProperties");
        bool closed = _options.Strict && additional is null && n.Has("properties") && !n.Has("unevaluatedProperties") && patterns.Count == 0;
        return new MemberRules(n, n.ChildMap("properties"), patterns, additional, closed);
    }

    /// <summary>What a subschema says about the value of a member named <paramref name="name"/>: null when nothing.</summary>
    private static SchemaNode[]? ValueSchemasFor(MemberRules m, string name, out bool forbidden)
    {
        forbidden = false;
        var list = new List<SchemaNode>();
        foreach (var (k, s) in m.Properties) if (k == name) list.Add(s);
        foreach (var (p, _, s) in m.Patterns) if (SchemaValidator.MatchesPattern(p, name)) list.Add(s);
        if (list.Count > 0) return list.ToArray();
        if (m.Additional is not null) return [m.Additional];
        forbidden = m.ClosedByStrictMode;
        return null;
    }

    private GrammarExpr ObjectExpr(SchemaNode[] nodes, int depth)
    {
        var rules = nodes.Select(RulesOf).ToList();
        var unevaluated = nodes.Where(n => n.Child("unevaluatedProperties") is not null).ToList();
        var evaluatorsOf = unevaluated.ToDictionary(u => u.Id, u => rules.Where(r => r.Node.Id == u.Id || IsSynthetic(r.Node) || InPlace(u).Contains(r.Node.Id)).ToList());
        var required = Required(nodes);
        long minP = 0;
        long? maxP = null;
        foreach (var n in nodes)
        {
            if (n.TryGet("minProperties", out var a) && a.ValueKind == JsonValueKind.Number) minP = Math.Max(minP, (long)Math.Ceiling(a.GetDouble()));
            if (n.TryGet("maxProperties", out var b) && b.ValueKind == JsonValueKind.Number) maxP = Math.Min(maxP ?? long.MaxValue, (long)Math.Floor(b.GetDouble()));
        }
        var propertyNames = nodes.Select(n => n.Child("propertyNames")).Where(p => p is not null).Select(p => p!).ToList();

        // Named members: every property any part lists, then required names listed nowhere, in schema order.
        var names = new List<string>();
        foreach (var r in rules) foreach (var (k, _) in r.Properties) if (!names.Contains(k)) names.Add(k);
        foreach (var k in required) if (!names.Contains(k)) names.Add(k);

        var members = new List<(string Name, bool Required, List<Conj> Value)>();
        foreach (var name in names)
        {
            var value = True;
            var nameElement = JsonSerializer.SerializeToElement(name);
            bool possible = propertyNames.All(pn => _validator.IsValid(pn, nameElement));
            foreach (var r in rules)
            {
                if (!possible) break;
                var schemas = ValueSchemasFor(r, name, out bool forbidden);
                if (forbidden) { possible = false; break; }
                if (schemas is not null) foreach (var s in schemas) value = Product(value, Expand(s), s);
            }
            foreach (var u in unevaluated)
            {
                if (!possible) break;
                bool evaluated = evaluatorsOf[u.Id].Any(r => ValueSchemasFor(r, name, out _) is not null);
                if (!evaluated) value = Product(value, Expand(u.Child("unevaluatedProperties")!), u);
            }
            if (!possible || value.Count == 0)
            {
                if (required.Contains(name)) return Impossible;
                continue;
            }
            members.Add((name, required.Contains(name), value));
        }

        var extras = ExtraMembers(rules, unevaluated, evaluatorsOf, names, propertyNames, depth);
        if (maxP is long mx && (mx < minP || members.Count(m => m.Required) > mx)) return Impossible;

        // Any order needs a state per subset of the listed members: past MaxAnyOrderMembers (or with counts) the
        // object falls back to schema order, which is still exact, only stricter about order.
        var memberExprs = members.Select(m => (GrammarExpr)new SeqExpr([_layout.Key(RegexNode.Literal(m.Name), JsonSerializer.Serialize(m.Name)), Ref(RuleFor(m.Value, depth + 1))])).ToList();
        if (_options.PropertyOrder == PropertyOrder.Any && members.Count <= MaxAnyOrderMembers && minP == 0 && maxP is null)
            return AnyOrderObject(members, memberExprs, extras, depth);

        long cap = maxP ?? Math.Max(minP, 1);
        var chain = new Dictionary<(int, long), string>();
        string Chain(int i, long c)
        {
            if (chain.TryGetValue((i, c), out var known)) return known;
            string name = NewRuleName("o");
            chain[(i, c)] = name;
            GrammarExpr body;
            if (i == members.Count) body = ExtrasTail(extras, c, minP, maxP, depth);
            else
            {
                var alts = new List<GrammarExpr>();
                if (maxP is null || c + 1 <= maxP)
                {
                    long next = maxP is null ? Math.Min(c + 1, cap) : c + 1;
                    var seq = new List<GrammarExpr>();
                    if (c > 0) seq.Add(_layout.Comma(depth));
                    seq.Add(memberExprs[i]);
                    seq.Add(Ref(Chain(i + 1, next)));
                    alts.Add(new SeqExpr(seq));
                }
                if (!members[i].Required) alts.Add(Ref(Chain(i + 1, c)));
                body = alts.Count == 0 ? Impossible : alts.Count == 1 ? alts[0] : new ChoiceExpr(alts);
            }
            _rules.Add(new GrammarRule(name, body, default));
            return name;
        }
        var objectAlts = new List<GrammarExpr>();
        if (minP == 0 && !members.Any(m => m.Required)) objectAlts.Add(_layout.Empty('{', '}'));
        objectAlts.Add(new SeqExpr([_layout.Open('{', depth), Ref(Chain(0, 0)), _layout.Close('}', depth)]));
        return objectAlts.Count == 1 ? objectAlts[0] : new ChoiceExpr(objectAlts);
    }

    /// <summary>The extra members after the named ones: between the remaining minimum and maximum count, at least one when nothing came before.</summary>
    private GrammarExpr ExtrasTail(GrammarExpr? extra, long c, long minP, long? maxP, int depth)
    {
        long kmin = Math.Max(minP - c, c == 0 ? 1 : 0);
        long? kmax = maxP is long m ? m - c : null;
        if (kmax is long km && km < kmin) return Impossible;
        if (extra is null) return kmin == 0 ? GrammarExpr.Empty : Impossible;
        var commaExtra = new SeqExpr([_layout.Comma(depth), extra]);
        int Clamp(long v) => (int)Math.Min(v, 100_000);
        if (c == 0)
            return new SeqExpr([extra, new RepeatExpr(commaExtra, Clamp(kmin - 1), kmax is long k ? Clamp(k - 1) : null)]);
        return new RepeatExpr(commaExtra, Clamp(kmin), kmax is long k2 ? Clamp(k2) : null);
    }

    /// <summary>One member whose name is not listed: a choice over regions of the key space (each pattern, and the rest).</summary>
    private GrammarExpr? ExtraMembers(List<MemberRules> rules, List<SchemaNode> unevaluated, Dictionary<int, List<MemberRules>> evaluatorsOf,
        List<string> names, List<SchemaNode> propertyNames, int depth)
    {
        // Regions of the key space: for each set S of patterns, the keys matching exactly those in S (and no listed name).
        var patterns = rules.SelectMany(r => r.Patterns).GroupBy(p => p.Pattern).Select(g => (Text: g.Key, g.First().Regex)).ToList();
        if (patterns.Count > 8)
        {
            for (int i = 0; i < patterns.Count; i++)
                for (int j = i + 1; j < patterns.Count; j++)
                    if (!Disjoint(patterns[i].Regex, patterns[j].Regex))
                    {
                        var owner = rules.First(r => r.Patterns.Any(p => p.Pattern == patterns[j].Text)).Node;
                        Unsupported(owner, "patternProperties", $"patterns '{patterns[i].Text}' and '{patterns[j].Text}' overlap among more than 8 patterns");
                    }
        }
        var namesRegex = names.Count == 0 ? null : RegexNode.Choice(names.Select(RegexNode.Literal));
        RegexNode? keyFilter = propertyNames.Count == 0 ? null : RegexNode.Intersection(propertyNames.Select(PropertyNameRegex).ToList());
        var alts = new List<GrammarExpr>();
        var subsets = patterns.Count <= 8
            ? Enumerable.Range(0, 1 << patterns.Count).Select(mask => Enumerable.Range(0, patterns.Count).Where(i => (mask & (1 << i)) != 0).ToList())
            : Enumerable.Range(-1, patterns.Count + 1).Select(i => i < 0 ? new List<int>() : [i]);
        foreach (var subset in subsets)
        {
            var parts = new List<RegexNode>();
            foreach (int i in subset) parts.Add(patterns[i].Regex);
            var others = Enumerable.Range(0, patterns.Count).Where(i => !subset.Contains(i)).Select(i => patterns[i].Regex).ToList();
            if (others.Count > 0 && (patterns.Count <= 8 || subset.Count == 0)) parts.Add(RegexNode.Complement(RegexNode.Choice(others)));
            if (namesRegex is not null) parts.Add(RegexNode.Complement(namesRegex));
            if (keyFilter is not null) parts.Add(keyFilter);
            var key = parts.Count switch { 0 => RegexNode.Star(RegexNode.Class(AnyChar)), 1 => parts[0], _ => RegexNode.Intersection(parts) };
            if (IsEmpty(key)) continue;
            var value = True;
            bool closed = false;
            var inSubset = subset.Select(i => patterns[i].Text).ToHashSet(StringComparer.Ordinal);
            foreach (var r in rules)
            {
                var own = r.Patterns.Where(p => inSubset.Contains(p.Pattern)).Select(p => p.Schema).ToList();
                if (own.Count > 0) foreach (var s in own) value = Product(value, Expand(s), s);
                else if (r.Additional is not null) value = Product(value, Expand(r.Additional), r.Additional);
                else if (r.ClosedByStrictMode) closed = true;
            }
            foreach (var u in unevaluated)
            {
                bool evaluated = evaluatorsOf[u.Id].Any(r => r.Additional is not null || r.Patterns.Any(p => inSubset.Contains(p.Pattern)));
                if (!evaluated) value = Product(value, Expand(u.Child("unevaluatedProperties")!), u);
            }
            if (closed || value.Count == 0) continue;
            string display = subset.Count == 0 ? "key" : string.Join("&", subset.Select(i => "/" + patterns[i].Text + "/"));
            alts.Add(new SeqExpr([_layout.Key(key, display), Ref(RuleFor(value, depth + 1))]));
        }
        return alts.Count switch { 0 => null, 1 => alts[0], _ => new ChoiceExpr(alts) };
    }

    /// <summary>The key strings a <c>propertyNames</c> schema allows, as a regex over decoded text.</summary>
    private RegexNode PropertyNameRegex(SchemaNode pn)
    {
        var alts = new List<RegexNode>();
        foreach (var conj in Expand(pn))
        {
            if ((TypesOf(conj.Nodes) & JsonTypes.String) == 0) continue;
            var constants = ConstantsOf(conj.Nodes);
            if (constants is not null)
            {
                alts.AddRange(constants.Where(v => v.ValueKind == JsonValueKind.String && conj.Nodes.All(n => _validator.IsValid(n, v))).Select(v => RegexNode.Literal(v.GetString()!)));
                continue;
            }
            alts.Add(DecodedString(conj.Nodes, ExcludedValues(conj.Nodes), out _));
        }
        return RegexNode.Choice(alts);
    }

    private readonly TermStore _scratchTerms = new(1_000_000);

    private bool IsEmpty(RegexNode r) => _scratchTerms.IsEmptyLanguage(_scratchTerms.FromNode(r));

    private bool Disjoint(RegexNode a, RegexNode b) => IsEmpty(RegexNode.Intersection(a, b));

    private static bool IsSynthetic(SchemaNode n) => n.Document > 0 && n.Set.DocumentUri(n.Document).Contains("/synthetic/", StringComparison.Ordinal);

    private readonly Dictionary<int, HashSet<int>> _inPlace = [];

    /// <summary>The subschemas that apply to the same instance as <paramref name="u"/> through references and in-place applicators.</summary>
    private HashSet<int> InPlace(SchemaNode u)
    {
        if (_inPlace.TryGetValue(u.Id, out var known)) return known;
        var seen = new HashSet<int>();
        var stack = new Stack<SchemaNode>();
        stack.Push(u);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n.Id) || n.IsTrue || n.IsFalse) continue;
            if (n.TryGet("$ref", out var r) && r.ValueKind == JsonValueKind.String) stack.Push(_set.Resolve(n, r.GetString()!));
            if (n.TryGet("$dynamicRef", out var dr) && dr.ValueKind == JsonValueKind.String) stack.Push(_set.Resolve(n, dr.GetString()!, "$dynamicRef"));
            foreach (var kw in new[] { "allOf", "anyOf", "oneOf" }) foreach (var s in n.ChildArray(kw)) stack.Push(s);
            foreach (var kw in new[] { "if", "then", "else" }) if (n.Child(kw) is { } s) stack.Push(s);
            foreach (var (_, s) in n.ChildMap("dependentSchemas")) stack.Push(s);
        }
        _inPlace[u.Id] = seen;
        return seen;
    }

    /// <summary>Members in any order, each named one at most once: a state per subset of the named members emitted.</summary>
    internal const int MaxAnyOrderMembers = 10;

    private GrammarExpr AnyOrderObject(List<(string Name, bool Required, List<Conj> Value)> members, List<GrammarExpr> memberExprs, GrammarExpr? extra, int depth)
    {
        int requiredMask = 0;
        for (int i = 0; i < members.Count; i++) if (members[i].Required) requiredMask |= 1 << i;
        var states = new Dictionary<(int, bool), string>();
        string State(int mask, bool any)
        {
            if (states.TryGetValue((mask, any), out var known)) return known;
            string name = NewRuleName("a");
            states[(mask, any)] = name;
            var alts = new List<GrammarExpr>();
            if ((mask & requiredMask) == requiredMask && any) alts.Add(GrammarExpr.Empty);
            for (int i = 0; i < members.Count; i++)
            {
                if ((mask & (1 << i)) != 0) continue;
                alts.Add(new SeqExpr(any ? [_layout.Comma(depth), memberExprs[i], Ref(State(mask | (1 << i), true))] : [memberExprs[i], Ref(State(mask | (1 << i), true))]));
            }
            if (extra is not null)
                alts.Add(new SeqExpr(any ? [_layout.Comma(depth), extra, Ref(State(mask, true))] : [extra, Ref(State(mask, true))]));
            _rules.Add(new GrammarRule(name, alts.Count == 0 ? Impossible : new ChoiceExpr(alts), default));
            return name;
        }
        var objectAlts = new List<GrammarExpr>();
        if (requiredMask == 0) objectAlts.Add(_layout.Empty('{', '}'));
        objectAlts.Add(new SeqExpr([_layout.Open('{', depth), Ref(State(0, false)), _layout.Close('}', depth)]));
        return objectAlts.Count == 1 ? objectAlts[0] : new ChoiceExpr(objectAlts);
    }
}
