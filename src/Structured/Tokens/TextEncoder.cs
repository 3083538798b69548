using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

using Microsoft.ML.Tokenizers;

namespace Structured.Tokens;

/// <summary>Turns text into token ids (for prompts); the reverse is the vocabulary's exact bytes.</summary>
public abstract class TextEncoder
{
    /// <summary>Encodes text, adding the beginning-of-sequence tokens the tokenizer's template asks for.</summary>
    public abstract IReadOnlyList<int> Encode(string text);

    /// <summary>A tiktoken encoding (<c>cl100k_base</c>, <c>o200k_base</c>) through Microsoft.ML.Tokenizers.</summary>
    public static TextEncoder Tiktoken(string encoding) => new TokenizerEncoder(TiktokenTokenizer.CreateForEncoding(TiktokenFiles.Canonical(encoding)));

    /// <summary>The encoder of a model folder: <c>tokenizer.json</c> (BPE) or SentencePiece <c>tokenizer.model</c>.</summary>
    public static TextEncoder Load(string directory)
    {
        string json = Path.Combine(directory, "tokenizer.json");
        string sp = Path.Combine(directory, "tokenizer.model");
        if (File.Exists(json)) return HuggingFaceBpeEncoder.Parse(File.ReadAllText(json));
        if (File.Exists(sp))
        {
            using var s = File.OpenRead(sp);
            return new TokenizerEncoder(LlamaTokenizer.Create(s, addBeginOfSentence: true, addEndOfSentence: false));
        }
        throw new FileNotFoundException($"{directory} has neither tokenizer.json nor tokenizer.model", json);
    }

    /// <summary>Any Microsoft.ML.Tokenizers tokenizer (tiktoken, SentencePiece).</summary>
    private sealed class TokenizerEncoder(Tokenizer tokenizer) : TextEncoder
    {
        public override IReadOnlyList<int> Encode(string text) => tokenizer.EncodeToIds(text);
    }
}

/// <summary>
/// A BPE encoder read from a Hugging Face <c>tokenizer.json</c>: byte-level (GPT-2, Llama 3, Qwen2, with the
/// pre-tokenizer's split pattern) or Metaspace with byte fallback (Llama 2, Mistral). Added tokens are matched
/// first; merges apply lowest rank first within each pre-token.
/// </summary>
public sealed class HuggingFaceBpeEncoder : TextEncoder
{
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<(string, string), int> _ranks;
    private readonly System.Text.RegularExpressions.Regex? _split;
    private readonly System.Text.RegularExpressions.Regex? _added;
    private readonly Dictionary<string, int> _addedIds;
    private readonly bool _byteLevel, _metaspace, _prefixSpace, _byteFallback, _alwaysPrepend;
    private readonly int[] _prefix;
    private readonly Dictionary<byte, char> _byteToChar;

    private HuggingFaceBpeEncoder(Dictionary<string, int> vocab, Dictionary<(string, string), int> ranks, System.Text.RegularExpressions.Regex? split, Dictionary<string, int> added,
        bool byteLevel, bool metaspace, bool prefixSpace, bool byteFallback, int[] prefix, bool alwaysPrepend)
    {
        _alwaysPrepend = alwaysPrepend;
        _vocab = vocab; _ranks = ranks; _split = split; _addedIds = added;
        _byteLevel = byteLevel; _metaspace = metaspace; _prefixSpace = prefixSpace; _byteFallback = byteFallback; _prefix = prefix;
        _added = added.Count == 0 ? null : new System.Text.RegularExpressions.Regex(string.Join("|", added.Keys.OrderByDescending(k => k.Length).Select(System.Text.RegularExpressions.Regex.Escape)), RegexOptions.CultureInvariant);
        _byteToChar = ByteLevelAlphabet.Decoder.ToDictionary(p => p.Value, p => p.Key);
    }

