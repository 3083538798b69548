using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace Structured.SemanticKernel;

/// <summary>
/// Prompt settings for the Structured services. <see cref="ResponseFormat"/> takes what OpenAI's settings take: a
/// <see cref="Type"/> (its JSON Schema, made as <c>GetResponseAsync&lt;T&gt;</c> makes it), a schema
/// <see cref="JsonElement"/>, OpenAI's <c>{"type":"json_schema",…}</c> envelope, <c>"json_object"</c> or <c>"text"</c>.
/// The property names are the snake_case keys Semantic Kernel maps, so the settings survive its conversion to
/// chat options; the extra constraint fields reach the chat client as additional properties.
/// </summary>
public sealed class StructuredPromptExecutionSettings : PromptExecutionSettings
{
    private object? _responseFormat;
    private double? _temperature, _topP;
    private int? _topK, _maxTokens, _particles;
    private long? _seed;
    private string? _sampler, _grammar, _grammarSyntax, _regex;

    /// <summary>The response format: a <see cref="Type"/>, a schema or envelope <see cref="JsonElement"/>, "json_object" or "text".</summary>
    [JsonPropertyName("response_format"), JsonConverter(typeof(ResponseFormatConverter))]
    public object? ResponseFormat { get => _responseFormat; set { ThrowIfFrozen(); _responseFormat = value; } }

    /// <summary>Sampling temperature (LCD only).</summary>
    [JsonPropertyName("temperature")]
    public double? Temperature { get => _temperature; set { ThrowIfFrozen(); _temperature = value; } }

    /// <summary>Nucleus sampling mass (LCD only).</summary>
    [JsonPropertyName("top_p")]
    public double? TopP { get => _topP; set { ThrowIfFrozen(); _topP = value; } }

    /// <summary>Top-k (LCD only).</summary>
    [JsonPropertyName("top_k")]
    public int? TopK { get => _topK; set { ThrowIfFrozen(); _topK = value; } }

    /// <summary>The most tokens to generate.</summary>
    [JsonPropertyName("max_tokens")]
    public int? MaxTokens { get => _maxTokens; set { ThrowIfFrozen(); _maxTokens = value; } }

    /// <summary>Seed of the random draws.</summary>
    [JsonPropertyName("seed")]
    public long? Seed { get => _seed; set { ThrowIfFrozen(); _seed = value; } }

    /// <summary>lcd, awrs or smc.</summary>
    [JsonPropertyName("sampler")]
    public string? Sampler { get => _sampler; set { ThrowIfFrozen(); _sampler = value; } }

    /// <summary>SMC particles.</summary>
    [JsonPropertyName("particles")]
    public int? Particles { get => _particles; set { ThrowIfFrozen(); _particles = value; } }

    /// <summary>A grammar the output must follow (instead of a response format).</summary>
    [JsonPropertyName("grammar")]
    public string? Grammar { get => _grammar; set { ThrowIfFrozen(); _grammar = value; } }

    /// <summary>The grammar's syntax: gbnf (default) or lark.</summary>
    [JsonPropertyName("grammar_syntax")]
    public string? GrammarSyntax { get => _grammarSyntax; set { ThrowIfFrozen(); _grammarSyntax = value; } }

    /// <summary>A regex the whole output must match (instead of a response format).</summary>
    [JsonPropertyName("regex")]
    public string? Regex { get => _regex; set { ThrowIfFrozen(); _regex = value; } }

    /// <inheritdoc />
    public override PromptExecutionSettings Clone() => new StructuredPromptExecutionSettings
    {
        ModelId = ModelId, ServiceId = ServiceId, ExtensionData = ExtensionData is null ? null : new Dictionary<string, object>(ExtensionData),
        FunctionChoiceBehavior = FunctionChoiceBehavior, ResponseFormat = ResponseFormat, Temperature = Temperature, TopP = TopP, TopK = TopK,
        MaxTokens = MaxTokens, Seed = Seed, Sampler = Sampler, Particles = Particles, Grammar = Grammar, GrammarSyntax = GrammarSyntax, Regex = Regex,
    };

    /// <summary>Reads any settings as Structured settings (OpenAI's, or the base class with extension data), the way Semantic Kernel converts them: through JSON.</summary>
    public static StructuredPromptExecutionSettings FromExecutionSettings(PromptExecutionSettings? settings)
    {
        if (settings is null) return new StructuredPromptExecutionSettings();
        if (settings is StructuredPromptExecutionSettings ours) return ours;
        string json = JsonSerializer.Serialize(settings, settings.GetType());
        var read = JsonSerializer.Deserialize<StructuredPromptExecutionSettings>(json)!;
        read.ModelId ??= settings.ModelId;
        return read;
    }

    /// <summary>The chat options these settings mean, for the Structured chat client.</summary>
    public ChatOptions ToChatOptions()
    {
        var o = new ChatOptions
        {
            ModelId = ModelId, Temperature = (float?)Temperature, TopP = (float?)TopP, TopK = TopK, MaxOutputTokens = MaxTokens, Seed = Seed,
            AdditionalProperties = [],
        };
        o.ResponseFormat = ResponseFormat switch
        {
            null => null,
            Type t => ChatResponseFormat.ForJsonSchema(JsonSchema(t), t.Name),
            string s => ResponseFormatConverter.FromString(s),
            JsonElement { ValueKind: JsonValueKind.String } e => ResponseFormatConverter.FromString(e.GetString()!),
            JsonElement e => ChatResponseFormat.ForJsonSchema(e),
            ChatResponseFormat f => f,
            var other => throw new ArgumentException($"response_format cannot be a {other.GetType().Name}: use a Type, a JSON Schema JsonElement, \"json_object\" or \"text\""),
        };
        foreach (var (key, value) in new (string, object?)[] { ("sampler", Sampler), ("particles", Particles), ("grammar", Grammar), ("grammar_syntax", GrammarSyntax), ("regex", Regex) })
            if (value is not null) o.AdditionalProperties[key] = value;
        return o;
    }

    internal static JsonElement JsonSchema(Type type) => Schemas.JsonSchema.SchemaFor(type);
}

/// <summary>
/// Writes a <see cref="Type"/> response format as its JSON Schema, so that it survives Semantic Kernel's conversion of
/// settings through JSON (a <see cref="Type"/> cannot be serialized, and a base-class extension value is dropped).
/// </summary>
public sealed class ResponseFormatConverter : JsonConverter<object?>
{
    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override object? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        return doc.RootElement.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => doc.RootElement.GetString(),
            _ => doc.RootElement.Clone(),
        };
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, object? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case Type t: StructuredPromptExecutionSettings.JsonSchema(t).WriteTo(writer); break;
            case JsonElement e: e.WriteTo(writer); break;
            case ChatResponseFormatJson { Schema: { } schema }: schema.WriteTo(writer); break;
            case ChatResponseFormatJson: writer.WriteStringValue("json_object"); break;
            case ChatResponseFormatText: writer.WriteStringValue("text"); break;
            default: throw new JsonException($"response_format cannot be a {value.GetType().Name}: use a Type, a JSON Schema JsonElement, \"json_object\" or \"text\"");
        }
    }

    internal static ChatResponseFormat FromString(string s) => s switch
    {
        "json_object" => ChatResponseFormat.Json,
        "text" => ChatResponseFormat.Text,
        _ => throw new ArgumentException($"response_format \"{s}\" is not known: use \"json_object\", \"text\", a Type or a JSON Schema"),
    };
}
