using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Structured.Server;

/// <summary>A request the server refuses, answered in OpenAI's error shape: <c>{"error":{"message","type","param","code"}}</c>.</summary>
internal sealed class OpenAIError(int status, string message, string? param = null, string? code = null, string type = "invalid_request_error") : Exception(message)
{
    public int Status { get; } = status;

    public string? Param { get; } = param;

    public string? Code { get; } = code;

    public string Type { get; } = type;

    public static OpenAIError BadRequest(string message, string? param = null, string? code = null) => new(StatusCodes.Status400BadRequest, message, param, code);

    public Task WriteAsync(HttpContext context) => Write(context, Status, Message, Type, Param, Code);

    public static async Task Write(HttpContext context, int status, string message, string type, string? param = null, string? code = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new { error = new { message, type, param, code } }, cancellationToken: context.RequestAborted).ConfigureAwait(false);
    }
}
