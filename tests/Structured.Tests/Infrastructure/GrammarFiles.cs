using System.Text;
using Structured.Grammars;
using Structured.Parsing;

namespace Structured.Tests.Infrastructure;

/// <summary>The grammars in the repository's <c>grammars/</c> folder, copied next to the tests, and their examples.</summary>
public static class GrammarFiles
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "grammars");

    public static IEnumerable<string> Names =>
        Directory.GetFiles(Folder).Where(f => GrammarFile.Extensions.Contains(Path.GetExtension(f))).Select(Path.GetFileName).Order()!;

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var n in Names) data.Add(n);
        return data;
    }

    private static readonly Dictionary<string, (Grammar, CompiledGrammar)> Cache = [];

    public static (Grammar Grammar, CompiledGrammar Compiled) Load(string name)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(name, out var pair))
            {
                var g = GrammarFile.Load(Path.Combine(Folder, name));
                pair = (g, CompiledGrammar.Compile(g));
                Cache[name] = pair;
            }
            return pair;
        }
    }

    public static IEnumerable<(string File, byte[] Bytes)> Examples(string grammar, string kind)
    {
        string dir = Path.Combine(Folder, "examples", grammar, kind);
        return Directory.GetFiles(dir).Order().Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)));
    }

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
