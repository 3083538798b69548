namespace Structured.Quotients;

/// <summary>
/// Shrinks a quotient grammar without changing its language. The backward reading of a long suffix leaves chains such
/// as "the statements after the cut up to byte j", one nonterminal per statement boundary j, each a unit rule to the
/// next; the forward parser would predict every link at the first byte of the prefix and carry them all along.
/// Nonterminals whose only rule is a unit rule are replaced by its target, and nonterminals with the same rules are
/// merged, until nothing changes.
/// </summary>
internal static class QuotientSimplifier
{
    private const int MaxRounds = 32;

    /// <summary>Rules whose left side is at least <paramref name="firstQuotient"/> are rewritten; the others are kept as they are.</summary>
    public static List<(int Lhs, int[] Rhs)> Simplify(List<(int Lhs, int[] Rhs)> rules, int firstQuotient, int start)
    {
        var fixedRules = rules.Where(r => r.Lhs < firstQuotient).ToList();
        var byLhs = new Dictionary<int, List<int[]>>();
        foreach (var (lhs, rhs) in rules)
            if (lhs >= firstQuotient)
                (byLhs.TryGetValue(lhs, out var list) ? list : byLhs[lhs] = []).Add(rhs);

        for (int round = 0; round < MaxRounds; round++)
        {
            var replace = new Dictionary<int, int>();
            // Unit forwarding: A → B alone means A is B.
            foreach (var (lhs, bodies) in byLhs)
                if (lhs != start && bodies.Count == 1 && bodies[0].Length == 1 && bodies[0][0] >= 0 && bodies[0][0] != lhs)
                    replace[lhs] = bodies[0][0];
            // Equal rule sets: one representative each.
            var bySignature = new Dictionary<string, int>();
            foreach (var (lhs, bodies) in byLhs.OrderBy(x => x.Key))
            {
                if (lhs == start || replace.ContainsKey(lhs)) continue;
                string signature = string.Join("|", bodies.Select(b => string.Join(",", b)).Order(StringComparer.Ordinal));
                if (bySignature.TryGetValue(signature, out int rep)) replace[lhs] = rep;
                else bySignature[signature] = lhs;
            }
            if (replace.Count == 0) break;
            int Resolve(int s)
            {
                // Follow replacements; a cycle of unit rules keeps its first member.
                var seen = new HashSet<int>();
                while (s >= 0 && replace.TryGetValue(s, out int next) && seen.Add(s)) s = next;
                return s;
            }
            var next = new Dictionary<int, List<int[]>>();
            var seenBodies = new Dictionary<int, HashSet<string>>();
            foreach (var (lhs, bodies) in byLhs)
            {
                if (Resolve(lhs) != lhs) continue;
                var list = next[lhs] = [];
                var seen = seenBodies[lhs] = new HashSet<string>(StringComparer.Ordinal);
                foreach (var body in bodies)
                {
                    var mapped = body.Select(s => s >= firstQuotient ? Resolve(s) : s).ToArray();
                    if (mapped.Length == 1 && mapped[0] == lhs) continue; // A → A adds nothing
                    if (seen.Add(string.Join(",", mapped))) list.Add(mapped);
                }
            }
            byLhs = next;
        }
        var result = fixedRules;
        foreach (var (lhs, bodies) in byLhs)
            foreach (var body in bodies)
                result.Add((lhs, body));
        return result;
    }
}
