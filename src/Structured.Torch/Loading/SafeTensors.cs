using System.Buffers.Binary;
using System.Text.Json;
using Structured.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Structured.Torch.Loading;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// <c>{name: {dtype, shape, data_offsets: [begin, end]}}</c>, then the raw little-endian tensor bytes.
/// Sharded checkpoints are read through <c>model.safetensors.index.json</c>'s <c>weight_map</c>.
/// </summary>
public static class SafeTensors
{
    /// <summary>One tensor's entry in a safetensors header.</summary>
    public sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End, string File);

    /// <summary>Reads the headers of a model folder: <c>model.safetensors</c>, or the shards its index names.</summary>
    public static IReadOnlyDictionary<string, Entry> ReadFolderHeaders(string directory)
    {
        string single = Path.Combine(directory, "model.safetensors");
        string index = Path.Combine(directory, "model.safetensors.index.json");
        var result = new Dictionary<string, Entry>(StringComparer.Ordinal);
        if (File.Exists(single))
        {
            foreach (var e in ReadHeader(single)) result[e.Name] = e;
            return result;
        }
        if (!File.Exists(index))
        {
            var any = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.safetensors") : [];
            if (any.Length == 0) throw new ModelLoadException($"{directory}: no model.safetensors and no model.safetensors.index.json", single);
            foreach (var f in any.Order(StringComparer.Ordinal)) foreach (var e in ReadHeader(f)) result[e.Name] = e;
            return result;
        }
        using var doc = ParseJson(index);
        if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            throw new ModelLoadException($"{index}: no \"weight_map\" object", index);
        var shards = new Dictionary<string, Dictionary<string, Entry>>(StringComparer.Ordinal);
        foreach (var p in map.EnumerateObject())
        {
            string shard = p.Value.GetString() ?? throw new ModelLoadException($"{index}: weight_map[{p.Name}] is not a file name", index);
            if (!shards.TryGetValue(shard, out var entries))
            {
                string path = Path.Combine(directory, shard);
                if (!File.Exists(path)) throw new ModelLoadException($"{index}: shard {shard} (for tensor {p.Name}) is missing", path);
                shards[shard] = entries = ReadHeader(path).ToDictionary(e => e.Name, StringComparer.Ordinal);
            }
            if (!entries.TryGetValue(p.Name, out var entry))
                throw new ModelLoadException($"{Path.Combine(directory, shard)}: tensor {p.Name}, listed in the index, is not in the shard", Path.Combine(directory, shard));
            result[p.Name] = entry;
        }
        return result;
    }

    /// <summary>Reads one file's header.</summary>
    public static IReadOnlyList<Entry> ReadHeader(string file)
    {
        using var fs = File.OpenRead(file);
        Span<byte> len = stackalloc byte[8];
        if (fs.ReadAtLeast(len, 8, throwOnEndOfStream: false) != 8) throw new ModelLoadException($"{file}: too short for a safetensors header", file);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (headerLength > 100_000_000 || (long)headerLength > fs.Length - 8) throw new ModelLoadException($"{file}: header length {headerLength} is not plausible", file);
        var header = new byte[headerLength];
        fs.ReadExactly(header);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fs.Length - dataStart;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); }
        catch (JsonException e) { throw new ModelLoadException($"{file}: header is not JSON ({e.Message})", file); }
        using (doc)
        {
            var list = new List<Entry>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__") continue;
                try
                {
                    string dtype = p.Value.GetProperty("dtype").GetString()!;
                    long[] shape = p.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                    var offsets = p.Value.GetProperty("data_offsets");
                    long begin = offsets[0].GetInt64(), end = offsets[1].GetInt64();
                    if (begin < 0 || end < begin || end > dataLength)
                        throw new ModelLoadException($"{file}: tensor {p.Name} has data offsets [{begin}, {end}] outside the {dataLength} data bytes", file);
                    long elements = shape.Aggregate(1L, (a, b) => a * b);
                    if (elements * ElementSize(dtype, file, p.Name) != end - begin)
                        throw new ModelLoadException($"{file}: tensor {p.Name} of shape [{string.Join(", ", shape)}] and dtype {dtype} needs {elements * ElementSize(dtype, file, p.Name)} bytes, the header gives {end - begin}", file);
                    list.Add(new Entry(p.Name, dtype, shape, dataStart + begin, dataStart + end, file));
                }
                catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
                {
                    throw new ModelLoadException($"{file}: tensor {p.Name} has a malformed header entry", file);
                }
            }
            return list;
        }
    }

    /// <summary>Reads one tensor onto the CPU in its stored dtype.</summary>
    public static Tensor Read(Entry entry)
    {
        var t = empty(entry.Shape, dtype: ScalarTypeOf(entry.DType, entry.File, entry.Name));
        using var fs = File.OpenRead(entry.File);
        fs.Position = entry.Begin;
        t.ReadBytesFromStream(fs, 1 << 20);
        return t;
    }

    /// <summary>Writes tensors to one safetensors file (names sorted, 8-byte aligned header, as the reference writer does).</summary>
    public static void Write(string file, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var name in names)
        {
            var t = tensors[name];
            long size = t.NumberOfElements * t.ElementSize;
            header[name] = new { dtype = DTypeName(t.dtype), shape = t.shape, data_offsets = new[] { offset, offset + size } };
            offset += size;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        int padded = (json.Length + 7) / 8 * 8;
        using var fs = File.Create(file);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
        fs.Write(len);
        fs.Write(json);
        for (int i = json.Length; i < padded; i++) fs.WriteByte((byte)' ');
        foreach (var name in names)
        {
            using var c = tensors[name].detach().contiguous().cpu();
            c.WriteBytesToStream(fs, 1 << 20);
        }
    }

    private static JsonDocument ParseJson(string file)
    {
        try { return JsonDocument.Parse(File.ReadAllBytes(file)); }
        catch (JsonException e) { throw new ModelLoadException($"{file}: not valid JSON ({e.Message})", file); }
    }

    private static long ElementSize(string dtype, string file, string name) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => throw new ModelLoadException($"{file}: tensor {name} has unsupported dtype {dtype}", file),
    };

    private static ScalarType ScalarTypeOf(string dtype, string file, string name) => dtype switch
    {
        "F64" => ScalarType.Float64,
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => throw new ModelLoadException($"{file}: tensor {name} has unsupported dtype {dtype}", file),
    };

    private static string DTypeName(ScalarType t) => t switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new ArgumentException($"dtype {t} cannot be written to safetensors"),
    };
}
