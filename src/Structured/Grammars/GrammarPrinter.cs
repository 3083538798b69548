using System.Text;

namespace Structured.Grammars;

/// <summary>Prints a <see cref="Grammar"/> as text in a Lark-like syntax.</summary>
internal static class GrammarPrinter
{
    public static string Print(Grammar g)
    {
        var sb = new StringBuilder();
        sb.Append("// start: ").Append(g.StartRule).Append(", lexemes end: ").Append(g.LexemeMatch).Append('\n');
        foreach (var group in g.Rules.GroupBy(r => r.Name))
        {
            sb.Append(group.Key).Append(": ");
            sb.Append(string.Join("\n    | ", group.Select(r => Expr(r.Body, 0))));
            sb.Append('\n');
        }
        foreach (var t in g.Terminals)
        {
            sb.Append(t.Name).Append(": /").Append(t.Regex).Append('/');
            if (g.LexerModes.Count > 0) sb.Append("  // mode ").Append(t.Mode ?? g.LexerModes[0]);
            foreach (var c in t.ModeCommands) sb.Append(", ").Append(c);
            sb.Append('\n');
        }
        foreach (var i in g.Ignore) sb.Append("%ignore ").Append(i).Append('\n');
        return sb.ToString();
    }

    // Precedence: 0 alternation, 1 sequence, 2 postfix operand.
    internal static string Expr(GrammarExpr e, int context) => e switch
    {
        SeqExpr { Items.Count: 0 } => "\"\"",
        SeqExpr s => Wrap(string.Join(" ", s.Items.Select(i => Expr(i, 2))), context > 1 && s.Items.Count > 1),
        ChoiceExpr c => Wrap(string.Join(" | ", c.Alternatives.Select(a => Expr(a, 1))), context > 0),
        RepeatExpr r => Expr(r.Item, 2) + (r.Min, r.Max) switch
        {
            (0, null) => "*",
            (1, null) => "+",
            (0, 1) => "?",
            (var m, null) => $"{{{m},}}",
            (var m, var n) when m == n => $"{{{m}}}",
            (var m, var n) => $"{{{m},{n}}}",
        },
        RuleRef r => r.Name,
        TerminalRef t => t.Name,
        TokenExpr t => t.Display,
        _ => throw new InvalidOperationException(e.GetType().Name),
    };

    private static string Wrap(string s, bool paren) => paren ? "(" + s + ")" : s;
}
