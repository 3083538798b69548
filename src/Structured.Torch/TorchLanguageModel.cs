using Structured.Models;
using Structured.Tokens;
using Structured.Torch.Decoding;
using Structured.Torch.Loading;
using TorchSharp;
using static TorchSharp.torch;

namespace Structured.Torch;

/// <summary>Where and how a model runs.</summary>
public sealed record TorchModelOptions
{
    /// <summary>"cpu", "cuda", "cuda:1", …; null picks CUDA when it is available, else the CPU.</summary>
    public string? Device { get; init; }

    /// <summary>Compute dtype; null means float32 on every device (F16/BF16 checkpoints are converted on loading).</summary>
    public ScalarType? DType { get; init; }
}

/// <summary>
/// A Hugging Face decoder (Llama, Mistral, Qwen2, GPT-2) on TorchSharp. Each sequence keeps its own KV cache;
/// forks share the cached tensors (they are never written in place: new positions make new tensors), so a fork
/// costs a handle per layer. Scoring runs under inference mode with one dispose scope per step, and the logits
/// stay on the device inside the returned <see cref="TorchScores"/>.
/// </summary>
public sealed class TorchLanguageModel : ILanguageModel
{
    private readonly TransformerDecoder _decoder;
    private readonly ModelWeights _weights;
    private readonly TextEncoder? _encoder;
    private readonly int? _bos;
    private readonly Lock _gate = new();

    private TorchLanguageModel(string name, ModelConfig config, ModelWeights weights, Device device, TokenVocabulary vocabulary, TextEncoder? encoder, int? bos)
    {
        Name = name;
        Config = config;
        _weights = weights;
        _decoder = new TransformerDecoder(config, weights, device);
        Vocabulary = vocabulary;
        _encoder = encoder;
        _bos = bos;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The model's config.</summary>
    public ModelConfig Config { get; }

    /// <summary>The device it runs on.</summary>
    public Device Device => _decoder.Device;

    /// <inheritdoc />
    public TokenVocabulary Vocabulary { get; }

    /// <inheritdoc />
    public ChatTemplate ChatTemplate { get; private set; } = ChatTemplate.Plain;

    /// <summary>
    /// Loads a Hugging Face model folder: <c>config.json</c>, <c>model.safetensors</c> (or shards with
    /// <c>model.safetensors.index.json</c>), and <c>tokenizer.json</c> or <c>tokenizer.model</c>.
    /// </summary>
    public static TorchLanguageModel Load(string directory, TorchModelOptions? options = null)
    {
        if (!Directory.Exists(directory)) throw new ModelLoadException($"{directory}: no such model folder", directory);
        var config = ModelConfig.Load(Path.Combine(directory, "config.json"));
        TokenVocabulary vocabulary;
        TextEncoder encoder;
        try
        {
            vocabulary = HuggingFaceVocabulary.Load(directory);
            encoder = TextEncoder.Load(directory);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new ModelLoadException($"{directory}: the tokenizer cannot be read ({e.Message})", directory);
        }
        var template = ChatTemplate.FromModelFolder(directory);
        var model = Create(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), directory, config, vocabulary, encoder, options);
        model.ChatTemplate = template;
        return model;
    }

    /// <summary>Loads weights from a folder with a vocabulary and encoder given by the caller (the embedded model uses cl100k this way).</summary>
    public static TorchLanguageModel Create(string name, string weightsDirectory, ModelConfig config, TokenVocabulary vocabulary, TextEncoder? encoder, TorchModelOptions? options = null)
    {
        try { TorchNativeLoader.EnsureLoaded(); }
        catch (DllNotFoundException e) { throw new ModelLoadException(e.Message, weightsDirectory); }
        var device = PickDevice(options?.Device);
        var dtype = options?.DType ?? ScalarType.Float32;
        if (vocabulary.Size > config.VocabSize)
            throw new ModelLoadException($"{weightsDirectory}: the tokenizer has {vocabulary.Size} ids but config.json's vocab_size is {config.VocabSize}", Path.Combine(weightsDirectory, "config.json"));
        var weights = ModelWeights.Load(weightsDirectory, config, device, dtype);
        var vocab = vocabulary.Size == config.VocabSize ? vocabulary
            : new TokenVocabulary(vocabulary.Name, Enumerable.Range(0, vocabulary.TokenCount).Select(i => vocabulary.HasText(i) ? vocabulary[i].ToArray() : null).ToList(),
                config.VocabSize, vocabulary.EndOfSequenceIds, vocabulary.SpecialTokens);
        return new TorchLanguageModel(name, config, weights, device, vocab, encoder, config.BosTokenId);
    }

