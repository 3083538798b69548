using System.Diagnostics;


namespace Structured.Torch.Tests.Cli;

/// <summary>The grammars of the repository, copied next to the tests.</summary>
internal static class GrammarFiles
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "grammars");

    public static IEnumerable<string> Names =>
        Directory.GetFiles(Folder).Where(f => Structured.Grammars.GrammarFile.Extensions.Contains(Path.GetExtension(f))).Select(Path.GetFileName).Order()!;
}

/// <summary>
/// The <c>structured</c> command's contract: exit codes and messages of <c>check</c>, <c>compile</c> and <c>generate</c>.
/// They live here because the command includes the TorchSharp runtime, and only this test project carries its natives.
/// </summary>
public class CliTests
{
    private static (int Code, string Out, string Err) Run(string stdin, string[] args) => Run(stdin, args.AsSpan());

    private static (int Code, string Out, string Err) Run(string stdin, params ReadOnlySpan<string> args) => RunWith(null, stdin, args);

    private static (int Code, string Out, string Err) RunWith((string Name, string Value)? variable, string stdin, params ReadOnlySpan<string> args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (variable is { } v) psi.Environment[v.Name] = v.Value;
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

    private const string Bigram = """{"tokens": ["a", "b", "ab"], "start": [0.3, 0.3, 0.3, 0.1], "next": [[0.25, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25], [0.1, 0.1, 0.1, 0.7]]}""";

    [Fact]
    public void Check_and_generate_fill_in_the_middle()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        string pre = Path.Combine(dir, "pre.lua"), suf = Path.Combine(dir, "suf.lua");
        File.WriteAllText(pre, "local x = 1\nfunction f(a, b)\n  return a");
        File.WriteAllText(suf, " + b\nend\nprint(f(x, 2))\n");
        string[] fim = ["--grammar", GrammarPath("lua.lark"), "--fim-prefix", pre, "--fim-suffix", suf];
        Assert.Equal(0, Run(" * 2", ["check", .. fim]).Code);
        Assert.Equal(0, Run("", ["check", .. fim]).Code); // "return a + b" needs no middle
        var open = Run(" * (2", ["check", .. fim]);
        Assert.Equal(1, open.Code);
        Assert.Contains("not complete", open.Err);
        Assert.Equal(0, Run(" * (2", ["check", "--prefix", .. fim]).Code);
        var dead = Run(" * (2))", ["check", "--prefix", .. fim]);
        Assert.Equal(1, dead.Code);
        Assert.Contains("byte 6", dead.Err);
        File.WriteAllText(suf, "\n= = 1"); // on one line a comment could swallow it
        var noSentence = Run("", ["check", .. fim]);
        Assert.Equal(1, noSentence.Code);
        Assert.Contains("suffix", noSentence.Err);

        File.WriteAllText(pre, "ab");
        File.WriteAllText(suf, "ab");
        var model = Path.Combine(dir, "bigram.json");
        File.WriteAllText(model, Bigram);
        var (code, stdout, err) = Run("", "generate", "--regex", "(ab)+", "--model", "bigram:" + model, "--fim-prefix", pre, "--fim-suffix", suf, "--samples", "3");
        Assert.True(code == 0, err);
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            Assert.Matches("^(ab)*$", doc.RootElement.GetProperty("text").GetString()!);
            Assert.True(doc.RootElement.GetProperty("complete").GetBoolean());
        }
    }

    [Fact]
    public void Generate_with_a_bigram_model_writes_one_accepted_json_line_per_sample()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, Bigram);
        var (code, stdout, err) = Run("", "generate", "--regex", "(ab)+", "--model", "bigram:" + file, "--samples", "5", "--seed", "3");
        Assert.True(code == 0, err);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        foreach (var line in lines)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            string text = doc.RootElement.GetProperty("text").GetString()!;
            Assert.Matches("^(ab)+$", text);
            Assert.True(doc.RootElement.GetProperty("log_weight").GetDouble() < 0);
        }
        var again = Run("", "generate", "--regex", "(ab)+", "--model", "bigram:" + file, "--samples", "5", "--seed", "3");
        Assert.Equal(stdout, again.Out); // seeds make runs reproducible
    }

    [Theory]
    [InlineData("""{"tokens": ["a"], "start": [0.5, 0.6], "next": [[1, 0]]}""", "start sums to")]
    [InlineData("""{"tokens": ["a"], "start": [0.5, 0.5]}""", "\"next\"")]
    [InlineData("""{"tokens": ["a"], "start": [1], "next": [[1, 0]]}""", "start has 1 probabilities")]
    [InlineData("""not json""", "not valid JSON")]
    public void Generate_rejects_a_malformed_bigram_file_with_exit_2(string content, string message)
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, content);
        var (code, _, err) = Run("", "generate", "--regex", "a", "--model", "bigram:" + file);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
        Assert.Contains(file, err);
    }

    [Fact]
    public void A_libtorch_folder_without_libtorch_is_a_model_error_that_names_the_variable()
    {
        var empty = Directory.CreateTempSubdirectory().FullName;
        var (code, _, err) = RunWith((TorchNativeLoader.LibTorchVariable, empty), "", "generate", "--regex", "a+", "--max-tokens", "3");
        Assert.Equal(2, code);
        Assert.Contains($"{TorchNativeLoader.LibTorchVariable}={empty}: no libtorch_cpu.so", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal); // a message, not a stack trace
    }

    [Fact]
    public void Generate_with_the_default_model_satisfies_the_schema()
    {
        var schema = Path.GetTempFileName();
        File.WriteAllText(schema, """{"type": "object", "properties": {"name": {"type": "string", "maxLength": 12}, "age": {"type": "integer", "minimum": 0, "maximum": 120}}, "required": ["name", "age"], "additionalProperties": false}""");
        var (code, stdout, err) = Run("", "generate", "--schema", schema, "--prompt", "Return a JSON object for a person.", "--samples", "2", "--max-tokens", "80", "--seed", "1");
        Assert.True(code == 0, err);
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            if (!doc.RootElement.GetProperty("complete").GetBoolean()) continue; // stopped at the token limit
            using var value = System.Text.Json.JsonDocument.Parse(doc.RootElement.GetProperty("text").GetString()!);
            double age = value.RootElement.GetProperty("age").GetDouble(); // 2020-12 integers may be written 12.0
            Assert.InRange(age, 0, 120);
            Assert.Equal(Math.Floor(age), age);
            Assert.True(value.RootElement.GetProperty("name").GetString()!.Length <= 12);
        }
    }

    [Fact]
    public void Generate_names_a_missing_model_folder()
    {
        var (code, _, err) = Run("", "generate", "--regex", "a", "--model", "/nonexistent/model");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/model", err);
    }

    [Theory]
    [InlineData("awrs")]
    [InlineData("smc")]
    public void Generate_with_weighted_samplers_writes_accepted_lines(string sampler)
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, Bigram);
        var (code, stdout, err) = Run("", "generate", "--regex", "(ab)+", "--model", "bigram:" + file, "--sampler", sampler, "--particles", "4", "--samples", "3", "--seed", "2");
        Assert.True(code == 0, err);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        foreach (var line in lines)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            Assert.Matches("^(ab)+$", doc.RootElement.GetProperty("text").GetString()!);
            if (sampler == "smc") Assert.True(doc.RootElement.GetProperty("log_ml").GetDouble() < 0);
        }
        Assert.Equal(stdout, Run("", "generate", "--regex", "(ab)+", "--model", "bigram:" + file, "--sampler", sampler, "--particles", "4", "--samples", "3", "--seed", "2").Out);
    }

    [Fact]
    public void Weighted_samplers_refuse_temperature()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, Bigram);
        var (code, _, err) = Run("", "generate", "--regex", "(ab)+", "--model", "bigram:" + file, "--sampler", "awrs", "--temperature", "0.5");
        Assert.Equal(2, code);
        Assert.Contains("temperature", err);
    }

    [Fact]
    public void Eval_alignment_reports_distances_to_the_exact_posterior_and_refuses_large_enumerations()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, """{"tokens": ["a", "b"], "start": [0.9, 0.1, 0], "next": [[0.5, 0.1, 0.4], [0, 0, 1]]}""");
        var (code, stdout, err) = Run("", "eval", "alignment", "--model", "bigram:" + file, "--regex", "b|ab", "--sampler", "lcd", "--samples", "3000", "--max-tokens", "5", "--seed", "1");
        Assert.True(code == 0, err);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.Equal(2, doc.RootElement.GetProperty("support").GetInt32());
        Assert.InRange(doc.RootElement.GetProperty("tv").GetDouble(), 0.426 - 0.05, 0.426 + 0.05); // 5 standard errors at 3000 samples
        Assert.Equal(Math.Log(0.19), doc.RootElement.GetProperty("log_z").GetDouble(), 5);

        var wide = Path.GetTempFileName();
        File.WriteAllText(wide, """{"tokens": ["a", "b"], "start": [0.4, 0.4, 0.2], "next": [[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]]}""");
        var refused = Run("", "eval", "alignment", "--model", "bigram:" + wide, "--regex", "[ab]*", "--sampler", "smc", "--particles", "4", "--max-tokens", "30", "--max-sequences", "10000");
        Assert.Equal(2, refused.Code);
        Assert.Contains("more than 10,000", refused.Err);
        var notBigram = Run("", "eval", "alignment", "--model", "default", "--regex", "a", "--sampler", "lcd");
        Assert.Equal(2, notBigram.Code);
        Assert.Contains("bigram:FILE", notBigram.Err);
    }
}
