using System.CommandLine;
using System.Globalization;
using System.Text;
using Structured.Evaluation;
using Structured.Models;
using Structured.Parsing;
using Structured.Potentials;

namespace Structured.Cli.Eval;

/// <summary>
/// <c>structured eval alignment-suite</c>: the figures of docs/alignment.md. Runs every sampler on the closed-form toy
/// problem and on five random bigram models whose constraints have dead ends (Dyck languages, aⁿbⁿ, regexes), writes
/// the models it generated, a Markdown table and an SVG plot of total variation against the number of particles.
/// </summary>
internal static class AlignmentSuite
{
    private sealed record Case(string Name, string Constraint, string ModelJson, Func<CompiledGrammar> Compile, int MaxTokens);

    private static readonly int[] ParticleCounts = [4, 16, 32, 64];

    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the models, alignment-results.md and alignment-tv.svg.", Required = true };
        var samples = new Option<int>("--samples") { Description = "Runs per sampler and particle count.", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random models and of the runs.", DefaultValueFactory = _ => 1 };
        var resampleFinished = new Option<bool>("--resample-finished") { Description = "Let finished particles take part in SMC resampling (llamppl's smc_standard); by default only live particles are resampled." };
        var command = new Command("alignment-suite", "Run every sampler on the toy problem and five random bigram models; write a table and a plot of TV against N.");
        command.Options.Add(output);
        command.Options.Add(samples);
        command.Options.Add(seed);
        command.Options.Add(resampleFinished);
        command.SetAction(async (result, cancellationToken) =>
        {
            var dir = result.GetValue(output)!;
            int m = result.GetValue(samples), s = result.GetValue(seed);
            if (m < 1) { Console.Error.WriteLine("error: --samples must be at least 1"); return ExitCodes.BadConstraint; }
            dir.Create();
            var cases = Cases(new Random(s));
            var table = new StringBuilder();
            table.AppendLine("| case | constraint | T | support | log Z | sampler | N | TV | KL | log Z − mean log Ẑ |");
            table.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
            var series = new List<(string Case, string Method, List<(int N, double Tv)> Points)>();
            using var progress = new ConsoleProgress("alignment cases", cases.Count);
            foreach (var c in cases)
            {
                progress.Advance();
                File.WriteAllText(Path.Combine(dir.FullName, $"{c.Name}.bigram.json"), c.ModelJson);
                var model = BigramModel.Parse(c.ModelJson, c.Name);
                var potential = Potential.FromGrammar(c.Compile());
                var exact = ExactPosterior.Enumerate(model, potential, c.MaxTokens);
                var runs = new List<(AlignmentMethod Method, int N)> { (AlignmentMethod.Lcd, 1) };
                foreach (var method in new[] { AlignmentMethod.Awrs, AlignmentMethod.Smc, AlignmentMethod.AwrsSmc })
                    foreach (int n in ParticleCounts) runs.Add((method, n));
                var reports = await Task.WhenAll(runs.Select(r => Task.Run(() =>
                    AlignmentEvaluator.EvaluateAsync(model, potential, exact, r.Method, r.N, m, c.MaxTokens, s, result.GetValue(resampleFinished), cancellationToken), cancellationToken)));
                foreach (var r in reports)
                {
                    table.AppendLine(CultureInfo.InvariantCulture,
                        $"| {c.Name} | `{c.Constraint}` | {c.MaxTokens} | {exact.Probabilities.Count} | {EvalCommand.F(exact.LogZ)} | {EvalCommand.MethodName(r.Method)} | {r.Particles} | {EvalCommand.F(r.TotalVariation)} | {EvalCommand.F(r.KlDivergence)} | {EvalCommand.F(r.Gap)} |");
                    Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { @case = c.Name, summary = EvalCommand.Summary(r, exact) }));
                }
                foreach (var method in new[] { AlignmentMethod.Lcd, AlignmentMethod.Awrs, AlignmentMethod.Smc, AlignmentMethod.AwrsSmc })
                {
                    var points = reports.Where(r => r.Method == method).Select(r => (r.Particles, r.TotalVariation)).ToList();
                    if (method == AlignmentMethod.Lcd) points = [.. ParticleCounts.Prepend(1).Select(n => (n, points[0].TotalVariation))]; // LCD has no N: a flat line
                    series.Add((c.Name, EvalCommand.MethodName(method), points));
                }
            }
            File.WriteAllText(Path.Combine(dir.FullName, "alignment-results.md"), table.ToString());
            File.WriteAllText(Path.Combine(dir.FullName, "alignment-tv.svg"), SvgPlot.TvAgainstParticles(cases.Select(c => c.Name).ToList(), series));
            Console.Error.WriteLine($"wrote {dir.FullName}/alignment-results.md and alignment-tv.svg");
            return ExitCodes.Accepted;
        });
        return command;
    }

    private static List<Case> Cases(Random rng)
    {
        const string toy = """{"tokens": ["a", "b"], "start": [0.9, 0.1, 0], "next": [[0.5, 0.1, 0.4], [0, 0, 1]]}""";
        return
        [
            new("toy", "b|ab", toy, () => CompiledGrammar.FromRegex("b|ab"), 5),
            new("dyck", "d ::= (\"(\" d \")\")*", RandomBigram(rng, ["(", ")", "()"]), () => CompiledGrammar.FromGbnf("root ::= d\nd ::= (\"(\" d \")\")*"), 8),
            new("anbn", "s ::= \"a\" s \"b\" | \"ab\"", RandomBigram(rng, ["a", "b", "ab"]), () => CompiledGrammar.FromGbnf("root ::= \"a\" root \"b\" | \"ab\""), 8),
            new("dyck2", "d ::= (\"(\" d \")\" | \"[\" d \"]\")*", RandomBigram(rng, ["(", ")", "[", "]"]), () => CompiledGrammar.FromGbnf("root ::= d\nd ::= (\"(\" d \")\" | \"[\" d \"]\")*"), 8),
            new("regex-pairs", "(ab|ba)*c", RandomBigram(rng, ["a", "b", "c"]), () => CompiledGrammar.FromRegex("(ab|ba)*c"), 8),
            new("regex-even", "((a|b)(a|b))*c", RandomBigram(rng, ["a", "b", "c", "ab"]), () => CompiledGrammar.FromRegex("((a|b)(a|b))*c"), 8),
        ];
    }

    /// <summary>A random bigram model: each row a Dirichlet(0.5) draw, so the model has strong, often misguided, preferences.</summary>
    private static string RandomBigram(Random rng, string[] tokens)
    {
        string Row()
        {
            // Dirichlet(1/2) as normalised squared normals (a Gamma(1/2) draw is half a chi-square with one degree of freedom).
            var w = Enumerable.Range(0, tokens.Length + 1).Select(_ =>
            {
                double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
                double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                return z * z + 1e-6;
            }).ToArray();
            double s = w.Sum();
            return "[" + string.Join(", ", w.Select(x => (x / s).ToString("R", CultureInfo.InvariantCulture))) + "]";
        }
        var names = string.Join(", ", tokens.Select(t => System.Text.Json.JsonSerializer.Serialize(t)));
        var next = string.Join(",\n  ", tokens.Select(_ => Row()));
        return $"{{\"tokens\": [{names}],\n \"start\": {Row()},\n \"next\": [\n  {next}]}}\n";
    }
}
