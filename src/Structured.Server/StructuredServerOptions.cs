namespace Structured.Server;

/// <summary>Options of the OpenAI-compatible server.</summary>
public sealed record StructuredServerOptions
{
    /// <summary>Where to listen. Loopback by default: binding another address is the caller's explicit choice.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8000";

    /// <summary>The model id that <c>/v1/models</c> lists and responses report; null uses the model's name.</summary>
    public string? ModelId { get; init; }

    /// <summary>Request bodies larger than this are refused with 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 1 << 20;

    /// <summary>The largest <c>max_tokens</c> a request may ask for; also the default.</summary>
    public int MaxTokens { get; init; } = 1024;

    /// <summary>Generation defaults (sampler, whitespace, …); request fields override them.</summary>
    public GenerationOptions Generation { get; init; } = GenerationOptions.Default;
}
