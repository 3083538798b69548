using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Structured.Server;

namespace Structured.Cli.Bench;

/// <summary>
/// Server throughput and latency: starts the server on a free loopback port and, for each client count, runs that
/// many clients that send chat requests with a JSON Schema back to back for a fixed time. Prints a JSON line per
/// client count (requests, requests/s, tokens/s, latency percentiles, mean batch size).
/// </summary>
internal static class ServeBenchmark
{
    private const string Schema = """
        {"type":"object","properties":{"name":{"type":"string","maxLength":24},"age":{"type":"integer","minimum":0,"maximum":120},
         "email":{"type":"string","maxLength":40}},"required":["name","age","email"],"additionalProperties":false}
        """;

    public static async Task<int> RunAsync(string modelSpec, int[] clients, double seconds, int maxTokens, CancellationToken cancellationToken)
    {
        using var model = ModelOption.Open(modelSpec);
        if (model is null) return ExitCodes.BadConstraint;
        var server = StructuredServer.Create(model, new StructuredServerOptions { Urls = "http://127.0.0.1:0", MaxTokens = maxTokens });
        await using (server.ConfigureAwait(false))
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = server.Addresses[0];
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(5) };
            await SendAsync(http, 0, maxTokens, cancellationToken).ConfigureAwait(false); // warm-up: compile the schema once
            foreach (int n in clients)
            {
                var before = server.Batching;
                var latencies = new List<double>();
                long tokens = 0, failures = 0;
                var watch = Stopwatch.StartNew();
                var deadline = TimeSpan.FromSeconds(seconds);
                await Task.WhenAll(Enumerable.Range(0, n).Select(async c =>
                {
                    for (int i = 0; watch.Elapsed < deadline; i++)
                    {
                        var started = watch.Elapsed;
                        var (ok, used) = await SendAsync(http, c * 100_000 + i, maxTokens, cancellationToken).ConfigureAwait(false);
                        lock (latencies)
                        {
                            if (!ok) { failures++; continue; }
                            latencies.Add((watch.Elapsed - started).TotalMilliseconds);
                            tokens += used;
                        }
                    }
                })).ConfigureAwait(false);
                double elapsed = watch.Elapsed.TotalSeconds;
                var after = server.Batching;
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    clients = n, seconds = Math.Round(elapsed, 1), requests = latencies.Count, failures,
                    requests_per_s = Math.Round(latencies.Count / elapsed, 2), tokens_per_s = Math.Round(tokens / elapsed, 1),
                    latency_ms = Stats.Of(latencies), mean_batch = Math.Round((after.Rows - before.Rows) / (double)Math.Max(1, after.Passes - before.Passes), 2),
                }));
            }
            await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        return ExitCodes.Accepted;
    }

    private static async Task<(bool Ok, int Tokens)> SendAsync(HttpClient http, int seed, int maxTokens, CancellationToken cancellationToken)
    {
        string body = "{\"model\":\"default\",\"messages\":[{\"role\":\"user\",\"content\":\"Return a JSON object for a person.\"}],"
            + $"\"seed\":{seed},\"max_tokens\":{maxTokens},"
            + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"person\",\"strict\":true,\"schema\":" + Schema + "}}}";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("v1/chat/completions", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) return (false, 0);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        return (true, doc.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }
}
