using BenchmarkDotNet.Attributes;
using Structured.Masks;
using Structured.Parsing;
using Structured.Tokens;

namespace Structured.Benchmarks;

/// <summary>
/// Microbenchmarks of the token-trie walk behind a mask, on representative JSON states with the o200k vocabulary:
/// inside a free string (nearly every token allowed), after a number (a pending longest match), and at a structural
/// boundary. <c>Steady</c> reuses warm caches; <c>ColdClass</c> measures building the state's token classes;
/// <c>SharedClass</c> a new masker whose classes come from the vocabulary's cache.
/// </summary>
[MemoryDiagnoser]
public class TrieWalkBenchmarks
{
    private TokenMasker _masker = null!;
    private ParserState _state = null!;
    private uint[] _mask = [];
    private TokenVocabulary _vocab = null!;
    private CompiledGrammar _grammar = null!;

    [Params("json.lark", "json.gbnf")]
    public string Grammar { get; set; } = "json.lark";

    [Params("{\"name\": \"Ada Lov", "{\"id\": 42", "{\"id\": 42,")]
    public string Prefix { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _vocab = TokenVocabulary.Tiktoken("o200k");
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "grammars", Grammar));
        _grammar = Grammar.EndsWith(".gbnf", StringComparison.Ordinal) ? CompiledGrammar.FromGbnf(text) : CompiledGrammar.FromLark(text);
        _masker = new TokenMasker(_grammar, _vocab);
        _state = _grammar.InitialState.Advance(Prefix);
        _mask = new uint[_masker.MaskWords];
        _masker.FillMask(_state, _mask);
    }

    [Benchmark]
    public void Steady() => _masker.FillMask(_state, _mask);

    [Benchmark]
    public void ColdClass()
    {
        // A new masker and an empty shared class cache: the first mask of the state, token classes included.
        _vocab.SharedClasses.Clear();
        _vocab.SharedExtending.Clear();
        var fresh = new TokenMasker(_grammar, _vocab);
        fresh.FillMask(_state, _mask);
    }

    [Benchmark]
    public void SharedClass()
    {
        // A new masker for the same lexemes: classes come from the vocabulary's shared cache (a new schema's case).
        var fresh = new TokenMasker(_grammar, _vocab);
        fresh.FillMask(_state, _mask);
    }
}
