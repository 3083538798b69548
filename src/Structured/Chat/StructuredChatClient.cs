using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Structured.Models;

namespace Structured.Chat;

/// <summary>Options of a <see cref="StructuredChatClient"/>.</summary>
public sealed record StructuredChatClientOptions
{
    /// <summary>Generation defaults; <see cref="ChatOptions"/> values override them per request.</summary>
    public GenerationOptions Generation { get; init; } = GenerationOptions.Default;

    /// <summary>The chat template; null uses the model's own (<see cref="ILanguageModel.ChatTemplate"/>).</summary>
    public ChatTemplate? Template { get; init; }

    /// <summary>The model id reported in responses and metadata; null uses the model's name.</summary>
    public string? ModelId { get; init; }

    /// <summary>Also write the schema into the prompt as a system message (the constraint holds either way; small models may write better values with it).</summary>
    public bool SchemaInPrompt { get; init; }
}

/// <summary>
/// An <see cref="IChatClient"/> over any <see cref="ILanguageModel"/>, so that Microsoft.Extensions.AI code (and
/// <c>GetResponseAsync&lt;T&gt;</c>) runs on a local model with the constraint enforced while decoding.
/// <list type="bullet">
/// <item><see cref="ChatOptions.ResponseFormat"/>: null or text → free text; JSON without a schema → any JSON value;
/// JSON with a schema → that schema (OpenAI's <c>json_schema</c> envelope, as Semantic Kernel passes it, is unwrapped).</item>
/// <item><see cref="ChatOptions.AdditionalProperties"/>: <c>"grammar"</c> (with <c>"grammar_syntax"</c> gbnf, lark or g4,
/// default gbnf), <c>"regex"</c>, or <c>"constraint"</c> (a <see cref="Constraint"/>); <c>"sampler"</c> (lcd, awrs, smc)
/// and <c>"particles"</c>.</item>
/// <item>Temperature, top-p, top-k, seed and the output token limit map to <see cref="GenerationOptions"/>.</item>
/// </list>
/// Concurrent requests share forward passes through a <see cref="BatchingLanguageModel"/>. Constraint errors surface as
/// <see cref="GrammarException"/>s naming the location.
/// </summary>
public sealed class StructuredChatClient : IChatClient
{
    /// <summary>The provider name in <see cref="ChatClientMetadata"/>.</summary>
    public const string ProviderName = "structured";

    private readonly BatchingLanguageModel _model;
    private readonly bool _ownsModel;
    private readonly StructuredChatClientOptions _options;
    private readonly ChatTemplate _template;
    private readonly ConstraintCache _constraints = new();
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates the client; disposing it disposes the model when <paramref name="ownsModel"/> is true.</summary>
    public StructuredChatClient(ILanguageModel model, StructuredChatClientOptions? options = null, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model as BatchingLanguageModel ?? new BatchingLanguageModel(model, ownsInner: false);
        _ownsModel = ownsModel;
        Model = model;
        _options = options ?? new StructuredChatClientOptions();
        _template = _options.Template ?? model.ChatTemplate;
        _metadata = new ChatClientMetadata(ProviderName, null, _options.ModelId ?? model.Name);
    }

