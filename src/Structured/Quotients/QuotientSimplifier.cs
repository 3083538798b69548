namespace Structured.Quotients;

/// <summary>
/// Shrinks a quotient grammar without changing its language. The backward reading of a long suffix leaves chains such
/// as "the statements after the cut up to byte j", one nonterminal per statement boundary j, each a unit rule to the
/// next plus the same few rules that reach the cut; the forward parser would predict every link of such a chain at
/// the first byte of the prefix and carry them all along. Unit rules are replaced by the rules they lead to (their
/// closure), nonterminals with the same rules are merged, and this repeats until nothing changes.
/// </summary>
internal static class QuotientSimplifier
{
    private const int MaxRounds = 16;

    /// <summary>
    /// Rules whose left side is at least <paramref name="firstQuotient"/> are rewritten; the others are kept.
    /// <paramref name="endOf"/> gives each quotient nonterminal's suffix position: a unit rule never leads to a larger one.
    /// </summary>
    public static List<(int Lhs, int[] Rhs)> Simplify(List<(int Lhs, int[] Rhs)> rules, int firstQuotient, int start, Func<int, int> endOf)
    {
        var result = rules.Where(r => r.Lhs < firstQuotient).ToList();
        var byLhs = new Dictionary<int, List<int[]>>();
        foreach (var (lhs, rhs) in rules)
            if (lhs >= firstQuotient)
                (byLhs.TryGetValue(lhs, out var list) ? list : byLhs[lhs] = []).Add(rhs);

        for (int round = 0; round < MaxRounds; round++)
        {
            var closed = CloseUnits(byLhs, firstQuotient, endOf);
            // Equal closures mean equal languages: one representative each (the start symbol stays itself). A merged
            // representative takes the closure as its rules (its own unit rules may lead to members it replaces); a
            // nonterminal merged with no other keeps its rules, since closures of precedence chains grow long.
            var replace = new Dictionary<int, int>();
            var bySignature = new Dictionary<string, int>(StringComparer.Ordinal);
            var merged = new HashSet<int>();
            foreach (var (lhs, bodies) in closed.OrderBy(x => x.Key))
            {
                if (lhs == start) continue;
                string signature = string.Join("|", bodies.Keys.Order(StringComparer.Ordinal));
                if (bySignature.TryGetValue(signature, out int rep)) { replace[lhs] = rep; merged.Add(rep); }
                else bySignature[signature] = lhs;
            }
            var next = new Dictionary<int, List<int[]>>();
            foreach (var (lhs, own) in byLhs)
            {
                if (replace.ContainsKey(lhs)) continue;
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var list = next[lhs] = [];
                foreach (var body in merged.Contains(lhs) ? (IEnumerable<int[]>)closed[lhs].Values : own)
                {
                    var mapped = body.Select(x => replace.TryGetValue(x, out int r) ? r : x).ToArray();
                    if (mapped.Length == 1 && mapped[0] == lhs) continue; // A → A adds nothing
                    if (seen.Add(Key(mapped))) list.Add(mapped);
                }
            }
            bool shrank = replace.Count > 0 || next.Sum(x => x.Value.Count) < byLhs.Sum(x => x.Value.Count);
            byLhs = next;
            if (!shrank) break;
        }
        foreach (var (lhs, bodies) in byLhs)
            foreach (var body in bodies)
                result.Add((lhs, body));
        return result;
    }

    private static string Key(int[] body) => string.Join(",", body);

    // Each nonterminal's rules with unit rules to other quotient nonterminals replaced by those nonterminals' rules,
    // transitively. Unit rules lead to the same or an earlier suffix position, so positions are closed in increasing
    // order, and the nonterminals of one position by a small fixpoint among themselves.
    private static Dictionary<int, Dictionary<string, int[]>> CloseUnits(Dictionary<int, List<int[]>> byLhs, int firstQuotient, Func<int, int> endOf)
    {
        var closed = new Dictionary<int, Dictionary<string, int[]>>();
        var units = new Dictionary<int, List<int>>();
        foreach (var (lhs, bodies) in byLhs)
        {
            var own = closed[lhs] = new Dictionary<string, int[]>(StringComparer.Ordinal);
            foreach (var body in bodies)
            {
                if (body.Length == 1 && body[0] >= firstQuotient && byLhs.ContainsKey(body[0]))
                {
                    if (body[0] != lhs) (units.TryGetValue(lhs, out var u) ? u : units[lhs] = []).Add(body[0]);
                }
                else own.TryAdd(Key(body), body);
            }
        }
        foreach (var group in units.Keys.GroupBy(endOf).OrderBy(g => g.Key))
        {
            bool changed = true;
            while (changed)
            {
                changed = false;
                foreach (int lhs in group)
                    foreach (int target in units[lhs])
                        foreach (var (key, body) in closed[target])
                            if (closed[lhs].TryAdd(key, body)) changed = true;
            }
        }
        return closed;
    }
}
