using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Structured.Parsing;
using Structured.Tests.Infrastructure;

namespace Structured.Tests.Parsing;

/// <summary>The JSON grammars agree with System.Text.Json on generated, truncated and mutated documents.</summary>
public class JsonAgreementTests
{
    public static TheoryData<string> JsonGrammars() => new() { "json.gbnf", "json.lark" };

    private static readonly Gen<string> Key = Gen.Elements("a", "id", "name", "x y", "é", "");

    private static readonly Gen<string> Str = Gen.Elements("", "abc", "he said \\\"hi\\\"", "tab\\t", "\\u00e9t\\u00E9", "日本", "😀", "back\\\\slash", "a/b\\/c");

    private static readonly Gen<string> Num = Gen.Elements("0", "-0", "1", "-12", "3.25", "1e10", "-2.5E-3", "123456789012345678901234567890", "0.5e+2");

    private static Gen<string> Value(int size) => size <= 0
        ? Gen.OneOf(Num, Str.Select(s => "\"" + s + "\""), Gen.Elements("true", "false", "null"))
        : Gen.Frequency(
            (3, Value(0)),
            (1, Gen.ListOf(Value(size / 3)).Select(xs => "[" + string.Join(",", xs.Take(5)) + "]")),
            (1, Gen.ListOf(Gen.Zip(Key, Value(size / 3))).Select(ps => "{" + string.Join(",", ps.Take(5).Select(p => "\"" + p.Item1 + "\":" + p.Item2)) + "}")));

    private static readonly Gen<string> Spaced = Gen.Zip(Gen.Sized(Value), Gen.Choose(0, int.MaxValue)).Select(t =>
    {
        // Sprinkle JSON whitespace after structural characters.
        var rng = new Random(t.Item2);
        var sb = new StringBuilder();
        bool inString = false;
        for (int i = 0; i < t.Item1.Length; i++)
        {
            char c = t.Item1[i];
            sb.Append(c);
            if (c == '"' && (i == 0 || t.Item1[i - 1] != '\\')) inString = !inString;
            if (!inString && c is '{' or '[' or ',' or ':' && rng.Next(3) == 0) sb.Append(" \n\t\r"[rng.Next(4)]);
        }
        return sb.ToString();
    });

    private static bool StjComplete(byte[] bytes)
    {
        try
        {
            using var _ = JsonDocument.Parse(bytes);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // A prefix is viable for STJ when a non-final reader consumes it without an error.
    private static bool StjViable(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes, isFinalBlock: false, state: default);
        try
        {
            while (reader.Read()) { }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [Theory]
    [MemberData(nameof(JsonGrammars))]
    public void Generated_documents_are_accepted(string grammar)
    {
        var (_, c) = GrammarFiles.Load(grammar);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Arb.From(Spaced), doc =>
        {
            var bytes = Encoding.UTF8.GetBytes(doc);
            return (StjComplete(bytes) && c.Accepts(bytes)).Label(doc);
        }));
    }

    private enum Mutation { Truncate, Flip, Insert, Delete }

    [Theory]
    [MemberData(nameof(JsonGrammars))]
    public void Mutated_documents_agree_with_System_Text_Json(string grammar)
    {
        var (_, c) = GrammarFiles.Load(grammar);
        const string alphabet = "{}[],:\"\\ 0123456789.-+eEtrufalsn\tx/u";
        var gen = Gen.Zip(Spaced, Gen.Choose(0, int.MaxValue));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1500), Prop.ForAll(Arb.From(gen), t =>
        {
            var rng = new Random(t.Item2);
            var bytes = Encoding.UTF8.GetBytes(t.Item1).ToList();
            var mutation = (Mutation)rng.Next(4);
            int at = rng.Next(bytes.Count + 1);
            // Mutate only ASCII positions so the result stays valid UTF-8 (both sides then judge JSON, not encoding).
            while (at < bytes.Count && bytes[at] >= 0x80) at++;
            switch (mutation)
            {
                case Mutation.Truncate: bytes.RemoveRange(at, bytes.Count - at); break;
                case Mutation.Flip when at < bytes.Count: bytes[at] = (byte)alphabet[rng.Next(alphabet.Length)]; break;
                case Mutation.Insert: bytes.Insert(at, (byte)alphabet[rng.Next(alphabet.Length)]); break;
                case Mutation.Delete when at < bytes.Count: bytes.RemoveAt(at); break;
            }
            var input = bytes.ToArray();
            var state = c.Parse(input);
            bool complete = StjComplete(input), viable = StjViable(input);
            string label = $"{mutation}@{at}: {Encoding.UTF8.GetString(input)} ours: viable={state.IsViable} complete={state.IsAccepting}; STJ: viable={viable} complete={complete}";
            return (state.IsAccepting == complete && state.IsViable == viable).Label(label);
        }));
    }

    [Theory]
    [MemberData(nameof(JsonGrammars))]
    public void Every_prefix_of_a_document_agrees_with_System_Text_Json(string grammar)
    {
        var (_, c) = GrammarFiles.Load(grammar);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), Prop.ForAll(Arb.From(Spaced), doc =>
        {
            var bytes = Encoding.UTF8.GetBytes(doc);
            var state = c.InitialState;
            for (int i = 0; i <= bytes.Length; i++)
            {
                if (i > 0) state = state.Advance(bytes.AsSpan(i - 1, 1));
                var prefix = bytes[..i];
                // A split UTF-8 character is not something STJ's prefix reader judges; skip those cut points.
                if (i < bytes.Length && (bytes[i] & 0xC0) == 0x80) continue;
                if (state.IsViable != StjViable(prefix) || state.IsAccepting != StjComplete(prefix))
                    return false.Label($"prefix {i}: {Encoding.UTF8.GetString(prefix)} ours viable={state.IsViable} complete={state.IsAccepting}");
            }
            return true.ToProperty();
        }));
    }
}