    /// <summary>Reads the encoder from the JSON text of a <c>tokenizer.json</c>.</summary>
    public static HuggingFaceBpeEncoder Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var model = root.GetProperty("model");
        string type = model.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        if (type != "BPE") throw new InvalidDataException($"tokenizer.json: encoding text is supported for BPE models only, not '{type}'");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in model.GetProperty("vocab").EnumerateObject()) vocab[p.Name] = p.Value.GetInt32();
        var ranks = new Dictionary<(string, string), int>();
        if (model.TryGetProperty("merges", out var merges))
        {
            int rank = 0;
            foreach (var m in merges.EnumerateArray())
            {
                (string a, string b) pair = m.ValueKind == JsonValueKind.Array ? (m[0].GetString()!, m[1].GetString()!)
                    : m.GetString()!.Split(' ', 2) is [var x, var y] ? (x, y) : throw new InvalidDataException($"tokenizer.json: merge {rank} is malformed");
                ranks.TryAdd(pair, rank++);
            }
        }
        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out var at))
            foreach (var a in at.EnumerateArray()) added[a.GetProperty("content").GetString()!] = a.GetProperty("id").GetInt32();
        string pre = Raw(root, "pre_tokenizer"), dec = Raw(root, "decoder"), norm = Raw(root, "normalizer");
        bool byteLevel = pre.Contains("ByteLevel", StringComparison.Ordinal) || dec.Contains("ByteLevel", StringComparison.Ordinal);
        bool metaspace = !byteLevel && (pre.Contains("Metaspace", StringComparison.Ordinal) || MentionsMetaspace(norm) || MentionsMetaspace(dec));
        bool fallback = model.TryGetProperty("byte_fallback", out var bf) && bf.ValueKind == JsonValueKind.True;
        System.Text.RegularExpressions.Regex? split = null;
        if (byteLevel)
        {
            string? pattern = FindSplitPattern(root.TryGetProperty("pre_tokenizer", out var p) ? p : default);
            bool useRegex = !pre.Contains("\"use_regex\":false", StringComparison.Ordinal);
            pattern ??= useRegex ? Gpt2Pattern : null;
            if (pattern is not null) split = new System.Text.RegularExpressions.Regex(pattern, RegexOptions.CultureInvariant);
        }
        bool prefixSpace = metaspace
            ? !pre.Contains("\"prepend_scheme\":\"never\"", StringComparison.Ordinal) && !pre.Contains("\"add_prefix_space\":false", StringComparison.Ordinal)
            : pre.Contains("\"add_prefix_space\":true", StringComparison.Ordinal);
        return new HuggingFaceBpeEncoder(vocab, ranks, split, added, byteLevel, metaspace, prefixSpace, fallback, TemplatePrefix(root, added),
            alwaysPrepend: norm.Contains("\"Prepend\"", StringComparison.Ordinal));
    }

    /// <inheritdoc />
    public override IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>(_prefix);
        int at = 0;
        bool first = true;
        if (_added is not null)
        {
            foreach (Match m in _added.Matches(text))
            {
                if (m.Index > at) { EncodePlain(text[at..m.Index], first, ids); first = false; }
                ids.Add(_addedIds[m.Value]);
                at = m.Index + m.Length;
            }
        }
        if (at < text.Length) EncodePlain(text[at..], first, ids);
        return ids;
    }

    private void EncodePlain(string text, bool first, List<int> ids)
    {
        if (_metaspace)
        {
            string s = text.Replace(' ', '▁');
            // A Prepend normalizer always adds ▁; the Metaspace pre-tokenizer only where the text does not start with one.
            if (_prefixSpace && first && (_alwaysPrepend || !s.StartsWith('▁'))) s = "▁" + s;
            Bpe(s.EnumerateRunes().Select(r => r.ToString()).ToList(), ids);
            return;
        }
        var pieces = _split is null ? [text] : _split.Matches(_prefixSpace && first && !text.StartsWith(' ') ? " " + text : text).Select(m => m.Value);
        foreach (var piece in pieces)
        {
            var symbols = Encoding.UTF8.GetBytes(piece).Select(b => _byteToChar[b].ToString()).ToList();
            Bpe(symbols, ids);
        }
    }

    private void Bpe(List<string> symbols, List<int> ids)
    {
        while (symbols.Count > 1)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i + 1 < symbols.Count; i++)
                if (_ranks.TryGetValue((symbols[i], symbols[i + 1]), out int r) && r < bestRank) { best = i; bestRank = r; }
            if (best < 0) break;
            symbols[best] += symbols[best + 1];
            symbols.RemoveAt(best + 1);
        }
        foreach (var s in symbols)
        {
            if (_vocab.TryGetValue(s, out int id)) { ids.Add(id); continue; }
            if (_byteFallback)
            {
                foreach (byte b in Encoding.UTF8.GetBytes(s.Replace('▁', ' ')))
                    ids.Add(_vocab.TryGetValue($"<0x{b:X2}>", out int bid) ? bid : throw new InvalidDataException($"tokenizer.json: no byte-fallback token <0x{b:X2}>"));
                continue;
            }
            throw new InvalidDataException($"tokenizer.json: the text piece '{s}' has no token and the tokenizer has no byte fallback");
        }
    }

    // The raw JSON may spell ▁ literally or as an escape.
    private static bool MentionsMetaspace(string raw) => raw.Contains('▁') || raw.Contains("\\u2581", StringComparison.OrdinalIgnoreCase);

    private static string Raw(JsonElement root, string key) =>
        root.TryGetProperty(key, out var e) && e.ValueKind != JsonValueKind.Null ? e.GetRawText().Replace(" ", "", StringComparison.Ordinal) : "";

    private static string? FindSplitPattern(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) return null;
        if (e.TryGetProperty("type", out var t) && t.GetString() == "Split" && e.TryGetProperty("pattern", out var p) && p.TryGetProperty("Regex", out var rx))
            return rx.GetString();
        if (e.TryGetProperty("pretokenizers", out var list))
            foreach (var x in list.EnumerateArray()) if (FindSplitPattern(x) is { } found) return found;
        return null;
    }

    /// <summary>The special tokens that the post-processor's single-sequence template puts before the text (a BOS token).</summary>
    private static int[] TemplatePrefix(JsonElement root, Dictionary<string, int> added)
    {
        if (!root.TryGetProperty("post_processor", out var pp) || pp.ValueKind != JsonValueKind.Object) return [];
        var templates = new List<JsonElement> { pp };
        if (pp.TryGetProperty("processors", out var procs)) templates.AddRange(procs.EnumerateArray());
        foreach (var tp in templates)
        {
            if (!tp.TryGetProperty("single", out var single)) continue;
            var prefix = new List<int>();
            foreach (var item in single.EnumerateArray())
            {
                if (item.TryGetProperty("Sequence", out _)) return [.. prefix];
                if (item.TryGetProperty("SpecialToken", out var st) && added.TryGetValue(st.GetProperty("id").GetString()!, out int id)) prefix.Add(id);
            }
        }
        return [];
    }
}
