using System.Text.Json;
using Microsoft.Extensions.AI;
using Structured.Models;

namespace Structured.Server;

/// <summary>
/// A <c>/v1/chat/completions</c> or <c>/v1/completions</c> request, read field by field so that every refusal names
/// the field: unknown fields, wrong types, values out of range and features this server does not have are 400s.
/// </summary>
internal sealed class CompletionRequest
{
    private static readonly HashSet<string> Common =
    [
        "model", "temperature", "top_p", "max_tokens", "max_completion_tokens", "seed", "stream", "stream_options", "n", "user",
        "presence_penalty", "frequency_penalty", "response_format", "stop", "logprobs", "top_logprobs", "logit_bias", "metadata", "store",
        // Extensions: constraints and samplers beyond OpenAI's.
        "grammar", "grammar_syntax", "regex", "sampler", "particles", "top_k",
    ];

    private static readonly HashSet<string> ChatOnly = ["messages", "tools", "tool_choice", "parallel_tool_calls", "reasoning_effort", "modalities"];
    private static readonly HashSet<string> CompletionOnly = ["prompt", "echo", "suffix", "best_of"];

    public IReadOnlyList<ChatTurn> Messages { get; private set; } = [];
    public string Prompt { get; private set; } = "";
    public bool Stream { get; private set; }
    public bool IncludeUsage { get; private set; }
    public ChatOptions Options { get; } = new() { AdditionalProperties = [] };

