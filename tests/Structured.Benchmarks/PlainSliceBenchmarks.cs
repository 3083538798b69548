using BenchmarkDotNet.Attributes;
using Structured.Masks;
using Structured.Tokens;

namespace Structured.Benchmarks;

/// <summary>
/// Building a vocabulary's plain-text slice (<see cref="PlainSlice"/>): once per vocabulary, with its first masker.
/// Returns the spine's length, so that the result is used.
/// </summary>
[MemoryDiagnoser]
public class PlainSliceBenchmarks
{
    private TokenTrie _trie = null!;
    private int _words;

    [Params("o200k", "cl100k")]
    public string Vocabulary { get; set; } = "o200k";

    [GlobalSetup]
    public void Setup()
    {
        var vocab = TokenVocabulary.Tiktoken(Vocabulary);
        _trie = vocab.Trie;
        _words = (vocab.Size + 31) / 32;
    }

    [Benchmark]
    public int Build() => PlainSlice.Build(_trie, _words).Spine.Length;
}
