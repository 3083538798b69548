using System.Text.RegularExpressions;
using Structured;
using Structured.Potentials;
using Structured.Torch;

using var model = DefaultModel.Load();
var sql = Constraint.Lark(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "sql.lark")));

// A semantic potential that a grammar cannot say: only these tables exist. It reads partial text, so particles
// that name another table die as soon as the name is complete, and SMC moves their weight to the others.
string[] tables = ["users", "orders"];
var knownTables = Potential.FromPredicate(
    isViablePrefix: text => TablesNamed(text, complete: false).All(t => tables.Contains(t, StringComparer.OrdinalIgnoreCase)),
    isAcceptable: text => TablesNamed(text, complete: true).All(t => tables.Contains(t, StringComparer.OrdinalIgnoreCase)));

var options = new GenerationOptions { Sampler = SamplerKind.Smc, Particles = 16, Critic = knownTables, MaxTokens = 64, Seed = 1 };
var result = await model.GenerateTextAsync("-- a query over users and orders\n", sql, options);
Console.WriteLine(result.Value);
Console.WriteLine($"log Z = {result.LogMarginalLikelihood:F2}; posterior:");
foreach (var entry in result.Posterior!.Take(5)) Console.WriteLine($"  {entry.Probability:F3}  {entry.Text}");

// Table names after FROM or JOIN; in a prefix, the last name may still be growing.
static IEnumerable<string> TablesNamed(string text, bool complete)
{
    var names = Regex.Matches(text, @"\b(?:from|join|update|into)\s+([A-Za-z_][A-Za-z0-9_]*)", RegexOptions.IgnoreCase).Select(m => m.Groups[1]);
    return names.Where(g => complete || g.Index + g.Length < text.Length).Select(g => g.Value);
}
