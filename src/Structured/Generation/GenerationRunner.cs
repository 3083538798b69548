using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Structured.Models;
using Structured.Potentials;
using Structured.Sampling;

namespace Structured;

/// <summary>
/// Runs one generation and streams its text as it is decoded. LCD and AWRS draw one sequence token by token; SMC
/// runs its particles to the end and yields the chosen particle's text at once (earlier text could still be
/// resampled away). What the run produced lands in <see cref="Outcome"/>.
/// </summary>
internal static class GenerationRunner
{
    internal sealed class Outcome
    {
        public GenerationOutput? Output { get; set; }
    }

    public static async IAsyncEnumerable<string> RunAsync(ILanguageModel model, string prompt, Constraint? constraint, GenerationOptions options,
        Outcome outcome, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompt);
        options.Validate();
        if (constraint is null && options.Sampler != SamplerKind.Lcd)
            throw new ArgumentException($"the {options.Sampler} sampler needs a constraint; without one, use Lcd", nameof(options));
        var warnings = constraint?.Warnings ?? [];
        var promptTokens = model.EncodePrompt(prompt);
        var vocabulary = model.Vocabulary;
        int seed = options.Seed ?? Random.Shared.Next();
        var watch = Stopwatch.StartNew();

        if (options.Sampler == SamplerKind.Smc)
        {
            var proposal = NewSampler(options.Proposal, constraint!.Potential, model, options);
            var run = await SequentialMonteCarlo.RunAsync(model, proposal, promptTokens, new SmcOptions
            {
                Particles = options.Particles, EssThreshold = options.EssThreshold, MaxTokens = options.MaxTokens, Seed = seed, Critic = options.Critic,
            }, cancellationToken).ConfigureAwait(false);
            var chosen = run.Sample ?? throw new GenerationException(
                $"every one of the {options.Particles} particles ended with weight zero: the model gives the constraint{(options.Critic is null ? "" : " and the critic")} no mass within {options.MaxTokens} tokens");
            outcome.Output = new GenerationOutput(chosen.Text, promptTokens.Count, chosen.Tokens.Count, FinishReason.Stop, chosen.LogWeight, run, warnings, watch.Elapsed);
            yield return chosen.Text;
            yield break;
        }

        var sampler = constraint is null ? null : NewSampler(options.Sampler, constraint.Potential, model, options);
        var random = new Random(seed);
        var states = new PotentialState[1];
        if (sampler is not null) states[0] = sampler.Condition.Potential.Start;
        var sequences = new IModelSequence[1];
        var tokens = new int[1];
        var weights = new double[1];
        var bytes = new List<byte>();
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[64];
        double logWeight = 0;
        int generated = 0;
        var finish = FinishReason.Length;
        using var sequence = model.CreateSequence(promptTokens);
        sequences[0] = sequence;
        while (generated < options.MaxTokens)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var scoring = model.ScoreAsync(sequences, cancellationToken);
            sampler?.Prepare(states);
            using (var scores = await scoring.ConfigureAwait(false))
            {
                if (sampler is not null) sampler.Sample(scores, states, random, tokens, weights);
                else
                {
                    scores.Sample(default, options.Sampling, random, tokens, weights);
                    weights[0] = 0;
                }
            }
            int y = tokens[0];
            if (y < 0 || double.IsNegativeInfinity(weights[0]))
                throw new GenerationException($"no token of the model's vocabulary can continue the text under the {constraint?.Description ?? "model"} after {generated} tokens",
                    Encoding.UTF8.GetString(bytes.ToArray()));
            logWeight += weights[0];
            if (sampler is not null ? sampler.Condition.IsEndOfSequence(y) : vocabulary.EndOfSequenceIds.Contains(y))
            {
                finish = FinishReason.Stop;
                break;
            }
            var piece = vocabulary[y];
            bytes.AddRange(piece);
            sequence.Append(y);
            if (sampler is not null) states[0] = sampler.Condition.Advance(states[0], y);
            generated++;
            // Tokens may end inside a UTF-8 character: the decoder holds the partial bytes until the rest arrives.
            if (chars.Length < piece.Length + 4) chars = new char[piece.Length * 2 + 4];
            int n = decoder.GetChars(piece, chars, flush: false);
            if (n > 0) yield return new string(chars, 0, n);
        }
        int tail = decoder.GetChars([], chars, flush: true);
        if (tail > 0) yield return new string(chars, 0, tail);
        outcome.Output = new GenerationOutput(Encoding.UTF8.GetString(bytes.ToArray()), promptTokens.Count, generated, finish, logWeight, null, warnings, watch.Elapsed);
    }

    private static TokenSampler NewSampler(SamplerKind kind, Potential condition, ILanguageModel model, GenerationOptions options) => kind switch
    {
        SamplerKind.Awrs => new AwrsSampler(condition, model.Vocabulary),
        _ => new LcdSampler(condition, model.Vocabulary, options.Sampling),
    };
}
