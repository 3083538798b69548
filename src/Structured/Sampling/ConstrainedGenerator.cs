using System.Text;
using Structured.Masks;
using Structured.Models;
using Structured.Parsing;

namespace Structured.Sampling;

/// <summary>Options of one generation.</summary>
public sealed record GenerationOptions
{
    /// <summary>Stop after this many tokens (the result is then incomplete).</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Temperature, top-k and top-p.</summary>
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Default;

    /// <summary>Seed of the random draws; the same seed, model and inputs give the same text.</summary>
    public int Seed { get; init; }
}

/// <summary>One generated text.</summary>
/// <param name="Text">The generated text (the prompt excluded), decoded from the tokens' exact bytes.</param>
/// <param name="Tokens">How many tokens were drawn (end-of-sequence excluded).</param>
/// <param name="LogWeight">
/// The sum over steps of the log mass the mask allowed: the importance weight of the text under the model's
/// distribution conditioned on the constraint (0 without a constraint).
/// </param>
/// <param name="Complete">Whether it ended with end-of-sequence (in an accepting state, when constrained) rather than at the token limit.</param>
public sealed record GenerationResult(string Text, int Tokens, double LogWeight, bool Complete);

/// <summary>
/// Locally constrained decoding (LCD) over a batch: at each step the model scores every unfinished sequence while
/// the masks are computed on the CPU, then one masked sampling step draws the next token of each. Without a grammar
/// it samples the model freely (for comparisons).
/// </summary>
public static class ConstrainedGenerator
{
    /// <summary>Generates one text per prompt.</summary>
    public static async Task<IReadOnlyList<GenerationResult>> GenerateAsync(ILanguageModel model, CompiledGrammar? grammar, IReadOnlyList<string> prompts,
        GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new GenerationOptions();
        var vocabulary = model.Vocabulary;
        var masker = grammar is null ? null : new TokenMasker(grammar, vocabulary);
        var eos = vocabulary.EndOfSequenceIds.ToHashSet();
        int n = prompts.Count;
        var sequences = prompts.Select(p => model.CreateSequence(model.EncodePrompt(p))).ToArray();
        var states = new ParserState?[n];
        if (grammar is not null) for (int i = 0; i < n; i++) states[i] = grammar.InitialState;
        var bytes = Enumerable.Range(0, n).Select(_ => new List<byte>()).ToArray();
        var counts = new int[n];
        var weights = new double[n];
        var done = new bool[n];
        var complete = new bool[n];
        var random = new Random(options.Seed);
        int words = (vocabulary.Size + 31) / 32;
        try
        {
            for (int step = 0; step < options.MaxTokens && done.Contains(false); step++)
            {
                var active = Enumerable.Range(0, n).Where(i => !done[i]).ToArray();
                var scoring = model.ScoreAsync(active.Select(i => sequences[i]).ToArray(), cancellationToken);
                uint[] masks = [];
                if (masker is not null)
                {
                    // The masks are built while the model runs.
                    masks = new uint[active.Length * words];
                    masker.FillMasks(active.Select(i => states[i]!).ToArray(), masks);
                }
                using var scores = await scoring.ConfigureAwait(false);
                var tokens = new int[active.Length];
                var mass = new double[active.Length];
                scores.Sample(masks, options.Sampling, random, tokens, mass);
                for (int k = 0; k < active.Length; k++)
                {
                    int i = active[k];
                    if (masker is not null) weights[i] += mass[k];
                    int t = tokens[k];
                    if (t < 0 || eos.Contains(t)) { done[i] = true; complete[i] = t >= 0; continue; }
                    var tokenBytes = vocabulary[t];
                    bytes[i].AddRange(tokenBytes.ToArray());
                    if (states[i] is { } s) states[i] = s.Advance(tokenBytes);
                    sequences[i].Append(t);
                    counts[i]++;
                }
            }
        }
        finally
        {
            foreach (var s in sequences) s.Dispose();
        }
        return Enumerable.Range(0, n).Select(i => new GenerationResult(Encoding.UTF8.GetString(bytes[i].ToArray()), counts[i], weights[i], complete[i])).ToList();
    }
}
