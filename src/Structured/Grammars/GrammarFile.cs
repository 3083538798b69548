namespace Structured.Grammars;

/// <summary>Loads a grammar file, choosing the reader by extension: <c>.gbnf</c>, <c>.lark</c> or <c>.g4</c> (ANTLR).</summary>
public static class GrammarFile
{
    /// <summary>The extensions this version reads.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".gbnf", ".lark", ".g4"];

    /// <summary>Reads and parses <paramref name="path"/>; throws <see cref="GrammarException"/> for bad or unsupported grammars.</summary>
    public static Grammar Load(string path)
    {
        // An ANTLR parser grammar may name its lexer grammar (tokenVocab), which is read from the same folder.
        if (Path.GetExtension(path).Equals(".g4", StringComparison.OrdinalIgnoreCase)) return AntlrReader.ReadFile(path, strict: false, out _);
        string text = File.ReadAllText(path);
        return Parse(text, Path.GetExtension(path), Path.GetFileName(path));
    }

    /// <summary>Parses grammar text in the format that <paramref name="extension"/> names.</summary>
    public static Grammar Parse(string text, string extension, string? sourceName = null) => extension.ToLowerInvariant() switch
    {
        ".gbnf" => Grammar.FromGbnf(text, sourceName),
        ".lark" => Grammar.FromLark(text, sourceName),
        ".g4" => Grammar.FromAntlr(text, sourceName),
        _ => throw new GrammarException($"{sourceName}: unknown grammar format '{extension}'; use .gbnf, .lark or .g4"),
    };
}
