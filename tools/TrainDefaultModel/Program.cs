using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Structured.Torch;
using Structured.Torch.Decoding;
using Structured.Torch.Loading;
using TorchSharp;
using TrainDefaultModel;
using static TorchSharp.torch;

// Trains the embedded default model: a 4-layer Llama-style decoder over cl100k_base with a rank-32 factorised
// embedding, on text generated here with a fixed seed. See README.md in this folder.
var args_ = Args.Parse(args);
TorchNativeLoader.EnsureLoaded();
torch.random.manual_seed(args_.Seed);
torch.set_num_threads(Environment.ProcessorCount);
var rng = new Random(args_.Seed);
var clock = Stopwatch.StartNew();

var schemas = Directory.GetFiles(Path.Combine(args_.Repo, "examples", "schemas"), "*.schema.json").Order(StringComparer.Ordinal)
    .Select(f => { var e = JsonDocument.Parse(File.ReadAllText(f)).RootElement; return (e.GetProperty("title").GetString()!, e); }).ToList();
var generator = new CorpusGenerator(rng);
var encoder = Structured.Tokens.TextEncoder.Tiktoken("cl100k");
const int Eot = 100_257;
var stream = new List<int>();
int documents = 0;
while (stream.Count < args_.CorpusTokens)
{
    stream.Add(Eot);
    stream.AddRange(encoder.Encode(generator.Document(schemas)));
    documents++;
}
stream.Add(Eot);
var used = stream.Distinct().Order().ToArray();
var remap = new Dictionary<int, int>();
for (int i = 0; i < used.Length; i++) remap[used[i]] = i;
Console.WriteLine($"corpus: {documents} documents, {stream.Count} tokens, {used.Length} distinct ids ({clock.Elapsed.TotalSeconds:F1} s)");

var config = new ModelConfig
{
    ModelType = "structured-tiny", Family = DecoderFamily.Llama, VocabSize = 100_277, HiddenSize = 128, Layers = 4, Heads = 4,
    KeyValueHeads = 2, HeadDim = 32, IntermediateSize = 384, NormEpsilon = 1e-5, RopeTheta = 10000, MaxPositions = 1024,
    TieWordEmbeddings = true, EmbeddingRank = 32, OutputBias = true, BosTokenId = Eot,
};
using var initial = ModelWeights.Random(config, args_.Seed, scale: 0.05);
var parameters = initial.All.ToDictionary(p => p.Key, p => new TorchSharp.Modules.Parameter(p.Value.clone(), requires_grad: true));
var weights = ModelWeights.FromTensors(parameters.ToDictionary(p => p.Key, p => (Tensor)p.Value));
var decoder = new TransformerDecoder(config, weights, CPU);
var optimizer = torch.optim.AdamW(parameters.Values, lr: args_.LearningRate, weight_decay: 0.01);
var usedIds = tensor(used.Select(x => (long)x).ToArray());
int B = args_.Batch, T = args_.Context;
var causal = ones(T, T, dtype: ScalarType.Bool).tril().view(1, 1, T, T).expand(B, 1, T, T);
var positions = arange(T, dtype: ScalarType.Int64).view(1, T).expand(B, T);
double smoothed = 0;
var log = new List<object>();
for (int step = 1; step <= args_.Steps; step++)
{
    using var scope = NewDisposeScope();
    var x = new long[B * T];
    var y = new long[B * T];
    for (int b = 0; b < B; b++)
    {
        int at = rng.Next(stream.Count - T - 1);
        for (int j = 0; j < T; j++) { x[b * T + j] = stream[at + j]; y[b * T + j] = remap[stream[at + j + 1]]; }
    }
    double lr = args_.LearningRate * Math.Min(1.0, step / 100.0) * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * step / args_.Steps)));
    foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
    var (hidden, _, _) = decoder.Forward(tensor(x, [B, T]), positions, null, null, causal);
    // Only the ids the corpus uses get a softmax column while training; the rest are set far below at export.
    var low = weights["model.embed_tokens.low"].index_select(0, usedIds);
    var logits = hidden.matmul(weights["model.embed_tokens.up"].t()).matmul(low.t()) + weights["lm_head.bias"].index_select(0, usedIds);
    var loss = nn.functional.cross_entropy(logits.view(B * T, used.Length), tensor(y));
    optimizer.zero_grad();
    loss.backward();
    nn.utils.clip_grad_norm_(parameters.Values, 1.0);
    optimizer.step();
    double l = loss.item<float>();
    smoothed = step == 1 ? l : 0.98 * smoothed + 0.02 * l;
    if (step % 50 == 0 || step == 1)
    {
        Console.WriteLine($"step {step}: loss {l:F3} (smoothed {smoothed:F3}), lr {lr:E2}, {clock.Elapsed.TotalSeconds:F0} s");
        log.Add(new { step, loss = Math.Round(l, 4), smoothed = Math.Round(smoothed, 4), seconds = Math.Round(clock.Elapsed.TotalSeconds, 1) });
    }
}

