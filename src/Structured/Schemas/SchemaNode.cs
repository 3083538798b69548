using System.Text.Json;

namespace Structured.Schemas;

/// <summary>
/// One subschema of a loaded schema: its JSON, where it is (a JSON pointer), its base URI for resolving references,
/// and its dialect. Nodes are created once per location by <see cref="SchemaSet"/>, so they compare by reference.
/// </summary>
public sealed class SchemaNode
{
    internal SchemaNode(SchemaSet set, int id, int document, JsonElement element, string pointer, Uri baseUri, SchemaDraft draft)
    {
        Set = set;
        Id = id;
        Document = document;
        Element = element;
        LocalPointer = pointer;
        BaseUri = baseUri;
        Draft = draft;
    }

    /// <summary>The set that loaded this node and resolves its references.</summary>
    public SchemaSet Set { get; }

    /// <summary>A number unique within the set.</summary>
    public int Id { get; }

    internal int Document { get; }

    /// <summary>The schema's JSON: an object, or <c>true</c>/<c>false</c>.</summary>
    public JsonElement Element { get; }

    /// <summary>The JSON pointer inside its document, without the leading <c>#</c> (empty at the root).</summary>
    public string LocalPointer { get; }

    /// <summary>The pointer as written in messages: <c>#/properties/a</c>, prefixed by the document URI for documents other than the root.</summary>
    public string Pointer => Document == 0 ? "#" + LocalPointer : Set.DocumentUri(Document) + "#" + LocalPointer;

    /// <summary>The base URI that relative references in this node resolve against.</summary>
    public Uri BaseUri { get; }

    /// <summary>The dialect in force here.</summary>
    public SchemaDraft Draft { get; }

    /// <summary>The boolean schema <c>true</c> (or an empty object would behave the same, but this is only the literal).</summary>
    public bool IsTrue => Element.ValueKind == JsonValueKind.True;

    /// <summary>The boolean schema <c>false</c>.</summary>
    public bool IsFalse => Element.ValueKind == JsonValueKind.False;

    /// <summary>True before draft 2019-09, where <c>$ref</c> makes its sibling keywords ignored.</summary>
    internal bool RefOverridesSiblings => Draft <= SchemaDraft.Draft7 && Has("$ref");

    /// <summary>The value of a keyword, when present.</summary>
    public bool TryGet(string keyword, out JsonElement value)
    {
        if (Element.ValueKind == JsonValueKind.Object && Element.TryGetProperty(keyword, out value)) return true;
        value = default;
        return false;
    }

    /// <summary>Whether the keyword is present.</summary>
    public bool Has(string keyword) => TryGet(keyword, out _);

    /// <summary>The keywords present, in document order.</summary>
    public IEnumerable<string> Keywords => Element.ValueKind == JsonValueKind.Object ? Element.EnumerateObject().Select(p => p.Name) : [];

    /// <summary>A subschema under a keyword (<c>not</c>, <c>items</c>, <c>additionalProperties</c>…), when present and a schema.</summary>
    public SchemaNode? Child(string keyword) =>
        TryGet(keyword, out var v) && IsSchemaValue(v) ? Set.NodeAt(Document, LocalPointer + "/" + Escape(keyword)) : null;

    /// <summary>The subschemas of an array keyword (<c>anyOf</c>, <c>prefixItems</c>…).</summary>
    public IReadOnlyList<SchemaNode> ChildArray(string keyword)
    {
        if (!TryGet(keyword, out var v) || v.ValueKind != JsonValueKind.Array) return [];
        var list = new List<SchemaNode>();
        for (int i = 0; i < v.GetArrayLength(); i++)
            if (IsSchemaValue(v[i])) list.Add(Set.NodeAt(Document, LocalPointer + "/" + Escape(keyword) + "/" + i)!);
        return list;
    }

    /// <summary>The named subschemas of a map keyword (<c>properties</c>, <c>patternProperties</c>, <c>$defs</c>…), in document order.</summary>
    public IReadOnlyList<KeyValuePair<string, SchemaNode>> ChildMap(string keyword)
    {
        if (!TryGet(keyword, out var v) || v.ValueKind != JsonValueKind.Object) return [];
        var list = new List<KeyValuePair<string, SchemaNode>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in v.EnumerateObject())
            if (IsSchemaValue(p.Value) && seen.Add(p.Name))
                list.Add(new(p.Name, Set.NodeAt(Document, LocalPointer + "/" + Escape(keyword) + "/" + Escape(p.Name))!));
        return list;
    }

    /// <summary>The pointer of a keyword of this node, for messages.</summary>
    public string PointerTo(string keyword) => Pointer + (Pointer.EndsWith('#') ? "/" : "/") + Escape(keyword);

    internal static bool IsSchemaValue(JsonElement v) => v.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False;

    internal static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Pointer;
}
