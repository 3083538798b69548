using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.Services;
using Microsoft.SemanticKernel.TextGeneration;
using Structured.Chat;
using SkTextContent = Microsoft.SemanticKernel.TextContent;

namespace Structured.SemanticKernel;

/// <summary>
/// Semantic Kernel's text generation over a Structured chat client: the prompt is continued as it is (no chat
/// template), under the settings' response format, grammar or regex.
/// </summary>
public sealed class StructuredTextGenerationService : ITextGenerationService
{
    private readonly StructuredChatClient _client;

    /// <summary>Wraps a chat client.</summary>
    public StructuredTextGenerationService(StructuredChatClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        Attributes = new Dictionary<string, object?> { [AIServiceExtensions.ModelIdKey] = client.GetService<ChatClientMetadata>()?.DefaultModelId };
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, object?> Attributes { get; }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SkTextContent>> GetTextContentsAsync(string prompt, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null,
        CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in _client.CompleteStreamingAsync(prompt, Options(executionSettings), cancellationToken).ConfigureAwait(false)) updates.Add(u);
        var response = updates.ToChatResponse();
        return [new SkTextContent(response.Text, response.ModelId, response, metadata: Metadata(response))];
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StreamingTextContent> GetStreamingTextContentsAsync(string prompt, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var u in _client.CompleteStreamingAsync(prompt, Options(executionSettings), cancellationToken).ConfigureAwait(false))
            yield return new StreamingTextContent(u.Text, 0, u.ModelId, u);
    }

    private static ChatOptions Options(PromptExecutionSettings? settings) => StructuredPromptExecutionSettings.FromExecutionSettings(settings).ToChatOptions();

    private static Dictionary<string, object?> Metadata(ChatResponse response) => new()
    {
        ["FinishReason"] = response.FinishReason?.Value, ["Usage"] = response.Usage,
    };
}
