using System.Text;
using Structured.Grammars;
using Structured.Regex;

namespace Structured.Tests.Infrastructure;

/// <summary>
/// An independent recognizer for small grammars whose terminals are literals and single code-point classes:
/// for one input, it computes which rules derive which substrings by a fixpoint over all spans.
/// Slow (it tries every split), which is fine for strings of a few characters.
/// </summary>
public static class BruteForce
{
    public static bool Accepts(Grammar g, string input)
    {
        var rules = g.Rules.GroupBy(r => r.Name).ToDictionary(x => x.Key, x => x.Select(r => r.Body).ToList());
        int n = input.Length;
        var derives = rules.Keys.ToDictionary(k => k, _ => new bool[n + 1, n + 1]);
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var (name, bodies) in rules)
            {
                var table = derives[name];
                for (int i = 0; i <= n; i++)
                    for (int j = i; j <= n; j++)
                    {
                        if (table[i, j]) continue;
                        if (bodies.Any(b => Matches(b, input, i, j, derives)))
                        {
                            table[i, j] = true;
                            changed = true;
                        }
                    }
            }
        }
        return derives[g.StartRule][0, n];
    }

    private static bool Matches(GrammarExpr e, string s, int i, int j, Dictionary<string, bool[,]> d) => e switch
    {
        RuleRef r => d[r.Name][i, j],
        TokenExpr t => MatchesRegex(t.Regex, s, i, j),
        SeqExpr seq => MatchSeq(seq.Items, 0, s, i, j, d),
        ChoiceExpr c => c.Alternatives.Any(a => Matches(a, s, i, j, d)),
        RepeatExpr r => MatchRepeat(r.Item, r.Min, r.Max ?? int.MaxValue, s, i, j, d),
        _ => throw new NotSupportedException(e.GetType().Name),
    };

    private static bool MatchSeq(IReadOnlyList<GrammarExpr> items, int k, string s, int i, int j, Dictionary<string, bool[,]> d)
    {
        if (k == items.Count) return i == j;
        for (int m = i; m <= j; m++)
            if (Matches(items[k], s, i, m, d) && MatchSeq(items, k + 1, s, m, j, d)) return true;
        return false;
    }

    private static bool MatchRepeat(GrammarExpr item, int min, int max, string s, int i, int j, Dictionary<string, bool[,]> d)
    {
        if (min <= 0 && i == j) return true;
        if (max == 0) return false;
        // Each further repetition that matters consumes at least one character, except up to min empty ones.
        for (int m = i; m <= j; m++)
        {
            if (m == i && min <= 0) continue;
            if (Matches(item, s, i, m, d) && MatchRepeat(item, min - 1, max == int.MaxValue ? max : max - 1, s, m, j, d)) return true;
        }
        return false;
    }

    private static bool MatchesRegex(RegexNode node, string s, int i, int j) => node switch
    {
        LiteralNode lit => Encoding.UTF8.GetString(lit.Value.ToArray()) == s[i..j],
        ClassNode c => j == i + 1 && c.Set.Contains(s[i]),
        SequenceNode { Parts.Count: 0 } => i == j,
        _ => throw new NotSupportedException(node.GetType().Name),
    };
}