// Export: ids the corpus never used get a zero embedding row and a logit bias of -30 (probability ~1e-13 each).
using (no_grad())
{
    var exported = new Dictionary<string, Tensor>();
    foreach (var (k, t) in weights.All) exported[k] = t.detach().clone();
    var keep = zeros(config.VocabSize, dtype: ScalarType.Bool);
    keep.index_put_(tensor(true), usedIds);
    exported["model.embed_tokens.low"] = exported["model.embed_tokens.low"].masked_fill(keep.logical_not().unsqueeze(1), 0);
    exported["lm_head.bias"] = exported["lm_head.bias"].masked_fill(keep.logical_not(), -30);
    Directory.CreateDirectory(args_.Output);
    using var w = ModelWeights.FromTensors(exported);
    string staging = Path.Combine(Path.GetTempPath(), "structured-default-model");
    w.Save(staging, config, ScalarType.Float16);
    using (var input = File.OpenRead(Path.Combine(staging, "model.safetensors")))
    using (var output = File.Create(Path.Combine(args_.Output, "model.safetensors.gz")))
    using (var gz = new GZipStream(output, CompressionLevel.SmallestSize))
        input.CopyTo(gz);
    File.Copy(Path.Combine(staging, "config.json"), Path.Combine(args_.Output, "config.json"), overwrite: true);
    File.WriteAllText(Path.Combine(args_.Output, "training.json"), JsonSerializer.Serialize(new
    {
        seed = args_.Seed, steps = args_.Steps, batch = B, context = T, learning_rate = args_.LearningRate,
        corpus_documents = documents, corpus_tokens = stream.Count, distinct_ids = used.Length,
        seconds = Math.Round(clock.Elapsed.TotalSeconds, 1), threads = torch.get_num_threads(), final_smoothed_loss = Math.Round(smoothed, 4), log,
    }, new JsonSerializerOptions { WriteIndented = true }));
}
Console.WriteLine($"wrote {args_.Output} in {clock.Elapsed.TotalMinutes:F1} min");

internal sealed record Args(string Repo, string Output, int Steps, int Batch, int Context, double LearningRate, int Seed, int CorpusTokens)
{
    public static Args Parse(string[] a)
    {
        string Get(string name, string fallback) { int i = Array.IndexOf(a, name); return i >= 0 && i + 1 < a.Length ? a[i + 1] : fallback; }
        string repo = Path.GetFullPath(Get("--repo", FindRepo()));
        return new Args(repo, Path.GetFullPath(Get("--out", Path.Combine(repo, "src", "Structured.Torch", "DefaultModel"))),
            int.Parse(Get("--steps", "1200")), int.Parse(Get("--batch", "16")), int.Parse(Get("--context", "128")),
            double.Parse(Get("--lr", "0.003"), System.Globalization.CultureInfo.InvariantCulture), int.Parse(Get("--seed", "1234")),
            int.Parse(Get("--corpus-tokens", "1500000")));
    }

    private static string FindRepo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Structured.sln"))) return d.FullName;
        return Directory.GetCurrentDirectory();
    }
}
