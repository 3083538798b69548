using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Structured.Chat;
using Structured.Models;

namespace Structured.Server;

/// <summary>
/// An OpenAI-compatible HTTP server over one <see cref="ILanguageModel"/>: <c>POST /v1/chat/completions</c>,
/// <c>POST /v1/completions</c> (both with <c>response_format</c> text, json_object or json_schema, and streaming
/// through server-sent events) and <c>GET /v1/models</c>. Concurrent requests share forward passes. Errors use
/// OpenAI's JSON shape and status codes.
/// </summary>
public sealed class StructuredServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly BatchingLanguageModel _model;

    private StructuredServer(WebApplication app, BatchingLanguageModel model)
    {
        _app = app;
        _model = model;
    }

    /// <summary>The addresses it listens on, once started (the real port when 0 was asked for).</summary>
    public IReadOnlyList<Uri> Addresses =>
        (_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []).Select(a => new Uri(a)).ToList();

    /// <summary>Forward passes and scored rows so far: their ratio is the mean batch size.</summary>
    public (long Passes, long Rows) Batching => (_model.Passes, _model.RowsScored);

    /// <summary>Builds the server; <see cref="StartAsync"/> starts it. The caller keeps ownership of <paramref name="model"/>.</summary>
    public static StructuredServer Create(ILanguageModel model, StructuredServerOptions? options = null, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new StructuredServerOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        var app = builder.Build();
        var batching = new BatchingLanguageModel(model, ownsInner: false);
        string modelId = options.ModelId ?? model.Name;
        var client = new StructuredChatClient(batching, new StructuredChatClientOptions { Generation = options.Generation, ModelId = modelId });
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = modelId, @object = "model", created, owned_by = "structured" } } }));
        app.MapGet("/v1/models/{id}", async (HttpContext context, string id) =>
        {
            if (id == modelId) await context.Response.WriteAsJsonAsync(new { id = modelId, @object = "model", created, owned_by = "structured" }).ConfigureAwait(false);
            else await OpenAIError.Write(context, 404, $"The model '{id}' does not exist", "invalid_request_error", "model", "model_not_found").ConfigureAwait(false);
        });
        app.MapPost("/v1/chat/completions", context => CompleteAsync(context, client, chat: true, options));
        app.MapPost("/v1/completions", context => CompleteAsync(context, client, chat: false, options));
        app.MapFallback(context => OpenAIError.Write(context, 404, $"Unknown request URL: {context.Request.Method} {context.Request.Path}", "invalid_request_error", code: "unknown_url"));
        return new StructuredServer(app, batching);
    }

    /// <summary>Starts listening.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => _app.StartAsync(cancellationToken);

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Stops listening, letting requests in flight finish.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _app.DisposeAsync().ConfigureAwait(false);

    private static async Task CompleteAsync(HttpContext context, StructuredChatClient client, bool chat, StructuredServerOptions options)
    {
        CompletionRequest request;
        try
        {
            if (context.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
                throw new OpenAIError(415, "the request body must be JSON (Content-Type: application/json)");
            using var body = await JsonDocument.ParseAsync(context.Request.Body, new JsonDocumentOptions { MaxDepth = 256 }, context.RequestAborted).ConfigureAwait(false);
            request = CompletionRequest.Read(body.RootElement, chat, options);
        }
        catch (OpenAIError e)
        {
            await e.WriteAsync(context).ConfigureAwait(false);
            return;
        }
        catch (JsonException e)
        {
            await OpenAIError.Write(context, 400, $"We could not parse the JSON body of your request: {e.Message}", "invalid_request_error").ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException e)
        {
            await OpenAIError.Write(context, e.StatusCode, e.StatusCode == 413 ? $"the request body is larger than {options.MaxRequestBodyBytes} bytes" : e.Message, "invalid_request_error").ConfigureAwait(false);
            return;
        }

        IAsyncEnumerable<ChatResponseUpdate> updates;
        try
        {
            updates = chat
                ? client.GetStreamingResponseAsync(request.Messages.Select(m => new ChatMessage(new ChatRole(m.Role), m.Content)), request.Options, context.RequestAborted)
                : client.CompleteStreamingAsync(request.Prompt, request.Options, context.RequestAborted);
        }
        catch (Exception e) when (Refusal(e) is { } refusal)
        {
            await refusal.WriteAsync(context).ConfigureAwait(false);
            return;
        }
        var writer = new ResponseWriter(context, chat, request.Stream, request.IncludeUsage);
        try
        {
            await writer.WriteAsync(updates).ConfigureAwait(false);
        }
        catch (Exception e) when (!writer.Started && Refusal(e) is { } refusal)
        {
            await refusal.WriteAsync(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e) when (!writer.Started)
        {
            await OpenAIError.Write(context, 500, $"generation failed: {e.Message}", "server_error").ConfigureAwait(false);
        }
    }

    // Constraint and option errors are the caller's: 400 with the reason (a schema error names its JSON pointer).
    private static OpenAIError? Refusal(Exception e) => e switch
    {
        OpenAIError o => o,
        GrammarException g => OpenAIError.BadRequest($"invalid constraint: {g.Message}", "response_format", "invalid_schema"),
        ArgumentException a => OpenAIError.BadRequest(a.Message),
        GenerationException g => new OpenAIError(422, g.Message, code: "generation_failed"),
        _ => null,
    };
}
