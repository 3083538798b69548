using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Structured;
using Structured.FsCheck;

// Inputs from a grammar: arithmetic expressions, no model needed.
var expressions = StructuredArb.Gbnf("""
    root ::= expr
    expr ::= term (("+" | "-") term)*
    term ::= [1-9] [0-9]? | "(" expr ")"
    """);

// A property that holds: our evaluator agrees with System.Data's.
Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(expressions, e =>
    Evaluate(e) == Convert.ToInt64(new System.Data.DataTable().Compute(e, null), CultureInfo.InvariantCulture)));
Console.WriteLine("evaluator agrees with DataTable.Compute on 300 expressions");

// A property that fails: FsCheck shrinks the counterexample, and it stays a valid expression.
try
{
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(300).WithReplay(1, 3), Prop.ForAll(expressions, e => Evaluate(e) < 150));
}
catch (Exception failure)
{
    var lines = failure.Message.Split('\n');
    Console.WriteLine("shrunk counterexample: " + lines[Array.FindIndex(lines, l => l.StartsWith("Shrunk", StringComparison.Ordinal)) + 1].Trim());
}

// Typed values from a C# type's schema.
var orders = StructuredGen.For<Order>().Sample(3);
foreach (var o in orders) Console.WriteLine(o);

static long Evaluate(string text)
{
    int at = 0;
    long Expr()
    {
        long v = Term();
        while (at < text.Length && text[at] is '+' or '-') v = text[at++] == '+' ? v + Term() : v - Term();
        return v;
    }
    long Term()
    {
        if (text[at] == '(') { at++; long v = Expr(); at++; return v; }
        int start = at;
        while (at < text.Length && char.IsAsciiDigit(text[at])) at++;
        return long.Parse(text[start..at], CultureInfo.InvariantCulture);
    }
    return Expr();
}

public sealed record Order([property: System.ComponentModel.DataAnnotations.Range(1, 9)] int Quantity, bool Gift);
