using System.Diagnostics;
using Structured.Tests.Infrastructure;

namespace Structured.Tests.Cli;

/// <summary>The <c>structured</c> command's contract: exit codes and messages of <c>check</c> and <c>compile</c>.</summary>
public class CliTests
{
    private static (int Code, string Out, string Err) Run(string stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Structured.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "structured did not exit");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string GrammarPath(string name) => Path.Combine(GrammarFiles.Folder, name);

    [Fact]
    public void Check_answers_every_example_of_every_grammar()
    {
        foreach (var grammar in GrammarFiles.Names)
        {
            foreach (var kind in new[] { "valid", "invalid" })
            {
                foreach (var file in Directory.GetFiles(Path.Combine(GrammarFiles.Folder, "examples", grammar, kind)))
                {
                    var (code, _, err) = Run("", "check", "--grammar", GrammarPath(grammar), "--input", file);
                    Assert.True(code == (kind == "valid" ? 0 : 1), $"{grammar} {file}: exit {code} {err}");
                    if (kind == "invalid") Assert.Contains("byte offset", err, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public void Check_reads_standard_input_and_supports_prefix_mode()
    {
        Assert.Equal(0, Run("{\"a\": [1, 2]}", "check", "--grammar", GrammarPath("json.gbnf")).Code);
        var (code, _, err) = Run("{\"a\": [1, 2", "check", "--grammar", GrammarPath("json.gbnf"));
        Assert.Equal(1, code);
        Assert.Contains("unexpected end of input", err, StringComparison.Ordinal);
        Assert.Equal(0, Run("{\"a\": [1, 2", "check", "--prefix", "--grammar", GrammarPath("json.gbnf")).Code);
        var bad = Run("{\"a\" 1", "check", "--prefix", "--grammar", GrammarPath("json.gbnf"));
        Assert.Equal(1, bad.Code);
        Assert.Contains("byte offset 5", bad.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_with_a_regex()
    {
        Assert.Equal(0, Run("2024-02-29", "check", "--regex", @"\d{4}-\d{2}-\d{2}").Code);
        Assert.Equal(1, Run("2024-02-2", "check", "--regex", @"\d{4}-\d{2}-\d{2}").Code);
        var (code, _, err) = Run("x", "check", "--regex", "(?=x)x");
        Assert.Equal(2, code);
        Assert.Contains("lookahead", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_constraints_exit_2_with_location_and_cause()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        string bad = Path.Combine(dir, "bad.gbnf");
        File.WriteAllText(bad, "root ::= \"a\"\n  | undefined-rule\n");
        var (code, _, err) = Run("a", "check", "--grammar", bad);
        Assert.Equal(2, code);
        Assert.Contains("bad.gbnf:2:5", err, StringComparison.Ordinal);
        Assert.Contains("undefined rule", err, StringComparison.Ordinal);

        string schema = Path.Combine(dir, "s.json");
        File.WriteAllText(schema, "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\", \"pattern\": \"(?<=x)y\"}}}");
        var s = Run("{}", "check", "--schema", schema);
        Assert.Equal(2, s.Code);
        Assert.Contains("#/properties/a/pattern", s.Err, StringComparison.Ordinal);
        Assert.Contains("lookbehind", s.Err, StringComparison.OrdinalIgnoreCase);

        Assert.Equal(2, Run("", "check").Code);
        Assert.Equal(2, Run("", "check", "--grammar", Path.Combine(dir, "missing.gbnf")).Code);
        Assert.Equal(2, Run("", "check", "--no-such-option").Code);
    }

    [Fact]
    public void Compile_prints_the_grammar()
    {
        var (code, output, _) = Run("", "compile", "--grammar", GrammarPath("arithmetic.gbnf"), "--print-grammar");
        Assert.Equal(0, code);
        Assert.Contains("expr: term", output, StringComparison.Ordinal);
        Assert.Contains("compiled:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_is_available_for_every_command()
    {
        foreach (var cmd in new[] { "check", "compile" })
        {
            var (code, output, _) = Run("", cmd, "--help");
            Assert.Equal(0, code);
            Assert.Contains("--grammar", output, StringComparison.Ordinal);
        }
    }
}
