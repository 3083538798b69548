using Structured.Lexing;
using Structured.Regex;

namespace Structured.Grammars;

/// <summary>
/// Samples strings of any regex, intersections and complements included, by a random walk over its derivatives
/// (dead ends are pruned by the term store, so the walk never gets stuck). Past a length budget it heads for the
/// nearest accepting state.
/// </summary>
internal static class TermSampler
{
    public static byte[] Sample(RegexNode node, Random rng, bool nonEmpty = false, int budget = 24)
    {
        var store = new TermStore();
        int t = store.FromNode(node);
        if (t == TermStore.Nothing) throw new InvalidOperationException("the regex matches nothing");
        var output = new List<byte>();
        var candidates = new List<(byte B, int Next)>();
        while (true)
        {
            bool canStop = store.IsNullable(t) && (!nonEmpty || output.Count > 0);
            if (canStop && (output.Count >= budget || rng.Next(4) == 0)) return output.ToArray();
            candidates.Clear();
            lock (store) for (int b = 0; b < 256; b++) { int d = store.DeriveLocked(t, (byte)b); if (d != TermStore.Nothing) candidates.Add(((byte)b, d)); }
            if (candidates.Count == 0) return output.ToArray();
            (byte B, int Next) pick;
            if (output.Count >= budget)
            {
                var distance = Distances(store, candidates.Select(c => c.Next).Distinct().ToList());
                int best = candidates.Min(c => distance[c.Next]);
                var near = candidates.Where(c => distance[c.Next] == best).ToList();
                pick = near[rng.Next(near.Count)];
            }
            else
            {
                // Mostly printable ASCII, so that samples read like JSON a model would write, with some of everything.
                var printable = candidates.Where(c => c.B is >= 0x20 and < 0x7F).ToList();
                pick = printable.Count > 0 && rng.Next(5) != 0 ? printable[rng.Next(printable.Count)] : candidates[rng.Next(candidates.Count)];
            }
            output.Add(pick.B);
            t = pick.Next;
            if (output.Count > 100_000) throw new InvalidOperationException("sampling ran away");
        }
    }

    // Steps from each term to the nearest nullable term (breadth-first, bounded).
    private static Dictionary<int, int> Distances(TermStore store, List<int> terms)
    {
        var result = new Dictionary<int, int>();
        foreach (int start in terms)
        {
            var seen = new HashSet<int> { start };
            var frontier = new List<int> { start };
            int depth = 0;
            int found = int.MaxValue;
            while (frontier.Count > 0 && depth < 4096 && found == int.MaxValue)
            {
                if (frontier.Any(store.IsNullable)) { found = depth; break; }
                var next = new List<int>();
                lock (store)
                    foreach (int f in frontier)
                        for (int b = 0; b < 256; b++)
                        {
                            int d = store.DeriveLocked(f, (byte)b);
                            if (d != TermStore.Nothing && seen.Add(d)) next.Add(d);
                        }
                frontier = next;
                depth++;
            }
            result[start] = found;
        }
        return result;
    }
}
