using System.Text;
using Structured.Masks;
using Structured.Models;
using Structured.Parsing;

namespace Structured.Sampling;

/// <summary>Options of one generation.</summary>
public sealed record LcdBatchOptions
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
public sealed record LcdBatchResult(string Text, int Tokens, double LogWeight, bool Complete);

/// <summary>
/// Locally constrained decoding (LCD) over a batch: at each step the model scores every unfinished sequence while
/// the masks are computed on the CPU, then one masked sampling step draws the next token of each. Without a grammar
/// it samples the model freely (for comparisons).
/// </summary>
public static class ConstrainedGenerator
{
    /// <summary>Generates one text per prompt.</summary>
    public static async Task<IReadOnlyList<LcdBatchResult>> GenerateAsync(ILanguageModel model, CompiledGrammar? grammar, IReadOnlyList<string> prompts,
        LcdBatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LcdBatchOptions();
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
        var complete = new bool[n];
        var random = new Random(options.Seed);
        int words = (vocabulary.Size + 31) / 32;
        // Buffers for the whole batch; the unfinished rows are kept at the front (active[0..live)).
        var active = Enumerable.Range(0, n).ToArray();
        var activeSequences = (IModelSequence[])sequences.Clone();
        var activeStates = new ParserState[n];
        var masks = masker is null ? [] : new uint[n * words];
        var tokens = new int[n];
        var mass = new double[n];
        int live = n;
        try
        {
            for (int step = 0; step < options.MaxTokens && live > 0; step++)
            {
                var scoring = model.ScoreAsync(new ArraySegment<IModelSequence>(activeSequences, 0, live), cancellationToken);
                if (masker is not null)
                {
                    // The masks are built while the model runs.
                    for (int k = 0; k < live; k++) activeStates[k] = states[active[k]]!;
                    masker.FillMasks(new ArraySegment<ParserState>(activeStates, 0, live), masks);
                }
                using var scores = await scoring.ConfigureAwait(false);
                scores.Sample(masks.AsSpan(0, masker is null ? 0 : live * words), options.Sampling, random, tokens.AsSpan(0, live), mass.AsSpan(0, live));
                int kept = 0;
                for (int k = 0; k < live; k++)
                {
                    int i = active[k];
                    if (masker is not null) weights[i] += mass[k];
                    int t = tokens[k];
                    if (t < 0 || eos.Contains(t)) { complete[i] = t >= 0; continue; }
                    var tokenBytes = vocabulary[t];
                    bytes[i].AddRange(tokenBytes);
                    if (states[i] is { } s) states[i] = s.Advance(tokenBytes);
                    sequences[i].Append(t);
                    counts[i]++;
                    active[kept] = i;
                    activeSequences[kept++] = sequences[i];
                }
                live = kept;
            }
        }
        finally
        {
            foreach (var s in sequences) s.Dispose();
        }
        return Enumerable.Range(0, n).Select(i => new LcdBatchResult(Encoding.UTF8.GetString(bytes[i].ToArray()), counts[i], weights[i], complete[i])).ToList();
    }
}
