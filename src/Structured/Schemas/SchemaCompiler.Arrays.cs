using System.Text.Json;
using Structured.Grammars;

namespace Structured.Schemas;

internal sealed partial class SchemaCompiler
{
    /// <summary>How one subschema constrains array items: a schema per leading position, and one for the rest (null: anything).</summary>
    private static (IReadOnlyList<SchemaNode> Prefix, SchemaNode? Others) ItemRules(SchemaNode n)
    {
        if (n.Draft >= SchemaDraft.Draft202012) return (n.ChildArray("prefixItems"), n.Child("items"));
        if (n.TryGet("items", out var items) && items.ValueKind == JsonValueKind.Array) return (n.ChildArray("items"), n.Child("additionalItems"));
        return ([], n.Child("items"));
    }

    private GrammarExpr ArrayExpr(SchemaNode[] nodes, int depth)
    {
        long min = 0;
        long? max = null;
        foreach (var n in nodes)
        {
            if (n.TryGet("minItems", out var a) && a.ValueKind == JsonValueKind.Number) min = Math.Max(min, (long)Math.Ceiling(a.GetDouble()));
            if (n.TryGet("maxItems", out var b) && b.ValueKind == JsonValueKind.Number) max = Math.Min(max ?? long.MaxValue, (long)Math.Floor(b.GetDouble()));
        }
        foreach (var n in nodes)
        {
            if (n.TryGet("uniqueItems", out var u) && u.ValueKind == JsonValueKind.True && max is not (<= 1))
                Unsupported(n, "uniqueItems", "cannot be enforced by a context-free grammar over arbitrary items");
        }
        var containing = nodes.Where(n => n.Draft >= SchemaDraft.Draft6 && n.Child("contains") is not null).ToList();
        var rules = nodes.Select(n => (Node: n, Items: ItemRules(n))).ToList();
        var unevaluated = nodes.Where(n => n.Child("unevaluatedItems") is not null).ToList();
        int prefixLength = rules.Count == 0 ? 0 : rules.Max(r => r.Items.Prefix.Count);

        List<Conj> ItemAt(int i)
        {
            var value = True;
            foreach (var (n, (prefix, rest)) in rules)
            {
                if (i < prefix.Count) value = Product(value, Expand(prefix[i]), prefix[i]);
                else if (rest is not null) value = Product(value, Expand(rest), rest);
            }
            foreach (var u in unevaluated)
            {
                var evaluators = rules.Where(r => r.Node.Id == u.Id || IsSynthetic(r.Node) || InPlace(u).Contains(r.Node.Id)).ToList();
                bool evaluated = evaluators.Any(r => i < r.Items.Prefix.Count || r.Items.Others is not null);
                if (!evaluated) value = Product(value, Expand(u.Child("unevaluatedItems")!), u);
            }
            return value;
        }

        var positions = new List<List<Conj>>();
        for (int i = 0; i < prefixLength; i++)
        {
            var v = ItemAt(i);
            if (v.Count == 0) { max = Math.Min(max ?? long.MaxValue, i); break; }
            positions.Add(v);
        }
        var restValue = ItemAt(prefixLength);
        if (restValue.Count == 0) max = Math.Min(max ?? long.MaxValue, positions.Count);
        if (max is long mx && mx < min) return Impossible;

        GrammarExpr Item(List<Conj> value) => Ref(RuleFor(value, depth + 1));
        int Clamp(long v) => (int)Math.Min(v, 100_000);

        // A(i): the items from position i on, given i items before (at least one item overall).
        GrammarExpr Tail(int i)
        {
            if (i < positions.Count)
            {
                var alts = new List<GrammarExpr>();
                if (i >= min && i > 0) alts.Add(GrammarExpr.Empty);
                if (max is not long m || i < m)
                {
                    var seq = new List<GrammarExpr>();
                    if (i > 0) seq.Add(_layout.Comma(depth));
                    seq.Add(Item(positions[i]));
                    seq.Add(Tail(i + 1));
                    alts.Add(new SeqExpr(seq));
                }
                return alts.Count == 0 ? Impossible : alts.Count == 1 ? alts[0] : new ChoiceExpr(alts);
            }
            long kmin = Math.Max(min - i, i == 0 ? 1 : 0);
            long? kmax = max is long m2 ? m2 - i : null;
            if (kmax is long k0 && k0 < kmin) return Impossible;
            if (kmax == 0) return GrammarExpr.Empty;
            var rest = Item(restValue);
            var commaRest = new SeqExpr([_layout.Comma(depth), rest]);
            if (i == 0) return new SeqExpr([rest, new RepeatExpr(commaRest, Clamp(kmin - 1), kmax is long k ? Clamp(k - 1) : null)]);
            return new RepeatExpr(commaRest, Clamp(kmin), kmax is long k2 ? Clamp(k2) : null);
        }

        if (containing.Count > 0)
        {
            var c = containing[0];
            if (containing.Count > 1 || positions.Count > 0 || unevaluated.Count > 0)
                Unsupported(c, "contains", "is compiled only without prefixItems, unevaluatedItems or a second contains");
            else return ContainsArray(c, restValue, min, max, depth);
        }

        var arrayAlts = new List<GrammarExpr>();
        if (min == 0) arrayAlts.Add(_layout.Empty('[', ']'));
        if (max is not 0) arrayAlts.Add(new SeqExpr([_layout.Open('[', depth), Tail(0), _layout.Close(']', depth)]));
        return arrayAlts.Count == 1 ? arrayAlts[0] : new ChoiceExpr(arrayAlts);
    }

