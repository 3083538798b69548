using System.CommandLine;
using Structured.Server;

namespace Structured.Cli;

/// <summary><c>structured serve</c>: the OpenAI-compatible server over a model, on loopback unless told otherwise.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "default (the embedded model), a Hugging Face model folder, or bigram:FILE.", DefaultValueFactory = _ => "default" };
        var urls = new Option<string>("--urls") { Description = "Where to listen; loopback by default.", DefaultValueFactory = _ => "http://127.0.0.1:8000" };
        var maxTokens = new Option<int>("--max-tokens") { Description = "The largest max_tokens a request may ask for (and the default).", DefaultValueFactory = _ => 1024 };
        var sampler = new Option<string>("--sampler") { Description = "Default sampler: lcd, awrs or smc (requests may choose with \"sampler\").", DefaultValueFactory = _ => "lcd" };
        var command = new Command("serve", "Serve /v1/chat/completions, /v1/completions and /v1/models (OpenAI-compatible, response_format json_schema enforced while decoding).");
        foreach (var o in new Option[] { model, urls, maxTokens, sampler }) command.Options.Add(o);
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!Enum.TryParse<SamplerKind>(result.GetValue(sampler), ignoreCase: true, out var kind))
            {
                Console.Error.WriteLine($"error: --sampler takes lcd, awrs or smc, not '{result.GetValue(sampler)}'");
                return ExitCodes.BadConstraint;
            }
            if (result.GetValue(maxTokens) < 1)
            {
                Console.Error.WriteLine("error: --max-tokens must be at least 1");
                return ExitCodes.BadConstraint;
            }
            using var lm = ModelOption.Open(result.GetValue(model)!);
            if (lm is null) return ExitCodes.BadConstraint;
            var server = StructuredServer.Create(lm, new StructuredServerOptions
            {
                Urls = result.GetValue(urls)!, MaxTokens = result.GetValue(maxTokens), Generation = new GenerationOptions { Sampler = kind },
            });
            await using (server.ConfigureAwait(false))
            {
                try
                {
                    await server.StartAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    Console.Error.WriteLine($"error: cannot listen on {result.GetValue(urls)}: {e.Message}");
                    return ExitCodes.BadConstraint;
                }
                Console.Error.WriteLine($"serving {lm.Name} at {string.Join(", ", server.Addresses)} (Ctrl+C stops)");
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
                await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
            return ExitCodes.Accepted;
        });
        return command;
    }
}
