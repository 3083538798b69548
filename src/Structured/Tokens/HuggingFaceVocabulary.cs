using System.Text;
using System.Text.Json;

namespace Structured.Tokens;

/// <summary>
/// Reads the exact token bytes of Hugging Face tokenizers: <c>tokenizer.json</c> with byte-level BPE (GPT-2, Llama 3,
/// Qwen2) or Metaspace with byte fallback (Llama 2, Mistral, SmolLM), and SentencePiece <c>tokenizer.model</c> files.
/// Only the byte strings are read; encoding text is the tokenizer's business, masks need only the bytes.
/// </summary>
public static class HuggingFaceVocabulary
{
    private static readonly string[] EosNames = ["</s>", "<|endoftext|>", "<|end_of_text|>", "<|eot_id|>", "<|im_end|>", "<eos>"];

    /// <summary>
    /// Loads a model folder: <c>tokenizer.json</c> (or <c>tokenizer.model</c>), with the end-of-sequence token from
    /// <c>tokenizer_config.json</c> or <c>generation_config.json</c> and the mask width from <c>config.json</c>'s
    /// <c>vocab_size</c> when present.
    /// </summary>
    public static TokenVocabulary Load(string directory)
    {
        // Loading the same folder again is free: the vocabulary (and the trie built on it) is cached while its files are unchanged.
        string full = Path.GetFullPath(directory);
        var stamp = string.Join("|", new[] { "tokenizer.json", "tokenizer.model", "config.json", "tokenizer_config.json", "generation_config.json" }
            .Select(f => Path.Combine(full, f)).Select(f => File.Exists(f) ? File.GetLastWriteTimeUtc(f).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-"));
        return Cache.GetOrAdd((full, stamp), key => new Lazy<TokenVocabulary>(() => LoadUncached(key.Directory))).Value;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Directory, string Stamp), Lazy<TokenVocabulary>> Cache = new();

    private static TokenVocabulary LoadUncached(string directory)
    {
        string json = Path.Combine(directory, "tokenizer.json");
        string sp = Path.Combine(directory, "tokenizer.model");
        int? size = ReadInt(Path.Combine(directory, "config.json"), "vocab_size");
        var eosNames = new List<string>();
        if (ReadString(Path.Combine(directory, "tokenizer_config.json"), "eos_token") is { } eos) eosNames.Add(eos);
        var eosIds = ReadInts(Path.Combine(directory, "generation_config.json"), "eos_token_id");
        TokenVocabulary v;
        if (File.Exists(json)) v = FromTokenizerJson(File.ReadAllText(json), Path.GetFileName(directory.TrimEnd('/')), size, eosNames, eosIds);
        else if (File.Exists(sp)) v = FromSentencePiece(File.ReadAllBytes(sp), Path.GetFileName(directory.TrimEnd('/')), size, eosNames, eosIds);
        else throw new FileNotFoundException($"{directory} has neither tokenizer.json nor tokenizer.model", json);
        return v;
    }

    /// <summary>Reads a <c>tokenizer.json</c> document.</summary>
    public static TokenVocabulary FromTokenizerJson(string json, string name = "tokenizer.json", int? size = null,
        IReadOnlyList<string>? eosNames = null, IReadOnlyList<int>? eosIds = null)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (!root.TryGetProperty("model", out var model)) throw new InvalidDataException("tokenizer.json has no \"model\"");
        string type = model.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        bool byteLevel = Mentions(root, "ByteLevel");
        bool byteFallback = model.TryGetProperty("byte_fallback", out var bf) && bf.ValueKind == JsonValueKind.True || Mentions(root, "ByteFallback");
        bool metaspace = Mentions(root, "Metaspace") || Mentions(root, "▁") || Mentions(root, "\\u2581");
        var pieces = new Dictionary<int, string>();
        switch (type)
        {
            case "BPE" or "WordPiece" or "WordLevel":
                foreach (var p in model.GetProperty("vocab").EnumerateObject()) pieces[p.Value.GetInt32()] = p.Name;
                break;
            case "Unigram":
                {
                    int id = 0;
                    foreach (var p in model.GetProperty("vocab").EnumerateArray()) pieces[id++] = p[0].GetString()!;
                    break;
                }
            default:
                throw new InvalidDataException($"tokenizer.json model type '{type}' is not supported (BPE, Unigram, WordPiece, WordLevel)");
        }
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out var added))
        {
            foreach (var a in added.EnumerateArray())
            {
                int id = a.GetProperty("id").GetInt32();
                string content = a.GetProperty("content").GetString()!;
                bool isSpecial = a.TryGetProperty("special", out var s) && s.ValueKind == JsonValueKind.True;
                if (isSpecial) special[content] = id;
                else pieces[id] = content;
            }
        }
        int count = Math.Max(pieces.Count == 0 ? 0 : pieces.Keys.Max() + 1, special.Count == 0 ? 0 : special.Values.Max() + 1);
        var tokens = new byte[]?[count];
        var unicodeToByte = byteLevel ? ByteLevelAlphabet.Decoder : null;
        foreach (var (id, piece) in pieces)
        {
            if (special.ContainsValue(id)) continue;
            tokens[id] = byteLevel ? ByteLevelAlphabet.Decode(piece, unicodeToByte!)
                : byteFallback && IsByteToken(piece, out byte b) ? [b]
                : Encoding.UTF8.GetBytes(metaspace ? piece.Replace('▁', ' ') : piece);
        }
        return Finish(name, tokens, size, special, eosNames, eosIds);
    }

    /// <summary>Reads a SentencePiece <c>.model</c> (the protobuf ModelProto): NORMAL and USER_DEFINED pieces are text with ▁ as space, BYTE pieces one byte.</summary>
    public static TokenVocabulary FromSentencePiece(byte[] model, string name = "tokenizer.model", int? size = null,
        IReadOnlyList<string>? eosNames = null, IReadOnlyList<int>? eosIds = null)
    {
        var pieces = new List<(string Piece, int Type)>();
        var r = new ProtoReader(model);
        while (r.Next(out int field, out int wire))
        {
            if (field == 1 && wire == 2)
            {
                var sub = new ProtoReader(r.Bytes());
                string piece = "";
                int type = 1;
                while (sub.Next(out int f, out int w))
                {
                    if (f == 1 && w == 2) piece = Encoding.UTF8.GetString(sub.Bytes());
                    else if (f == 3 && w == 0) type = (int)sub.Varint();
                    else sub.Skip(w);
                }
                pieces.Add((piece, type));
            }
            else r.Skip(wire);
        }
        var tokens = new byte[]?[pieces.Count];
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < pieces.Count; id++)
        {
            var (piece, type) = pieces[id];
            switch (type)
            {
                case 1 or 4: tokens[id] = Encoding.UTF8.GetBytes(piece.Replace('▁', ' ')); break; // NORMAL, USER_DEFINED
                case 6 when IsByteToken(piece, out byte b): tokens[id] = [b]; break;              // BYTE
                default: special[piece] = id; break;                                              // UNKNOWN, CONTROL, UNUSED
            }
        }
        return Finish(name, tokens, size, special, eosNames, eosIds);
    }

    private static TokenVocabulary Finish(string name, byte[]?[] tokens, int? size, Dictionary<string, int> special,
        IReadOnlyList<string>? eosNames, IReadOnlyList<int>? eosIds)
    {
        // Explicit ids first (generation_config.json), then the configured name, then the usual names.
        var eos = new List<int>(eosIds ?? []);
        foreach (var names in new[] { eosNames ?? [], EosNames })
        {
            if (eos.Count > 0) break;
            foreach (var n in names)
                if (special.TryGetValue(n, out int id)) eos.Add(id);
        }
        if (eos.Count == 0) throw new InvalidDataException($"{name}: no end-of-sequence token found (looked for {string.Join(", ", EosNames)})");
        int width = Math.Max(size ?? 0, Math.Max(tokens.Length, eos.Max() + 1));
        return new TokenVocabulary(name, tokens, width, eos.Distinct(), special);
    }

    private static bool IsByteToken(string piece, out byte b)
    {
        b = 0;
        return piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out b);
    }

    private static bool Mentions(JsonElement root, string what)
    {
        foreach (var key in new[] { "pre_tokenizer", "decoder", "normalizer" })
            if (root.TryGetProperty(key, out var e) && e.ValueKind != JsonValueKind.Null && e.GetRawText().Contains(what, StringComparison.Ordinal)) return true;
        return false;
    }

    private static int? ReadInt(string path, string key)
    {
        if (!File.Exists(path)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
    }

    private static List<int> ReadInts(string path, string key)
    {
        if (!File.Exists(path)) return [];
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        if (!doc.RootElement.TryGetProperty(key, out var v)) return [];
        return v.ValueKind switch
        {
            JsonValueKind.Number => [v.GetInt32()],
            JsonValueKind.Array => v.EnumerateArray().Select(x => x.GetInt32()).ToList(),
            _ => [],
        };
    }

    private static string? ReadString(string path, string key)
    {
        if (!File.Exists(path)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        if (!doc.RootElement.TryGetProperty(key, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Object when v.TryGetProperty("content", out var c) => c.GetString(),
            _ => null,
        };
    }

    private ref struct ProtoReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _pos;

        public bool Next(out int field, out int wire)
        {
            field = wire = 0;
            if (_pos >= _data.Length) return false;
            ulong key = Varint();
            field = (int)(key >> 3);
            wire = (int)(key & 7);
            return true;
        }

        public ulong Varint()
        {
            ulong v = 0;
            for (int shift = 0; ; shift += 7)
            {
                if (_pos >= _data.Length || shift > 63) throw new InvalidDataException("truncated SentencePiece model");
                byte b = _data[_pos++];
                v |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return v;
            }
        }

        public ReadOnlySpan<byte> Bytes()
        {
            int len = checked((int)Varint());
            if (_pos + len > _data.Length) throw new InvalidDataException("truncated SentencePiece model");
            var s = _data.Slice(_pos, len);
            _pos += len;
            return s;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: _pos += 8; break;
                case 2: Bytes(); break;
                case 5: _pos += 4; break;
                default: throw new InvalidDataException($"unsupported protobuf wire type {wire}");
            }
        }
    }
}

/// <summary>GPT-2's byte-level alphabet: every byte as a printable character (space is Ġ, newline Ċ).</summary>
internal static class ByteLevelAlphabet
{
    public static readonly Dictionary<char, byte> Decoder = Build();

    private static Dictionary<char, byte> Build()
    {
        var map = new Dictionary<char, byte>();
        int extra = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= 33 and <= 126 or >= 161 and <= 172 or >= 174 and <= 255;
            char c = printable ? (char)b : (char)(256 + extra++);
            map[c] = (byte)b;
        }
        return map;
    }

    public static byte[] Decode(string piece, Dictionary<char, byte> decoder)
    {
        var bytes = new byte[piece.Length];
        for (int i = 0; i < piece.Length; i++)
        {
            if (!decoder.TryGetValue(piece[i], out bytes[i]))
                return Encoding.UTF8.GetBytes(piece); // an added token written as plain text
        }
        return bytes;
    }
}
