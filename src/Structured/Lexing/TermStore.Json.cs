using System.Text;
using Structured.Regex;

namespace Structured.Lexing;

// JSON string bodies over a decoded term: Json(A, phase, value) is "the spellings of A's strings, read up to a point
// inside the current character's escape". The lexer reads escapes here, so A (a schema's intersection or complement)
// is derived by decoded characters only and its liveness searches never see the six spellings of every character.
internal sealed partial class TermStore
{
    // Phases: between characters; after '\'; after "\u" and 0-3 hex digits (a code unit so far in Max); after a high
    // surrogate's four digits, then its '\', then 'u'; after the low surrogate's "\u" and 0-3 digits (Max packs the
    // high surrogate's offset above the low unit so far).
    private const int JsonStart = 0, JsonEscape = 1, JsonUnit = 2, JsonPairBackslash = 6, JsonPairU = 7, JsonLowUnit = 8;

    private readonly int[] _jsonPartitions = [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1];
    private readonly Dictionary<(int Lo, int Hi), ByteSet[][]> _utf8Ranges = []; // a few dozen ranges: escapes' hex prefixes

    private int Json(int decoded, int phase, int value)
    {
        if (decoded == Nothing) return Nothing;
        return Intern(new Term(Kind.Json, decoded, 0, phase, value, null, phase == JsonStart && _terms[decoded].Nullable,
            HashCode.Combine(9, decoded, phase, value), Boolean: true));
    }

    private int DeriveJson(int a, int phase, int value, byte b)
    {
        switch (phase)
        {
            case JsonStart:
                if (b == '\\') return Json(a, JsonEscape, 0); // whether a character can follow is the liveness check's
                if (b < 0x20 || b == '"') return Nothing;
                return Json(DeriveRaw(a, b), JsonStart, 0); // raw bytes are the decoded bytes; A itself rejects broken UTF-8
            case JsonEscape:
                int c = ShortEscape(b);
                if (c >= 0) return Json(DeriveRaw(a, (byte)c), JsonStart, 0);
                return b == 'u' && UnitsStart(a, 0, 0xFFFF) ? Json(a, JsonUnit, 0) : Nothing;
            case JsonPairBackslash:
                return b == '\\' ? Json(a, JsonPairU, value) : Nothing;
            case JsonPairU:
                return b == 'u' ? Json(a, JsonLowUnit, value << 16) : Nothing;
        }
        int digit = HexValue(b);
        if (digit < 0) return Nothing;
        if (phase < JsonPairBackslash)
        {
            int unit = value << 4 | digit, digits = phase - JsonUnit + 1;
            if (digits < 4) return UnitsAhead(a, unit, digits) ? Json(a, phase + 1, unit) : Nothing;
            if (unit is >= 0xD800 and <= 0xDBFF)
                return LowUnitsAhead(a, unit - 0xD800, 0, 0) ? Json(a, JsonPairBackslash, unit - 0xD800) : Nothing;
            if (unit is >= 0xDC00 and <= 0xDFFF) return Nothing; // a lone low surrogate is no character
            return Json(DeriveCodePoint(a, unit), JsonStart, 0);
        }
        {
            int high = value >> 16, low = (value & 0xFFFF) << 4 | digit, digits = phase - JsonLowUnit + 1;
            if (digits < 4) return LowUnitsAhead(a, high, low, digits) ? Json(a, phase + 1, high << 16 | low) : Nothing;
            if (low is < 0xDC00 or > 0xDFFF) return Nothing;
            return Json(DeriveCodePoint(a, Supplementary(high, low)), JsonStart, 0);
        }
    }

    private static int Supplementary(int highOffset, int low) => 0x10000 + (highOffset << 10) + (low - 0xDC00);

    private static int ShortEscape(byte b) => b switch
    {
        (byte)'"' => '"', (byte)'\\' => '\\', (byte)'/' => '/', (byte)'b' => '\b', (byte)'f' => '\f',
        (byte)'n' => '\n', (byte)'r' => '\r', (byte)'t' => '\t', _ => -1,
    };

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private int DeriveCodePoint(int t, int cp)
    {
        Span<byte> utf8 = stackalloc byte[4];
        int n = new Rune(cp).EncodeToUtf8(utf8);
        for (int i = 0; i < n && t != Nothing; i++) t = DeriveRaw(t, utf8[i]);
        return t;
    }

    // The code units a "\u" escape can still spell after `digits` hex digits of value `unit`.
    private bool UnitsAhead(int a, int unit, int digits, bool live = false)
    {
        int span = 1 << 4 * (4 - digits);
        return UnitsStart(a, unit * span, unit * span + span - 1, live);
    }

