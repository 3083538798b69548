using Structured.Lexing;
using Structured.Regex;

namespace Structured.Tests.Regex;

/// <summary>The liveness shortcuts checked against a store that only searches.</summary>
internal static class SearchReference
{
    /// <summary>
    /// True when a store with the shortcuts and one without agree on whether <paramref name="node"/> is empty, and, along a
    /// random walk of up to <paramref name="steps"/> live bytes, on which bytes of <paramref name="alphabet"/> kill the state
    /// and on which states accept.
    /// </summary>
    public static bool Agrees(RegexNode node, byte[] alphabet, int seed, int steps)
    {
        var shortcut = new TermStore();
        var searched = new TermStore(livenessShortcuts: false);
        int a = shortcut.FromNode(node), b = searched.FromNode(node);
        if (shortcut.IsEmptyLanguage(a) != searched.IsEmptyLanguage(b)) return false;
        var rng = new Random(seed);
        for (int step = 0; step < steps && a != TermStore.Nothing; step++)
        {
            var live = new List<byte>();
            foreach (byte x in alphabet)
            {
                int da = shortcut.Derive(a, x), db = searched.Derive(b, x);
                if ((da == TermStore.Nothing) != (db == TermStore.Nothing)) return false;
                if (da != TermStore.Nothing && shortcut.IsNullable(da) != searched.IsNullable(db)) return false;
                if (da != TermStore.Nothing) live.Add(x);
            }
            if (live.Count == 0) break;
            byte next = live[rng.Next(live.Count)];
            (a, b) = (shortcut.Derive(a, next), searched.Derive(b, next));
        }
        return true;
    }
}
