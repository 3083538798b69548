using System.Text.Json;

namespace Structured.Chat;

/// <summary>Reading OpenAI-style response formats, which reach us in several wrappings.</summary>
public static class ResponseFormats
{
    /// <summary>
    /// The schema inside OpenAI's envelope <c>{"type":"json_schema","json_schema":{"name","schema","strict"}}</c>, or inside
    /// its inner object <c>{"name","schema","strict"}</c>; any other element is returned as it is (a bare schema).
    /// Semantic Kernel passes the envelope through <c>ChatResponseFormat.ForJsonSchema</c> as if it were the schema.
    /// </summary>
    public static JsonElement UnwrapSchema(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object) return element;
        if (element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "json_schema"
            && element.TryGetProperty("json_schema", out var inner) && inner.ValueKind == JsonValueKind.Object)
            element = inner;
        // The inner object names the schema and has no keyword of a schema itself.
        if (element.TryGetProperty("schema", out var schema) && element.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
            && !element.TryGetProperty("type", out _) && !element.TryGetProperty("properties", out _))
            return schema;
        return element;
    }
}