    /// <summary>Wraps weights already in memory (tests and training).</summary>
    public static TorchLanguageModel FromWeights(string name, ModelConfig config, ModelWeights weights, TokenVocabulary vocabulary, TextEncoder? encoder = null) =>
        new(name, config, weights, weights.All.Values.First().device, vocabulary, encoder, config.BosTokenId);

    private static Device PickDevice(string? requested)
    {
        if (requested is not null) return torch.device(requested);
        return cuda.is_available() ? CUDA : CPU;
    }

    /// <summary>
    /// Waits until the device has finished the work queued so far. CUDA runs kernels asynchronously, so a timer read
    /// right after <see cref="Score"/> would otherwise measure only their launch; benchmarks call this. No-op on the CPU.
    /// </summary>
    public void Synchronize()
    {
        if (Device.type == DeviceType.CUDA) cuda.synchronize(Device);
    }

    /// <inheritdoc />
    public IReadOnlyList<int> EncodePrompt(string prompt)
    {
        if (_encoder is null) throw new InvalidOperationException($"{Name} has no text encoder; create sequences from token ids");
        var ids = _encoder.Encode(prompt).ToList();
        if (_bos is { } bos && (ids.Count == 0 || ids[0] != bos)) ids.Insert(0, bos);
        return ids;
    }

    /// <inheritdoc />
    public IModelSequence CreateSequence(IReadOnlyList<int> tokens)
    {
        foreach (int t in tokens)
            if ((uint)t >= (uint)Config.VocabSize) throw new ArgumentOutOfRangeException(nameof(tokens), t, $"outside the vocabulary of {Config.VocabSize}");
        return new TorchSequence(this, [.. tokens], 0, null, null, null);
    }

    /// <inheritdoc />
    public Task<INextTokenScores> ScoreAsync(IReadOnlyList<IModelSequence> sequences, CancellationToken cancellationToken = default) =>
        Task.Run(() => Score(sequences, cancellationToken), cancellationToken);