    /// <summary>The model.</summary>
    public ILanguageModel Model { get; }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false)) updates.Add(u);
        return updates.ToChatResponse();
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var generation = GenerationFor(options);
        var constraint = ConstraintFor(options, generation);
        var turns = messages.Select(m => new ChatTurn(m.Role.Value, m.Text)).ToList();
        if (_options.SchemaInPrompt && constraint?.Schema is { } schema)
            turns.Insert(0, new ChatTurn("system", "Respond with JSON that conforms to this schema:\n" + schema.GetRawText()));
        await foreach (var update in CompleteStreamingAsync(_template.Render(turns), constraint, generation, cancellationToken).ConfigureAwait(false))
            yield return update;
    }

    /// <summary>
    /// Continues a raw prompt, with no chat template: the text completion form (<c>/v1/completions</c>). The options
    /// are read as for chat.
    /// </summary>
    public IAsyncEnumerable<ChatResponseUpdate> CompleteStreamingAsync(string prompt, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var generation = GenerationFor(options);
        return CompleteStreamingAsync(prompt, ConstraintFor(options, generation), generation, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> CompleteStreamingAsync(string prompt, Constraint? constraint, GenerationOptions generation,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow;
        string modelId = _metadata.DefaultModelId!;
        var stream = _model.GenerateTextStreamingAsync(prompt, constraint, generation, cancellationToken);
        await foreach (var chunk in stream.ConfigureAwait(false))
            yield return new ChatResponseUpdate(ChatRole.Assistant, chunk) { MessageId = id, ResponseId = id, ModelId = modelId, CreatedAt = created };
        var result = stream.Result;
        var final = new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails
        {
            InputTokenCount = result.PromptTokens, OutputTokenCount = result.CompletionTokens, TotalTokenCount = result.PromptTokens + result.CompletionTokens,
        })])
        {
            MessageId = id, ResponseId = id, ModelId = modelId, CreatedAt = created,
            FinishReason = result.FinishReason == FinishReason.Stop ? ChatFinishReason.Stop : ChatFinishReason.Length,
            AdditionalProperties = new AdditionalPropertiesDictionary { ["log_weight"] = result.LogWeight },
        };
        if (result.LogMarginalLikelihood is { } logMl) final.AdditionalProperties["log_ml"] = logMl;
        yield return final;
    }

    /// <summary>The constraint a request asks for, or null for free text.</summary>
    public Constraint? ConstraintFor(ChatOptions? options, GenerationOptions? generation = null)
    {
        generation ??= _options.Generation;
        var extra = options?.AdditionalProperties;
        if (extra is not null)
        {
            if (extra.TryGetValue("constraint", out var c) && c is Constraint given) return given;
            if (Read<string>(extra, "regex") is { } regex) return _constraints.Regex(regex);
            if (Read<string>(extra, "grammar") is { } grammar) return _constraints.Grammar(grammar, Read<string>(extra, "grammar_syntax") ?? "gbnf");
        }
        return options?.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } schema } => _constraints.JsonSchema(ResponseFormats.UnwrapSchema(schema), generation.SchemaOptions),
            ChatResponseFormatJson => _constraints.JsonSchema(AnyJson, generation.SchemaOptions),
            _ => null,
        };
    }

    private static readonly JsonElement AnyJson = JsonDocument.Parse("{}").RootElement.Clone();

    private GenerationOptions GenerationFor(ChatOptions? options)
    {
        var g = _options.Generation;
        if (options is null) return g;
        if (options.Temperature is { } t) g = g with { Temperature = t };
        if (options.TopP is { } p) g = g with { TopP = p };
        if (options.TopK is { } k) g = g with { TopK = k };
        if (options.Seed is { } s) g = g with { Seed = unchecked((int)s) };
        if (options.MaxOutputTokens is { } m) g = g with { MaxTokens = m };
        if (options.AdditionalProperties is { } extra)
        {
            if (Read<string>(extra, "sampler") is { } sampler)
                g = g with
                {
                    Sampler = Enum.TryParse<SamplerKind>(sampler, ignoreCase: true, out var kind) ? kind
                        : throw new ArgumentException($"unknown sampler '{sampler}': use lcd, awrs or smc", nameof(options)),
                };
            if (extra.TryGetValue("particles", out var particles) && particles is not null)
                g = g with { Particles = Convert.ToInt32(particles is JsonElement e ? e.GetInt32() : particles, System.Globalization.CultureInfo.InvariantCulture) };
        }
        g.Validate();
        return g;
    }

    private static T? Read<T>(AdditionalPropertiesDictionary extra, string key) where T : class =>
        extra.TryGetValue(key, out var v) ? v as T ?? (v is JsonElement { ValueKind: JsonValueKind.String } e ? e.GetString() as T : null) : null;

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return _metadata;
        if (serviceType.IsInstanceOfType(Model)) return Model;
        if (serviceType.IsInstanceOfType(_template)) return _template;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }
}