    // The low surrogates a pair after high surrogate offset `high` can still spell after `digits` hex digits of value
    // `low`: some character among them comes next in A (with live, and A stays non-empty after it).
    private bool LowUnitsAhead(int a, int high, int low, int digits, bool live = false)
    {
        int span = 1 << 4 * (4 - digits);
        int lo = Math.Max(low * span, 0xDC00), hi = Math.Min(low * span + span - 1, 0xDFFF);
        return lo <= hi && AnyCharStarts(a, Supplementary(high, lo), Supplementary(high, hi), live);
    }

    // Code units lo..hi of a "\u" escape: characters below U+10000, and for the high surrogates among them, the
    // characters their pairs spell. A lone low surrogate spells nothing.
    private bool UnitsStart(int a, int lo, int hi, bool live = false)
    {
        if (lo <= 0xD7FF && AnyCharStarts(a, lo, Math.Min(hi, 0xD7FF), live)) return true;
        if (hi >= 0xE000 && AnyCharStarts(a, Math.Max(lo, 0xE000), hi, live)) return true;
        int h1 = Math.Max(lo, 0xD800), h2 = Math.Min(hi, 0xDBFF);
        return h1 <= h2 && AnyCharStarts(a, Supplementary(h1 - 0xD800, 0xDC00), Supplementary(h2 - 0xD800, 0xDFFF), live);
    }

    // Whether some character in lo..hi can come next in A: with live, whether A stays non-empty after it. Walks A's
    // byte classes along the character's UTF-8 byte ranges, so a range of thousands of characters costs a few steps.
    private bool AnyCharStarts(int a, int lo, int hi, bool live = false)
    {
        if (!_utf8Ranges.TryGetValue((lo, hi), out var sequences))
            _utf8Ranges[(lo, hi)] = sequences = Utf8Sequences.Encode(CodePointSet.Range(lo, hi)).ToArray();
        foreach (var seq in sequences)
            if (StartsAlong(a, seq, 0, live)) return true;
        return false;
    }

    private bool StartsAlong(int t, ByteSet[] seq, int i, bool live)
    {
        if (i == seq.Length) return !live || IsLiveLocked(t, decoded: true);
        foreach (var cls in ClassesLocked(t))
        {
            var common = cls.Intersect(seq[i]);
            if (common.IsEmpty) continue;
            int d = DeriveRaw(t, (byte)common.First());
            if (d != Nothing && StartsAlong(d, seq, i + 1, live)) return true;
        }
        return false;
    }

    private bool IsJsonLiveLocked(int t, Term term)
    {
        if (term.Min == JsonStart) return IsLiveLocked(term.A, decoded: true);
        if (_live.TryGetValue(t, out bool known)) return known;
        bool live = term.Min switch
        {
            JsonEscape => AnyCharStarts(term.A, 0, CodePointSet.MaxCodePoint, live: true),
            JsonPairBackslash or JsonPairU => LowUnitsAhead(term.A, term.Max, 0, 0, live: true),
            < JsonPairBackslash => UnitsAhead(term.A, term.Max, term.Min - JsonUnit, live: true),
            _ => LowUnitsAhead(term.A, term.Max >> 16, term.Max & 0xFFFF, term.Min - JsonLowUnit, live: true),
        };
        return _live[t] = live;
    }

    // Byte classes per phase: between characters, '\' and the bytes JSON forbids raw split from the rest (refined by
    // A's classes); in escapes, each byte that means something alone, and each hex value with its two cases.
    private int JsonPartition(int phase)
    {
        int known = _jsonPartitions[phase];
        if (known >= 0) return known;
        var blockOf = new byte[256];
        byte next = 1;
        void Alone(params ReadOnlySpan<char> chars)
        {
            foreach (char ch in chars) blockOf[ch] = next++;
        }
        switch (phase)
        {
            case JsonStart:
                for (int b = 0; b < 0x20; b++) blockOf[b] = 1;
                blockOf['"'] = 1;
                blockOf['\\'] = 2;
                break;
            case JsonEscape:
                Alone('"', '\\', '/', 'b', 'f', 'n', 'r', 't', 'u');
                break;
            case JsonPairBackslash:
                Alone('\\');
                break;
            case JsonPairU:
                Alone('u');
                break;
            default:
                for (int b = 0; b < 256; b++)
                {
                    int v = HexValue((byte)b);
                    if (v >= 0) blockOf[b] = (byte)(v + 1);
                }
                break;
        }
        return _jsonPartitions[phase] = InternPartition(Normalise(blockOf));
    }

    // Partitions are interned with classes numbered by their smallest byte.
    private static byte[] Normalise(byte[] blockOf)
    {
        var ids = new Dictionary<byte, byte>();
        var result = new byte[256];
        for (int b = 0; b < 256; b++)
        {
            if (!ids.TryGetValue(blockOf[b], out byte id)) ids[blockOf[b]] = id = (byte)ids.Count;
            result[b] = id;
        }
        return result;
    }
}
