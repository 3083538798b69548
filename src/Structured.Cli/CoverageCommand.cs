using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Structured.Parsing;
using Structured.Schemas;

namespace Structured.Cli;

/// <summary>
/// <c>structured coverage</c>: runs the official JSON Schema Test Suite through the schema compiler as a recognizer
/// (or through the validator), and counts per keyword file the instances passed, compile errors, invalid instances
/// accepted and valid instances rejected.
/// </summary>
internal static class CoverageCommand
{
    public static Command Create()
    {
        var suite = new Option<DirectoryInfo>("--test-suite") { Description = "The JSON-Schema-Test-Suite folder (holding tests/ and remotes/), or one draft's tests folder.", Required = true };
        var draft = new Option<string>("--draft") { Description = "2020-12 (default), 2019-09 or 7.", DefaultValueFactory = _ => "2020-12" };
        var engine = new Option<string>("--engine") { Description = "grammar (default): compile each schema and parse each instance; validator: the schema validator.", DefaultValueFactory = _ => "grammar" };
        var command = new Command("coverage", "Run the JSON Schema Test Suite and report, per keyword file, instances passed, compile errors, invalid accepted and valid rejected.");
        command.Options.Add(suite);
        command.Options.Add(draft);
        command.Options.Add(engine);
        command.SetAction(result =>
        {
            var d = SchemaDrafts.Parse(result.GetValue(draft)!);
            string eng = result.GetValue(engine)!;
            if (d is null || eng is not ("grammar" or "validator"))
            {
                Console.Error.WriteLine("error: --draft takes 2020-12, 2019-09 or 7; --engine takes grammar or validator");
                return ExitCodes.BadConstraint;
            }
            return Run(result.GetValue(suite)!, result.GetValue(draft)!, d.Value, eng == "validator");
        });
        return command;
    }

    private sealed class Tally
    {
        public int Instances, Passed, CompileErrors, InvalidAccepted, ValidRejected;

        public void Add(Tally t)
        {
            Instances += t.Instances; Passed += t.Passed; CompileErrors += t.CompileErrors;
            InvalidAccepted += t.InvalidAccepted; ValidRejected += t.ValidRejected;
        }
    }

    private static int Run(DirectoryInfo root, string draftName, SchemaDraft draft, bool validator)
    {
        string draftFolder = "draft" + (draftName is "7" or "07" ? "7" : draftName);
        string tests = Directory.Exists(Path.Combine(root.FullName, "tests", draftFolder)) ? Path.Combine(root.FullName, "tests", draftFolder) : root.FullName;
        string? remotesDir = new[] { Path.Combine(root.FullName, "remotes"), Path.Combine(tests, "..", "..", "remotes") }.FirstOrDefault(Directory.Exists);
        var remotes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (remotesDir is not null)
            foreach (var f in Directory.EnumerateFiles(remotesDir, "*.json", SearchOption.AllDirectories))
                remotes["http://localhost:1234/" + Path.GetRelativePath(remotesDir, f).Replace('\\', '/')] = File.ReadAllText(f);
        if (!Directory.Exists(tests))
        {
            Console.Error.WriteLine($"error: {tests} does not exist");
            return ExitCodes.BadConstraint;
        }
        var files = Directory.EnumerateFiles(tests, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var required = new Tally();
        var optional = new Tally();
        var rows = new StringBuilder();
        rows.AppendLine("| file | instances | passed | compile errors | invalid accepted | valid rejected |");
        rows.AppendLine("|---|---:|---:|---:|---:|---:|");
        var failures = new StringBuilder();
        using var progress = new ConsoleProgress("coverage files", files.Count);
        foreach (var file in files)
        {
            progress.Advance();
            string rel = Path.GetRelativePath(tests, file).Replace('\\', '/');
            bool formats = rel.StartsWith("optional/format", StringComparison.Ordinal);
            var tally = new Tally();
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var group in doc.RootElement.EnumerateArray())
            {
                var schema = group.GetProperty("schema");
                var cases = group.GetProperty("tests").EnumerateArray().ToList();
                Func<JsonElement, bool>? accepts = null;
                string? error = null;
                try
                {
                    var options = new JsonSchemaOptions { DefaultDraft = draft, Documents = remotes, AssertFormats = formats, Timeout = TimeSpan.FromSeconds(10) };
                    if (validator)
                    {
                        var v = new SchemaValidator(SchemaSet.Load(schema, draft, remotes), formats);
                        accepts = v.IsValid;
                    }
                    else
                    {
                        var g = CompiledGrammar.Compile(JsonSchema.ToGrammar(SchemaSet.Load(schema, draft, remotes), options).Grammar);
                        _ = g.InitialState;
                        accepts = x => g.Accepts(Encoding.UTF8.GetBytes(JsonText.Compact(x)));
                    }
                }
                catch (EmptyLanguageException)
                {
                    accepts = _ => false; // the compiler proved that nothing satisfies the schema
                }
                catch (GrammarException e)
                {
                    error = e.Message;
                }
                foreach (var c in cases)
                {
                    tally.Instances++;
                    bool valid = c.GetProperty("valid").GetBoolean();
                    if (accepts is null) { tally.CompileErrors++; continue; }
                    bool accepted;
                    try { accepted = accepts(c.GetProperty("data")); }
                    catch (GrammarException) { tally.CompileErrors++; continue; }
                    if (accepted == valid) tally.Passed++;
                    else if (accepted)
                    {
                        tally.InvalidAccepted++;
                        failures.AppendLine($"invalid accepted: {rel}: {group.GetProperty("description").GetString()} / {c.GetProperty("description").GetString()}");
                    }
                    else
                    {
                        tally.ValidRejected++;
                        failures.AppendLine($"valid rejected: {rel}: {group.GetProperty("description").GetString()} / {c.GetProperty("description").GetString()}");
                    }
                }
                if (error is not null) failures.AppendLine($"compile error: {rel}: {group.GetProperty("description").GetString()}: {error}");
            }
            (rel.StartsWith("optional/", StringComparison.Ordinal) ? optional : required).Add(tally);
            rows.AppendLine(CultureInfo.InvariantCulture, $"| {rel} | {tally.Instances} | {tally.Passed} | {tally.CompileErrors} | {tally.InvalidAccepted} | {tally.ValidRejected} |");
        }
        var all = new Tally();
        all.Add(required);
        all.Add(optional);
        Console.Error.Write(failures.ToString());
        Console.WriteLine($"# JSON Schema Test Suite, {draftFolder}, engine: {(validator ? "validator" : "grammar")}");
        Console.WriteLine();
        Console.Write(rows.ToString());
        foreach (var (label, t) in new[] { ("required (all but optional/)", required), ("optional/", optional), ("total", all) })
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| **{label}** | {t.Instances} | {t.Passed} ({100.0 * t.Passed / Math.Max(1, t.Instances):0.0}%) | {t.CompileErrors} | {t.InvalidAccepted} | {t.ValidRejected} |"));
        return 0;
    }
}
