namespace Structured.Schemas;

/// <summary>The JSON Schema dialects that are read; they differ in a few keywords (<c>items</c>, <c>$ref</c> siblings, <c>dependencies</c>).</summary>
public enum SchemaDraft
{
    /// <summary>Draft 4 (<c>id</c>, boolean <c>exclusiveMinimum</c>).</summary>
    Draft4,

    /// <summary>Draft 6.</summary>
    Draft6,

    /// <summary>Draft 7.</summary>
    Draft7,

    /// <summary>Draft 2019-09.</summary>
    Draft201909,

    /// <summary>Draft 2020-12, the default for a schema without <c>$schema</c>.</summary>
    Draft202012,
}

/// <summary>Reading draft names.</summary>
public static class SchemaDrafts
{
    /// <summary>The draft named by a <c>$schema</c> URI, or null when it names none that is known.</summary>
    public static SchemaDraft? FromUri(string uri)
    {
        if (uri.Contains("draft-04", StringComparison.Ordinal)) return SchemaDraft.Draft4;
        if (uri.Contains("draft-06", StringComparison.Ordinal)) return SchemaDraft.Draft6;
        if (uri.Contains("draft-07", StringComparison.Ordinal)) return SchemaDraft.Draft7;
        if (uri.Contains("2019-09", StringComparison.Ordinal)) return SchemaDraft.Draft201909;
        if (uri.Contains("2020-12", StringComparison.Ordinal)) return SchemaDraft.Draft202012;
        return null;
    }

    /// <summary>Parses the command-line spelling: 2020-12, 2019-09, 7, 6, 4 (with or without "draft").</summary>
    public static SchemaDraft? Parse(string text) => text.Replace("draft", "", StringComparison.OrdinalIgnoreCase).Trim('-', ' ') switch
    {
        "2020-12" => SchemaDraft.Draft202012,
        "2019-09" => SchemaDraft.Draft201909,
        "7" or "07" => SchemaDraft.Draft7,
        "6" or "06" => SchemaDraft.Draft6,
        "4" or "04" => SchemaDraft.Draft4,
        _ => null,
    };
}