    /// <summary>
    /// An array with a <c>contains</c> count: each item either matches the contained schema (and counts) or does not.
    /// Without <c>maxContains</c> the others are any items (the union over assignments is exactly "at least m");
    /// with it they must fail the contained schema. States count items and matches, up to their bounds.
    /// </summary>
    private GrammarExpr ContainsArray(SchemaNode c, List<Conj> rest, long min, long? max, int depth)
    {
        var contains = c.Child("contains")!;
        long minC = c.Draft >= SchemaDraft.Draft201909 && c.TryGet("minContains", out var mc) && mc.ValueKind == JsonValueKind.Number ? (long)Math.Ceiling(mc.GetDouble()) : 1;
        long? maxC = c.Draft >= SchemaDraft.Draft201909 && c.TryGet("maxContains", out var xc) && xc.ValueKind == JsonValueKind.Number ? (long)Math.Floor(xc.GetDouble()) : null;
        if (maxC is long m0 && m0 < minC) return Impossible;
        var hit = Product(rest, Expand(contains), contains);
        var miss = maxC is null ? rest : Product(rest, Negate(contains, c), contains);
        long capN = Math.Max(max ?? min, 1); // at least 1: the first item needs no comma
        long capH = maxC ?? minC;
        if ((capN + 1) * (capH + 1) > 2_000)
            Unsupported(c, "contains", "needs more than 2,000 counting states with these bounds");
        GrammarExpr? hitItem = hit.Count == 0 ? null : Ref(RuleFor(hit, depth + 1));
        GrammarExpr? missItem = miss.Count == 0 ? null : Ref(RuleFor(miss, depth + 1));
        var states = new Dictionary<(long, long), string>();
        string State(long n, long h)
        {
            if (states.TryGetValue((n, h), out var known)) return known;
            string name = NewRuleName("c");
            states[(n, h)] = name;
            var alts = new List<GrammarExpr>();
            if (n > 0 && n >= min && h >= minC) alts.Add(GrammarExpr.Empty);
            if (max is not long mx || n < mx)
            {
                long n1 = max is null ? Math.Min(n + 1, capN) : n + 1;
                if (hitItem is not null && (maxC is not long hc || h < hc))
                {
                    long h1 = maxC is null ? Math.Min(h + 1, capH) : h + 1;
                    alts.Add(new SeqExpr(n > 0 ? [_layout.Comma(depth), hitItem, Ref(State(n1, h1))] : [hitItem, Ref(State(n1, h1))]));
                }
                if (missItem is not null)
                    alts.Add(new SeqExpr(n > 0 ? [_layout.Comma(depth), missItem, Ref(State(n1, h))] : [missItem, Ref(State(n1, h))]));
            }
            _rules.Add(new GrammarRule(name, alts.Count == 0 ? Impossible : alts.Count == 1 ? alts[0] : new ChoiceExpr(alts), default));
            return name;
        }
        var arrayAlts = new List<GrammarExpr>();
        if (min == 0 && minC <= 0) arrayAlts.Add(_layout.Empty('[', ']'));
        if (max is not 0) arrayAlts.Add(new SeqExpr([_layout.Open('[', depth), Ref(State(0, 0)), _layout.Close(']', depth)]));
        return arrayAlts.Count == 1 ? arrayAlts[0] : new ChoiceExpr(arrayAlts);
    }
}
