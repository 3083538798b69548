using Ast = Structured.Regex.RegexParser.Ast;

namespace Structured.Regex;

/// <summary>
/// Resolves <c>^</c> and <c>$</c>. A pattern splits into the strings it matches with the start anchor required or not,
/// and likewise for the end; search semantics then pad the unanchored sides with "any text".
/// Anchors may stand only at the edges of the pattern (inside groups and alternatives too); elsewhere they are an error.
/// </summary>
internal static class Anchors
{
    public static RegexNode Resolve(Ast ast, RegexAnchoring anchoring)
    {
        var (startAnchored, startFree) = SplitStart(ast);
        var any = RegexNode.Star(RegexNode.Class(CodePointSet.All));
        var parts = new List<RegexNode>();
        foreach (var (node, anchoredAtStart) in new[] { (startAnchored, true), (startFree, false) })
        {
            if (node is null) continue;
            var (endAnchored, endFree) = SplitEnd(node);
            foreach (var (inner, anchoredAtEnd) in new[] { (endAnchored, true), (endFree, false) })
            {
                if (inner is null) continue;
                var edged = inner;
                if (anchoring == RegexAnchoring.Search)
                {
                    if (!anchoredAtStart) edged = TrimFreeEdge(edged, atStart: true);
                    if (!anchoredAtEnd) edged = TrimFreeEdge(edged, atStart: false);
                }
                var core = ToNode(edged);
                if (anchoring == RegexAnchoring.Search)
                    core = RegexNode.Sequence(anchoredAtStart ? RegexNode.Epsilon : any, core, anchoredAtEnd ? RegexNode.Epsilon : any);
                parts.Add(core);
            }
        }
        return RegexNode.Choice(parts);
    }

    // Beside a free edge, "any text" absorbs the optional part of a repetition: any·X{m,n}·R = any·X{m}·R, because
    // any·X{k-m} is inside any. The language is the same, but a pattern like "[a-z0-9]{1,255}" searched for in a key
    // would otherwise make one lexer term per count, in every derivative of the key's lexeme and of its complement.
    private static Ast TrimFreeEdge(Ast ast, bool atStart)
    {
        if (ast is Ast.Rep rep) return rep.Max == rep.Min ? rep : rep with { Max = rep.Min };
        if (ast is not Ast.Seq seq) return ast;
        var items = seq.Items.ToList();
        while (items.Count > 0 && items[atStart ? 0 : ^1] is Ast.Rep r && r.Max != r.Min)
        {
            if (r.Min > 0)
            {
                items[atStart ? 0 : ^1] = r with { Max = r.Min };
                break;
            }
            items.RemoveAt(atStart ? 0 : items.Count - 1);
        }
        return new Ast.Seq(items);
    }

    // (matched with ^ required, matched without ^); null stands for the empty language.
    private static (Ast? Anchored, Ast? Free) SplitStart(Ast ast)
    {
        switch (ast)
        {
            case Ast.Start:
                return (new Ast.Seq([]), null);
            case Ast.Alt alt:
                {
                    var a = new List<Ast>();
                    var f = new List<Ast>();
                    foreach (var item in alt.Items)
                    {
                        var (x, y) = SplitStart(item);
                        if (x is not null) a.Add(x);
                        if (y is not null) f.Add(y);
                    }
                    return (a.Count == 0 ? null : new Ast.Alt(a), f.Count == 0 ? null : new Ast.Alt(f));
                }
            case Ast.Seq seq when seq.Items.Count > 0:
                {
                    var rest = seq.Items.Skip(1).ToList();
                    foreach (var r in rest) Forbid<Ast.Start>(r, "'^' is supported only at the start of the pattern");
                    var (x, y) = SplitStart(seq.Items[0]);
                    return (x is null ? null : new Ast.Seq([x, .. rest]), y is null ? null : new Ast.Seq([y, .. rest]));
                }
            case Ast.Rep rep:
                Forbid<Ast.Start>(rep.Item, "'^' inside a repetition is not supported");
                return (null, ast);
            default:
                return (null, ast);
        }
    }

    private static (Ast? Anchored, Ast? Free) SplitEnd(Ast ast)
    {
        switch (ast)
        {
            case Ast.End:
                return (new Ast.Seq([]), null);
            case Ast.Alt alt:
                {
                    var a = new List<Ast>();
                    var f = new List<Ast>();
                    foreach (var item in alt.Items)
                    {
                        var (x, y) = SplitEnd(item);
                        if (x is not null) a.Add(x);
                        if (y is not null) f.Add(y);
                    }
                    return (a.Count == 0 ? null : new Ast.Alt(a), f.Count == 0 ? null : new Ast.Alt(f));
                }
            case Ast.Seq seq when seq.Items.Count > 0:
                {
                    var init = seq.Items.Take(seq.Items.Count - 1).ToList();
                    foreach (var r in init) Forbid<Ast.End>(r, "'$' is supported only at the end of the pattern");
                    var (x, y) = SplitEnd(seq.Items[^1]);
                    return (x is null ? null : new Ast.Seq([.. init, x]), y is null ? null : new Ast.Seq([.. init, y]));
                }
            case Ast.Rep rep:
                Forbid<Ast.End>(rep.Item, "'$' inside a repetition is not supported");
                return (null, ast);
            default:
                return (null, ast);
        }
    }

    private static void Forbid<T>(Ast ast, string reason) where T : Ast
    {
        switch (ast)
        {
            case T t:
                throw new RegexParseException(reason, t is Ast.Start st ? st.Position : ((Ast.End)(Ast)t).Position);
            case Ast.Alt a:
                foreach (var i in a.Items) Forbid<T>(i, reason);
                break;
            case Ast.Seq s:
                foreach (var i in s.Items) Forbid<T>(i, reason);
                break;
            case Ast.Rep r:
                Forbid<T>(r.Item, reason);
                break;
        }
    }

    private static RegexNode ToNode(Ast ast) => ast switch
    {
        Ast.Alt a => RegexNode.Choice(a.Items.Select(ToNode)),
        Ast.Seq s => RegexNode.Sequence(s.Items.Select(ToNode)),
        Ast.Rep r => RegexNode.Repeat(ToNode(r.Item), r.Min, r.Max < 0 ? null : r.Max),
        Ast.Set s => RegexNode.Class(s.Points),
        Ast.Start st => throw new RegexParseException("'^' is supported only at the start of the pattern", st.Position),
        Ast.End en => throw new RegexParseException("'$' is supported only at the end of the pattern", en.Position),
        _ => throw new InvalidOperationException(ast.GetType().Name),
    };
}