    /// <summary>The synchronous scoring step behind <see cref="ScoreAsync"/>.</summary>
    public INextTokenScores Score(IReadOnlyList<IModelSequence> sequences, CancellationToken cancellationToken = default)
    {
        var seqs = new TorchSequence[sequences.Count];
        for (int i = 0; i < seqs.Length; i++)
        {
            seqs[i] = sequences[i] as TorchSequence is { } s && s.Owner == this ? s : throw new ArgumentException("a sequence of another model", nameof(sequences));
            if (seqs[i].Items.Count == 0) throw new ArgumentException("a sequence needs at least one token (a prompt or a beginning-of-sequence token) to be scored", nameof(sequences));
        }
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            var stale = seqs.Where(s => s.Pending > 0).Distinct().ToArray();
            if (stale.Length > 0) Advance(stale);
            var rows = stack(seqs.Select(s => s.LastLogits!).ToArray());
            return new TorchScores(rows.DetachFromDisposeScope());
        }
    }

    /// <summary>Runs one batched forward over the pending tokens of the given sequences and updates their caches.</summary>
    private void Advance(TorchSequence[] seqs)
    {
        var c = Config;
        int n = seqs.Length;
        int tMax = seqs.Max(s => s.Pending), pMax = seqs.Max(s => s.CacheLength);
        var ids = new long[n * tMax];
        var pos = new long[n * tMax];
        var allow = new bool[n * tMax * (pMax + tMax)];
        for (int i = 0; i < n; i++)
        {
            var s = seqs[i];
            for (int j = 0; j < tMax; j++)
            {
                ids[i * tMax + j] = j < s.Pending ? s.Items[s.CacheLength + j] : 0;
                pos[i * tMax + j] = s.CacheLength + j;
                int rowBase = (i * tMax + j) * (pMax + tMax);
                for (int k = pMax - s.CacheLength; k < pMax; k++) allow[rowBase + k] = true;
                for (int k = 0; k <= j; k++) allow[rowBase + pMax + k] = true;
            }
        }
        var dev = _decoder.Device;
        var tokens = tensor(ids, [n, tMax], device: dev);
        var positions = tensor(pos, [n, tMax], device: dev);
        var mask = tensor(allow, [n, 1, tMax, pMax + tMax], device: dev);
        Tensor[]? pastK = null, pastV = null;
        if (pMax > 0)
        {
            pastK = new Tensor[c.Layers];
            pastV = new Tensor[c.Layers];
            for (int l = 0; l < c.Layers; l++)
            {
                pastK[l] = cat(seqs.Select(s => LeftPad(s.Keys?[l], pMax)).ToArray(), 0);
                pastV[l] = cat(seqs.Select(s => LeftPad(s.Values?[l], pMax)).ToArray(), 0);
            }
        }
        var (hidden, keys, values) = _decoder.Forward(tokens, positions, pastK, pastV, mask);
        var last = tensor(seqs.Select(s => (long)(s.Pending - 1)).ToArray(), device: dev);
        var lastHidden = hidden.gather(1, last.view(n, 1, 1).expand(n, 1, hidden.shape[2])).squeeze(1);
        var logits = _decoder.Logits(lastHidden);
        for (int i = 0; i < n; i++)
        {
            var s = seqs[i];
            int from = pMax - s.CacheLength, length = s.CacheLength + s.Pending;
            var newK = new Tensor[c.Layers];
            var newV = new Tensor[c.Layers];
            for (int l = 0; l < c.Layers; l++)
            {
                newK[l] = keys[l][i].narrow(1, from, length).unsqueeze(0).clone().DetachFromDisposeScope();
                newV[l] = values[l][i].narrow(1, from, length).unsqueeze(0).clone().DetachFromDisposeScope();
            }
            s.Replace(newK, newV, logits[i].clone().DetachFromDisposeScope(), length);
        }
    }

    private Tensor LeftPad(Tensor? cache, int length)
    {
        var c = Config;
        if (cache is null) return zeros([1, c.KeyValueHeads, length, c.HeadDim], dtype: _weights.All.Values.First().dtype, device: _decoder.Device);
        long have = cache.shape[2];
        return have == length ? cache : nn.functional.pad(cache, [0, 0, length - have, 0]);
    }

    /// <inheritdoc />
    public void Dispose() => _weights.Dispose();

    private sealed class TorchSequence(TorchLanguageModel owner, List<int> items, int cacheLength, Tensor[]? keys, Tensor[]? values, Tensor? lastLogits) : IModelSequence
    {
        public TorchLanguageModel Owner { get; } = owner;
        public List<int> Items { get; } = items;
        public int CacheLength { get; private set; } = cacheLength;
        public Tensor[]? Keys { get; private set; } = keys;
        public Tensor[]? Values { get; private set; } = values;
        public Tensor? LastLogits { get; private set; } = lastLogits;
        public int Pending => Items.Count - CacheLength;
        public IReadOnlyList<int> Tokens => Items;

        public void Append(int token)
        {
            if ((uint)token >= (uint)Owner.Config.VocabSize) throw new ArgumentOutOfRangeException(nameof(token), token, $"outside the vocabulary of {Owner.Config.VocabSize}");
            Items.Add(token);
        }

        public IModelSequence Fork() => new TorchSequence(Owner, [.. Items], CacheLength,
            Keys?.Select(k => k.alias().DetachFromDisposeScope()).ToArray(), Values?.Select(v => v.alias().DetachFromDisposeScope()).ToArray(),
            LastLogits?.alias().DetachFromDisposeScope());

        public void Replace(Tensor[] keys, Tensor[] values, Tensor logits, int cacheLength)
        {
            Release();
            Keys = keys; Values = values; LastLogits = logits; CacheLength = cacheLength;
        }

        private void Release()
        {
            foreach (var t in Keys ?? []) t.Dispose();
            foreach (var t in Values ?? []) t.Dispose();
            LastLogits?.Dispose();
        }

        public void Dispose()
        {
            Release();
            Keys = null; Values = null; LastLogits = null; CacheLength = 0;
            Items.Clear();
        }
    }
}
