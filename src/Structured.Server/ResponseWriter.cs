using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Structured.Server;

/// <summary>Writes chat-client updates as an OpenAI response: one JSON body, or server-sent event chunks ending in <c>[DONE]</c>.</summary>
internal sealed class ResponseWriter(HttpContext context, bool chat, bool stream, bool includeUsage)
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never };

    /// <summary>Whether anything was sent: after that, errors can no longer become an error response.</summary>
    public bool Started { get; private set; }

    public async Task WriteAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var text = new StringBuilder();
        string id = "", model = "";
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        ChatFinishReason? finish = null;
        UsageDetails? usage = null;
        string kind = chat ? "chat.completion" : "text_completion";
        await foreach (var u in updates.ConfigureAwait(false))
        {
            id = u.ResponseId ?? id;
            model = u.ModelId ?? model;
            if (u.CreatedAt is { } at) created = at.ToUnixTimeSeconds();
            finish = u.FinishReason ?? finish;
            usage = u.Contents.OfType<UsageContent>().FirstOrDefault()?.Details ?? usage;
            if (!stream)
            {
                text.Append(u.Text);
                continue;
            }
            if (!Started)
            {
                Started = true;
                context.Response.ContentType = "text/event-stream";
                context.Response.Headers.CacheControl = "no-cache";
                if (chat) await EventAsync(Chunk(id, model, created, new { role = "assistant", content = "" }, null)).ConfigureAwait(false);
            }
            if (u.Text.Length > 0) await EventAsync(Chunk(id, model, created, chat ? new { content = u.Text } : u.Text, null)).ConfigureAwait(false);
        }
        string reason = finish == ChatFinishReason.Length ? "length" : "stop";
        var usageBody = new
        {
            prompt_tokens = usage?.InputTokenCount ?? 0, completion_tokens = usage?.OutputTokenCount ?? 0, total_tokens = usage?.TotalTokenCount ?? 0,
        };
        if (!stream)
        {
            object choice = chat
                ? new { index = 0, message = new { role = "assistant", content = text.ToString(), refusal = (string?)null }, finish_reason = reason, logprobs = (object?)null }
                : new { index = 0, text = text.ToString(), finish_reason = reason, logprobs = (object?)null };
            Started = true;
            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body, new { id, @object = kind, created, model, choices = new[] { choice }, usage = usageBody }, Json, context.RequestAborted).ConfigureAwait(false);
            return;
        }
        if (!Started)
        {
            Started = true;
            context.Response.ContentType = "text/event-stream";
        }
        await EventAsync(Chunk(id, model, created, chat ? new { } : "", reason)).ConfigureAwait(false);
        if (includeUsage)
            await EventAsync(new { id, @object = kind + (chat ? ".chunk" : ""), created, model, choices = Array.Empty<object>(), usage = usageBody }).ConfigureAwait(false);
        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted).ConfigureAwait(false);

        object Chunk(string id, string model, long created, object delta, string? finishReason) => chat
            ? new { id, @object = "chat.completion.chunk", created, model, choices = new[] { new { index = 0, delta, finish_reason = finishReason, logprobs = (object?)null } } }
            : new { id, @object = "text_completion", created, model, choices = new[] { new { index = 0, text = (string)delta, finish_reason = finishReason, logprobs = (object?)null } } };
    }

    private async Task EventAsync(object payload)
    {
        await context.Response.WriteAsync("data: " + JsonSerializer.Serialize(payload, Json) + "\n\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
