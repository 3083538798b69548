using System.Text;
using System.Text.Json;
using Structured.Tokens;

namespace Structured.Models;

/// <summary>
/// The exact test model of the design brief (<c>bigram:FILE</c>): a JSON file
/// <c>{"tokens": [...], "start": [p0 … pV], "next": [[p0 … pV], …]}</c>. Token ids are <c>0..V-1</c> and id <c>V</c>
/// is end-of-sequence; <c>start</c> is the first token's distribution and <c>next[i]</c> the one after token <c>i</c>.
/// Small models like this can be enumerated exactly, which is what alignment tests need.
/// </summary>
public sealed class BigramModel : ILanguageModel
{
    private const double Tolerance = 1e-6;
    private readonly double[] _start;
    private readonly double[][] _next;
    private readonly byte[][] _tokens;

    private BigramModel(string name, byte[][] tokens, double[] start, double[][] next)
    {
        Name = name;
        _tokens = tokens;
        _start = start.Select(p => Math.Log(p)).ToArray();
        _next = next.Select(r => r.Select(p => Math.Log(p)).ToArray()).ToArray();
        var bytes = tokens.Cast<byte[]?>().Append(null).ToList();
        Vocabulary = new TokenVocabulary(name, bytes, tokens.Length + 1, [tokens.Length], new Dictionary<string, int> { ["<eos>"] = tokens.Length });
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public TokenVocabulary Vocabulary { get; }

    /// <summary>The end-of-sequence id, <c>V</c>.</summary>
    public int EndOfSequence => _tokens.Length;

    /// <summary>Loads a bigram file; a malformed file, or a row that is not a distribution, is a <see cref="ModelLoadException"/> naming it.</summary>
    public static BigramModel Load(string path)
    {
        if (!File.Exists(path)) throw new ModelLoadException($"{path}: no such bigram model file", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses a bigram model from its JSON text; <paramref name="name"/> is used in errors.</summary>
    public static BigramModel Parse(string json, string name = "bigram")
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new ModelLoadException($"{name}: not valid JSON ({e.Message})", name); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ModelLoadException($"{name}: the top level must be an object with \"tokens\", \"start\" and \"next\"", name);
            var tokens = Member(root, "tokens", JsonValueKind.Array, name).EnumerateArray().Select((t, i) =>
                t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } s ? Encoding.UTF8.GetBytes(s)
                    : throw new ModelLoadException($"{name}: tokens[{i}] must be a non-empty string", name)).ToArray();
            if (tokens.Length == 0) throw new ModelLoadException($"{name}: \"tokens\" is empty", name);
            int v = tokens.Length;
            var start = Row(Member(root, "start", JsonValueKind.Array, name), v, "start", name);
            var nextElement = Member(root, "next", JsonValueKind.Array, name);
            if (nextElement.GetArrayLength() != v) throw new ModelLoadException($"{name}: \"next\" has {nextElement.GetArrayLength()} rows, expected one per token ({v})", name);
            var next = nextElement.EnumerateArray().Select((r, i) => Row(r, v, $"next[{i}]", name)).ToArray();
            return new BigramModel(Path.GetFileName(name), tokens, start, next);
        }
    }

    private static JsonElement Member(JsonElement root, string key, JsonValueKind kind, string name) =>
        root.TryGetProperty(key, out var e) && e.ValueKind == kind ? e
            : throw new ModelLoadException($"{name}: \"{key}\" is missing or not an {kind.ToString().ToLowerInvariant()}", name);

    private static double[] Row(JsonElement row, int v, string where, string name)
    {
        if (row.ValueKind != JsonValueKind.Array) throw new ModelLoadException($"{name}: {where} must be an array of {v + 1} probabilities", name);
        if (row.GetArrayLength() != v + 1) throw new ModelLoadException($"{name}: {where} has {row.GetArrayLength()} probabilities, expected {v + 1} (V tokens and end-of-sequence)", name);
        var p = new double[v + 1];
        int i = 0;
        foreach (var x in row.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetDouble(out double d) || !(d >= 0 && d <= 1))
                throw new ModelLoadException($"{name}: {where}[{i}] must be a probability in [0, 1]", name);
            p[i++] = d;
        }
        double sum = p.Sum();
        if (Math.Abs(sum - 1) > Tolerance) throw new ModelLoadException($"{name}: {where} sums to {sum:R}, not 1", name);
        return p;
    }

    /// <summary>Encodes text greedily by the longest token at each position (there is no beginning-of-sequence token).</summary>
    public IReadOnlyList<int> EncodePrompt(string prompt)
    {
        var bytes = Encoding.UTF8.GetBytes(prompt);
        var ids = new List<int>();
        for (int at = 0; at < bytes.Length;)
        {
            int best = -1;
            for (int t = 0; t < _tokens.Length; t++)
                if (bytes.AsSpan(at).StartsWith(_tokens[t]) && (best < 0 || _tokens[t].Length > _tokens[best].Length)) best = t;
            if (best < 0) throw new ArgumentException($"the prompt cannot be spelled with the bigram model's tokens (at byte {at})", nameof(prompt));
            ids.Add(best);
            at += _tokens[best].Length;
        }
        return ids;
    }

    /// <inheritdoc />
    public IModelSequence CreateSequence(IReadOnlyList<int> tokens)
    {
        foreach (var t in tokens)
            if ((uint)t >= (uint)_tokens.Length) throw new ArgumentOutOfRangeException(nameof(tokens), t, "not a token of this bigram model");
        return new Sequence(this, [.. tokens]);
    }

    /// <inheritdoc />
    public Task<INextTokenScores> ScoreAsync(IReadOnlyList<IModelSequence> sequences, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var rows = new double[sequences.Count][];
        for (int i = 0; i < rows.Length; i++)
        {
            if (sequences[i] is not Sequence s || s.Owner != this) throw new ArgumentException("a sequence of another model", nameof(sequences));
            rows[i] = s.Items.Count == 0 ? _start : _next[s.Items[^1]];
        }
        return Task.FromResult<INextTokenScores>(new CpuScores(rows));
    }

    /// <summary>The log-probability of <paramref name="token"/> after <paramref name="previous"/> (-1 at the start).</summary>
    public double NextLogProbability(int previous, int token) => previous < 0 ? _start[token] : _next[previous][token];

    /// <summary>The exact log-probability of a token sequence ending with end-of-sequence.</summary>
    public double LogProbability(IReadOnlyList<int> tokens)
    {
        double lp = 0;
        int prev = -1;
        foreach (int t in tokens.Append(EndOfSequence))
        {
            lp += prev < 0 ? _start[t] : _next[prev][t];
            prev = t;
        }
        return lp;
    }

    /// <inheritdoc />
    public void Dispose() { }

    private sealed class Sequence(BigramModel owner, List<int> items) : IModelSequence
    {
        public BigramModel Owner { get; } = owner;
        public List<int> Items { get; } = items;
        public IReadOnlyList<int> Tokens => Items;
        public void Append(int token)
        {
            if ((uint)token >= (uint)Owner._tokens.Length) throw new ArgumentOutOfRangeException(nameof(token), token, "end-of-sequence or an unknown id cannot be appended");
            Items.Add(token);
        }
        public IModelSequence Fork() => new Sequence(Owner, [.. Items]);
        public void Dispose() { }
    }
}
