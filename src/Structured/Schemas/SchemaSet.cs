using System.Text.Json;

namespace Structured.Schemas;

/// <summary>
/// A loaded schema and the documents it may refer to: it indexes every subschema, <c>$id</c>, <c>$anchor</c> and
/// <c>$dynamicAnchor</c>, and resolves references (<c>$ref</c>, JSON pointers, anchors, <c>$id</c>-relative URIs).
/// A reference to a document that was not added is an error that names it: nothing is fetched.
/// </summary>
public sealed class SchemaSet
{
    private static readonly Uri DefaultBase = new("https://structured.local/schema.json");

    private readonly List<(Uri Uri, JsonElement Root, SchemaDraft Draft)> _documents = [];
    private readonly Dictionary<(int Document, string Pointer), SchemaNode> _nodes = [];
    private readonly List<SchemaNode> _byId = [];
    private readonly Dictionary<string, SchemaNode> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Resource, string Name), SchemaNode> _anchors = [];
    private readonly Dictionary<(string Resource, string Name), SchemaNode> _dynamicAnchors = [];
    private readonly Dictionary<string, JsonElement> _pending = new(StringComparer.Ordinal);
    private readonly SchemaDraft _defaultDraft;

    private SchemaSet(SchemaDraft defaultDraft) => _defaultDraft = defaultDraft;

    /// <summary>The root schema.</summary>
    public SchemaNode Root => _byId[0];

    /// <summary>Reads a schema from JSON text; <paramref name="defaultDraft"/> applies when it has no <c>$schema</c>.</summary>
    public static SchemaSet Parse(string json, SchemaDraft defaultDraft = SchemaDraft.Draft202012, IReadOnlyDictionary<string, string>? documents = null)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 512 });
        }
        catch (JsonException e)
        {
            throw new SchemaException("#", $"the schema is not valid JSON: line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}: {FirstSentence(e.Message)}");
        }
        return Load(doc.RootElement, defaultDraft, documents);
    }

    /// <summary>Loads a schema from parsed JSON. <paramref name="documents"/> maps URIs to other schema documents that references may name.</summary>
    public static SchemaSet Load(JsonElement schema, SchemaDraft defaultDraft = SchemaDraft.Draft202012, IReadOnlyDictionary<string, string>? documents = null)
    {
        if (!SchemaNode.IsSchemaValue(schema))
            throw new SchemaException("#", $"a schema must be an object or a boolean, not {Describe(schema.ValueKind)}");
        var set = new SchemaSet(defaultDraft);
        if (documents is not null)
            foreach (var (uri, text) in documents)
            {
                try { set._pending[StripFragment(new Uri(uri))] = JsonDocument.Parse(text).RootElement.Clone(); }
                catch (JsonException e) { throw new SchemaException($"document {uri} is not valid JSON: {FirstSentence(e.Message)}"); }
            }
        set.AddDocument(DefaultBase, schema.Clone());
        return set;
    }

    /// <summary>All nodes indexed so far (every subschema reachable through schema keywords, and every reference target).</summary>
    public IReadOnlyList<SchemaNode> Nodes => _byId;

    /// <summary>The node with this <see cref="SchemaNode.Id"/>.</summary>
    public SchemaNode this[int id] => _byId[id];

    /// <summary>Adds a schema made by the compiler (a negation, a dependency case) as a document of its own.</summary>
    internal SchemaNode AddSynthetic(string json)
    {
        var uri = new Uri($"https://structured.local/synthetic/{_documents.Count}.json");
        AddDocument(uri, JsonDocument.Parse(json).RootElement.Clone());
        return _resources[StripFragment(uri)];
    }

    /// <summary>An absolute URI that <see cref="Resolve"/> maps back to <paramref name="node"/>.</summary>
    internal string AbsoluteUri(SchemaNode node) => StripFragment(_documents[node.Document].Uri) + "#" + Uri.EscapeDataString(node.LocalPointer).Replace("%2F", "/", StringComparison.Ordinal);

    internal string DocumentUri(int document) => _documents[document].Uri.ToString();

    /// <summary>True when more than one subschema declares this <c>$dynamicAnchor</c>, so that a <c>$dynamicRef</c> to it depends on the path taken.</summary>
    internal bool DynamicAnchorIsAmbiguous(string name) => _dynamicAnchors.Keys.Count(k => k.Name == name) > 1;

    internal SchemaNode? DynamicAnchor(string resource, string name) => _dynamicAnchors.GetValueOrDefault((resource, name));

    internal SchemaNode? ResourceRoot(string resource) => _resources.GetValueOrDefault(resource);

    internal static string ResourceOf(Uri baseUri) => StripFragment(baseUri);

    /// <summary>Resolves a reference written in <paramref name="from"/> (the value of <c>$ref</c> and its kin).</summary>
    public SchemaNode Resolve(SchemaNode from, string reference, string keyword = "$ref")
    {
        Uri target;
        try { target = new Uri(from.BaseUri, reference); }
        catch (UriFormatException) { throw new SchemaException(from.PointerTo(keyword), $"'{reference}' is not a valid URI reference"); }
        string resource = StripFragment(target);
        string fragment = Uri.UnescapeDataString(target.Fragment.TrimStart('#'));
        if (!_resources.TryGetValue(resource, out var root))
        {
            if (!_pending.Remove(resource, out var pending))
                throw new SchemaException(from.PointerTo(keyword), $"remote reference '{reference}' ({resource}) is not supported: only references within the schema resolve");
            AddDocument(new Uri(resource), pending);
            root = _resources[resource];
        }
        if (fragment.Length == 0) return root;
        if (fragment[0] == '/')
            return NodeAt(root.Document, root.LocalPointer + fragment)
                ?? throw new SchemaException(from.PointerTo(keyword), $"reference '{reference}' points to nothing in the schema");
        if (_anchors.TryGetValue((resource, fragment), out var anchored)) return anchored;
        if (_dynamicAnchors.TryGetValue((resource, fragment), out var dynamicAnchored)) return dynamicAnchored;
        throw new SchemaException(from.PointerTo(keyword), $"reference '{reference}' names an anchor that does not exist");
    }

    private void AddDocument(Uri uri, JsonElement root)
    {
        int doc = _documents.Count;
        var draft = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("$schema", out var s) && s.ValueKind == JsonValueKind.String
            ? SchemaDrafts.FromUri(s.GetString()!) ?? _defaultDraft
            : _defaultDraft;
        _documents.Add((uri, root, draft));
        var node = Index(doc, root, "", uri, draft, isResourceRoot: true);
        _resources.TryAdd(StripFragment(uri), node);
    }

    /// <summary>The node at a pointer inside a document, indexing it (and below) when it was not reached by a schema keyword.</summary>
    internal SchemaNode? NodeAt(int document, string pointer)
    {
        if (_nodes.TryGetValue((document, pointer), out var known)) return known;
        var element = _documents[document].Root;
        string prefix = "";
        SchemaNode? nearest = _nodes.GetValueOrDefault((document, ""));
        foreach (var raw in pointer.Split('/').Skip(1))
        {
            string token = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(token, out var child)) element = child;
            else if (element.ValueKind == JsonValueKind.Array && int.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i) && i < element.GetArrayLength()) element = element[i];
            else return null;
            prefix += "/" + raw;
            if (_nodes.TryGetValue((document, prefix), out var n)) nearest = n;
        }
        if (!SchemaNode.IsSchemaValue(element)) return null;
        return Index(document, element, pointer, nearest?.BaseUri ?? _documents[document].Uri, nearest?.Draft ?? _documents[document].Draft, isResourceRoot: false);
    }

    private static readonly string[] SingleSchemaKeywords =
        ["additionalProperties", "additionalItems", "items", "contains", "not", "if", "then", "else", "propertyNames",
         "unevaluatedItems", "unevaluatedProperties", "contentSchema"];
    private static readonly string[] ArrayKeywords = ["allOf", "anyOf", "oneOf", "prefixItems", "items"]; // items: its draft-7 array form
    private static readonly string[] MapKeywords = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"];

    private static readonly string[] TypeNames = ["null", "boolean", "object", "array", "number", "string", "integer"];

    // A misspelt type would otherwise match nothing, silently.
    private static void CheckType(JsonElement type, string pointer)
    {
        var names = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().ToList() : [type];
        foreach (var name in names)
            if (name.ValueKind != JsonValueKind.String || !TypeNames.Contains(name.GetString()))
                throw new SchemaException("#" + pointer + "/type", $"{name.GetRawText()} is not a JSON type: use {string.Join(", ", TypeNames)}");
    }

    private static readonly string[] NumberKeywords = ["minimum", "maximum", "multipleOf"];
    private static readonly string[] CountKeywords = ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains"];

    // Keywords whose value has the wrong shape would otherwise be skipped, and the schema silently loosened.
    private static void CheckKeywordShapes(JsonElement schema, string pointer, SchemaDraft draft)
    {
        foreach (var k in NumberKeywords)
            if (schema.TryGetProperty(k, out var v) && v.ValueKind != JsonValueKind.Number) Bad(k, v, "a number");
        foreach (var k in (string[])["exclusiveMinimum", "exclusiveMaximum"])
            if (schema.TryGetProperty(k, out var v) && v.ValueKind != JsonValueKind.Number && !(draft == SchemaDraft.Draft4 && v.ValueKind is JsonValueKind.True or JsonValueKind.False))
                Bad(k, v, draft == SchemaDraft.Draft4 ? "a boolean" : "a number");
        foreach (var k in CountKeywords)
            if (schema.TryGetProperty(k, out var v) && !(v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && d >= 0 && d == Math.Floor(d)))
                Bad(k, v, "a non-negative integer");
        if (schema.TryGetProperty("multipleOf", out var m) && m.ValueKind == JsonValueKind.Number && !(m.GetDouble() > 0)) Bad("multipleOf", m, "a number greater than 0");
        if (schema.TryGetProperty("pattern", out var p) && p.ValueKind != JsonValueKind.String) Bad("pattern", p, "a string (an ECMA-262 regex)");
        if (schema.TryGetProperty("required", out var r) && !(r.ValueKind == JsonValueKind.Array && r.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String)))
            Bad("required", r, "an array of property names");
        if (schema.TryGetProperty("enum", out var e) && e.ValueKind != JsonValueKind.Array) Bad("enum", e, "an array");

        void Bad(string keyword, JsonElement value, string expected) =>
            throw new SchemaException("#" + pointer + "/" + keyword, $"'{keyword}' must be {expected}, not {value.GetRawText()}");
    }

    private SchemaNode Index(int document, JsonElement element, string pointer, Uri baseUri, SchemaDraft draft, bool isResourceRoot)
    {
        if (_nodes.TryGetValue((document, pointer), out var existing)) return existing;
        if (_byId.Count > 1_000_000) throw new SchemaException("#" + pointer, "the schema has more than 1,000,000 subschemas");
        string? legacyAnchor = null;
        if (element.ValueKind == JsonValueKind.Object)
        {
            if (element.TryGetProperty("$schema", out var sch) && sch.ValueKind == JsonValueKind.String && SchemaDrafts.FromUri(sch.GetString()!) is { } d)
                draft = d;
            if (element.TryGetProperty("type", out var type)) CheckType(type, pointer);
            CheckKeywordShapes(element, pointer, draft);
            bool refHidesSiblings = draft <= SchemaDraft.Draft7 && element.TryGetProperty("$ref", out _);
            string idKeyword = draft == SchemaDraft.Draft4 ? "id" : "$id";
            if (!refHidesSiblings && element.TryGetProperty(idKeyword, out var id) && id.ValueKind == JsonValueKind.String)
            {
                string idText = id.GetString()!;
                if (draft <= SchemaDraft.Draft7 && idText.StartsWith('#'))
                    legacyAnchor = idText[1..];
                else if (Uri.TryCreate(baseUri, idText, out var resolved))
                {
                    baseUri = resolved;
                    isResourceRoot = true;
                }
            }
        }
        var node = new SchemaNode(this, _byId.Count, document, element, pointer, baseUri, draft);
        _byId.Add(node);
        _nodes[(document, pointer)] = node;
        string resource = StripFragment(baseUri);
        if (isResourceRoot) _resources.TryAdd(resource, node);
        if (legacyAnchor is not null) _anchors.TryAdd((resource, legacyAnchor), node);
        if (element.ValueKind != JsonValueKind.Object) return node;
        if (draft >= SchemaDraft.Draft201909)
        {
            if (element.TryGetProperty("$anchor", out var a) && a.ValueKind == JsonValueKind.String) _anchors.TryAdd((resource, a.GetString()!), node);
            if (element.TryGetProperty("$dynamicAnchor", out var da) && da.ValueKind == JsonValueKind.String) _dynamicAnchors.TryAdd((resource, da.GetString()!), node);
        }
        foreach (var property in element.EnumerateObject())
        {
            string kw = property.Name;
            var v = property.Value;
            string at = pointer + "/" + SchemaNode.Escape(kw);
            if (Array.IndexOf(ArrayKeywords, kw) >= 0 && v.ValueKind == JsonValueKind.Array)
            {
                for (int i = 0; i < v.GetArrayLength(); i++)
                    if (SchemaNode.IsSchemaValue(v[i])) Index(document, v[i], at + "/" + i, baseUri, draft, false);
            }
            else if (Array.IndexOf(SingleSchemaKeywords, kw) >= 0)
            {
                if (SchemaNode.IsSchemaValue(v)) Index(document, v, at, baseUri, draft, false);
            }
            else if (Array.IndexOf(MapKeywords, kw) >= 0 && v.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in v.EnumerateObject())
                    if (SchemaNode.IsSchemaValue(p.Value)) Index(document, p.Value, at + "/" + SchemaNode.Escape(p.Name), baseUri, draft, false);
            }
        }
        return node;
    }

    private static string StripFragment(Uri uri) => uri.IsAbsoluteUri ? uri.GetLeftPart(UriPartial.Query) : uri.ToString().Split('#')[0];

    private static string FirstSentence(string message) => message.Split(". ")[0];

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
