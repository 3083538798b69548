using System.Diagnostics;

namespace Structured.Torch.Tests;

/// <summary>Runs every project in examples/ with the embedded model, so they never rot.</summary>
public sealed class ExamplesTests
{
    public static TheoryData<string, string> Examples => new()
    {
        { "QuickStart", @"streamed: Person \{ Name = .*, Age = \d+ \}[\s\S]*smc: Person" },
        { "ChatClient", @"date: 20\d\d-(0[1-9]|1[0-2])-[0-2]\d \(stop" },
        { "SemanticKernel", @"\(\d{4}\)\s+[A-Z]{3}-\d{4}" },
        { "OpenAIServer", @"listening at http://127\.0\.0\.1:\d+/v1\s+\{.*""age"": ?\d+\}" },
        { "PropertyTests", @"agrees with DataTable\.Compute[\s\S]*shrunk counterexample: ""[0-9+\-()]+""" },
        { "SqlWithSmc", @"log Z = -?\d+\.\d\d; posterior:" },
        { "FillInTheMiddle", @"lcd: SELECT name, ag\[.*\] FROM users ORDER BY name; \(stop\)[\s\S]*lua middle "" \* h"": fits\s+lua middle "" \* \(h"": does not fit" },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Example_runs_and_prints_what_its_readme_says(string name, string expected)
    {
        string root = RepositoryRoot();
        string project = Path.Combine(root, "examples", name);
        Assert.True(File.Exists(Path.Combine(project, "README.md")), $"{name} has no README.md");
        // The solution build (dotnet test) has built it; run its output, or build and run it when tests run alone.
        string dll = Path.Combine(project, "bin", "Debug", "net10.0", name + ".dll");
        var start = File.Exists(dll)
            ? new ProcessStartInfo("dotnet", [dll])
            : new ProcessStartInfo("dotnet", ["run", "--project", project]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = root;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        string output = await stdout, errors = await stderr;
        Assert.True(process.ExitCode == 0, $"{name} exited with {process.ExitCode}:\n{output}\n{errors}");
        Assert.Matches(expected, output);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Structured.sln"))) return dir.FullName;
        throw new InvalidOperationException("the tests run outside the repository");
    }
}