    public static CompletionRequest Read(JsonElement body, bool chat, StructuredServerOptions server)
    {
        if (body.ValueKind != JsonValueKind.Object) throw OpenAIError.BadRequest("the request body must be a JSON object");
        var request = new CompletionRequest();
        foreach (var field in body.EnumerateObject())
        {
            if (!Common.Contains(field.Name) && !(chat ? ChatOnly : CompletionOnly).Contains(field.Name))
                throw OpenAIError.BadRequest($"Unrecognized request argument supplied: {field.Name}", field.Name, "unknown_parameter");
        }
        var o = request.Options;
        o.ModelId = String(body, "model");
        o.Temperature = (float?)Number(body, "temperature", 0, 2);
        o.TopP = (float?)Number(body, "top_p", 0, 1);
        if (o.TopP == 0) throw OpenAIError.BadRequest("top_p must be greater than 0", "top_p");
        o.TopK = (int?)Number(body, "top_k", 0, int.MaxValue, integer: true);
        o.Seed = (long?)Number(body, "seed", long.MinValue, long.MaxValue, integer: true);
        int? max = (int?)Number(body, "max_completion_tokens", 1, server.MaxTokens, integer: true) ?? (int?)Number(body, "max_tokens", 1, server.MaxTokens, integer: true);
        o.MaxOutputTokens = max ?? server.MaxTokens;
        if (body.TryGetProperty("n", out var n) && n.ValueKind != JsonValueKind.Null && !(n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out int count) && count == 1))
            throw OpenAIError.BadRequest("n must be 1: this server returns one choice per request (send concurrent requests; they are batched)", "n");
        foreach (var penalty in new[] { "presence_penalty", "frequency_penalty" })
            if (Number(body, penalty, -2, 2) is { } p && p != 0) throw OpenAIError.BadRequest($"{penalty} is not supported: it would change the distribution the sampler keeps faithful to", penalty);
        Unsupported(body, "stop", "stop sequences are not supported; constrain the output with response_format, grammar or regex instead");
        Unsupported(body, "logprobs", "logprobs are not supported");
        Unsupported(body, "logit_bias", "logit_bias is not supported");
        Unsupported(body, "tools", "tools are not supported; use response_format json_schema for structured output");
        Unsupported(body, "suffix", "suffix is not supported");
        Unsupported(body, "echo", "echo is not supported");
        request.Stream = Bool(body, "stream") ?? false;
        if (body.TryGetProperty("stream_options", out var so) && so.ValueKind != JsonValueKind.Null)
        {
            if (so.ValueKind != JsonValueKind.Object) throw OpenAIError.BadRequest("stream_options must be an object", "stream_options");
            request.IncludeUsage = Bool(so, "include_usage", "stream_options.include_usage") ?? false;
        }
        ReadFormat(body, o);
        foreach (var key in new[] { "grammar", "grammar_syntax", "regex", "sampler" })
            if (String(body, key) is { } v) o.AdditionalProperties![key] = v;
        if (Number(body, "particles", 1, 1024, integer: true) is { } particles) o.AdditionalProperties!["particles"] = (int)particles;
        if (chat) request.Messages = ReadMessages(body);
        else request.Prompt = ReadPrompt(body);
        return request;
    }

    private static void ReadFormat(JsonElement body, ChatOptions o)
    {
        if (!body.TryGetProperty("response_format", out var f) || f.ValueKind == JsonValueKind.Null) return;
        if (f.ValueKind != JsonValueKind.Object || !f.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String)
            throw OpenAIError.BadRequest("response_format must be an object with a string 'type'", "response_format");
        switch (t.GetString())
        {
            case "text":
                o.ResponseFormat = ChatResponseFormat.Text;
                break;
            case "json_object":
                o.AdditionalProperties!["constraint"] = JsonObjectConstraint.Value;
                break;
            case "json_schema":
                if (!f.TryGetProperty("json_schema", out var js) || js.ValueKind != JsonValueKind.Object)
                    throw OpenAIError.BadRequest("response_format.json_schema must be an object with 'name' and 'schema'", "response_format.json_schema");
                if (!js.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 and <= 64 } n
                    || n.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
                    throw OpenAIError.BadRequest("response_format.json_schema.name must be 1 to 64 letters, digits, '_' or '-'", "response_format.json_schema.name");
                var schema = js.TryGetProperty("schema", out var s) ? s : AnySchema;
                if (schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
                    throw OpenAIError.BadRequest("response_format.json_schema.schema must be a JSON Schema object", "response_format.json_schema.schema");
                o.ResponseFormat = ChatResponseFormat.ForJsonSchema(schema.Clone(), n);
                break;
            default:
                throw OpenAIError.BadRequest($"response_format.type must be text, json_object or json_schema, not '{t.GetString()}'", "response_format.type");
        }
    }

    private static readonly JsonElement AnySchema = JsonSerializer.SerializeToElement(new { });

    private static readonly Lazy<Constraint> JsonObjectConstraint = new(() => Constraint.AnyJsonObject());

    private static List<ChatTurn> ReadMessages(JsonElement body)
    {
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            throw OpenAIError.BadRequest("'messages' is required and must be an array", "messages");
        if (messages.GetArrayLength() == 0) throw OpenAIError.BadRequest("'messages' must contain at least one message", "messages");
        var turns = new List<ChatTurn>();
        int i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            string where = $"messages[{i++}]";
            if (m.ValueKind != JsonValueKind.Object) throw OpenAIError.BadRequest($"{where} must be an object", where);
            string role = String(m, "role", where + ".role") ?? throw OpenAIError.BadRequest($"{where}.role is required", where + ".role");
            if (role is not ("system" or "developer" or "user" or "assistant"))
                throw OpenAIError.BadRequest($"{where}.role must be system, developer, user or assistant, not '{role}'", where + ".role");
            string content = m.TryGetProperty("content", out var c) ? c.ValueKind switch
            {
                JsonValueKind.String => c.GetString()!,
                JsonValueKind.Null => "",
                JsonValueKind.Array => string.Concat(c.EnumerateArray().Select((part, k) =>
                    part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var pt) && pt.GetString() == "text" && part.TryGetProperty("text", out var tx) && tx.ValueKind == JsonValueKind.String
                        ? tx.GetString()
                        : throw OpenAIError.BadRequest($"{where}.content[{k}]: only text parts are supported", $"{where}.content"))),
                _ => throw OpenAIError.BadRequest($"{where}.content must be a string or an array of text parts", where + ".content"),
            } : throw OpenAIError.BadRequest($"{where}.content is required", where + ".content");
            turns.Add(new ChatTurn(role == "developer" ? "system" : role, content));
        }
        return turns;
    }

    private static string ReadPrompt(JsonElement body)
    {
        if (!body.TryGetProperty("prompt", out var p)) throw OpenAIError.BadRequest("'prompt' is required", "prompt");
        return p.ValueKind switch
        {
            JsonValueKind.String => p.GetString()!,
            JsonValueKind.Array when p.GetArrayLength() == 1 && p[0].ValueKind == JsonValueKind.String => p[0].GetString()!,
            _ => throw OpenAIError.BadRequest("'prompt' must be a string (or an array of one string)", "prompt"),
        };
    }

    private static void Unsupported(JsonElement body, string field, string message)
    {
        if (body.TryGetProperty(field, out var v) && v.ValueKind is not (JsonValueKind.Null or JsonValueKind.False)
            && !(v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 0) && !(v.ValueKind == JsonValueKind.Object && !v.EnumerateObject().Any()))
            throw OpenAIError.BadRequest(message, field, "unsupported_parameter");
    }

    private static string? String(JsonElement o, string field, string? name = null)
    {
        if (!o.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw OpenAIError.BadRequest($"{name ?? field} must be a string", name ?? field);
    }

    private static bool? Bool(JsonElement o, string field, string? name = null)
    {
        if (!o.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw OpenAIError.BadRequest($"{name ?? field} must be a boolean", name ?? field),
        };
    }

    private static double? Number(JsonElement o, string field, double min, double max, bool integer = false)
    {
        if (!o.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d) || (integer && !v.TryGetInt64(out _)))
            throw OpenAIError.BadRequest($"{field} must be {(integer ? "an integer" : "a number")}", field);
        if (d < min || d > max) throw OpenAIError.BadRequest($"{field} must be between {min} and {max}, not {v.GetRawText()}", field);
        return d;
    }
}
