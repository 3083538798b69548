using System.Text;
using Structured.Models;
using Structured.Potentials;

namespace Structured.Sampling;

/// <summary>
/// Sequential Monte Carlo over token sequences (Lew et al. 2023; Loula et al. 2025): N particles extended one token
/// per step by a <see cref="TokenSampler"/> proposal, weighted by its properly weighted log weights and by an optional
/// critic twist, and resampled when the effective sample size drops below a threshold. The weighted particles target
/// the model's distribution over complete texts conditioned on the sampler's condition (times the critic), and the
/// log-mean-exp of the final weights is an unbiased estimate of its normaliser. All live particles are scored in one
/// batched forward pass per step; resampled copies fork their model sequences (sharing the KV cache) and share their
/// immutable condition states.
/// </summary>
public static class SequentialMonteCarlo
{
    /// <summary>Runs SMC after <paramref name="prompt"/>.</summary>
    public static Task<SmcResult> RunAsync(ILanguageModel model, TokenSampler sampler, string prompt, SmcOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return RunAsync(model, sampler, model.EncodePrompt(prompt ?? ""), options, cancellationToken);
    }

    /// <summary>Runs SMC after the prompt tokens <paramref name="promptTokens"/>.</summary>
    public static async Task<SmcResult> RunAsync(ILanguageModel model, TokenSampler sampler, IReadOnlyList<int> promptTokens, SmcOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(promptTokens);
        options ??= new SmcOptions();
        options.Validate();
        if (!ReferenceEquals(sampler.Condition.Vocabulary, model.Vocabulary)) throw new ArgumentException("the sampler was built for another vocabulary than the model's", nameof(sampler));
        var critic = options.Critic?.Coerce(model.Vocabulary);
        int n = options.Particles;
        var random = new Random(options.Seed);
        var particles = new Particle[n];
        for (int i = 0; i < n; i++)
            particles[i] = new Particle(model.CreateSequence(promptTokens), sampler.Condition.Potential.Start, options.Critic?.Start)
            {
                LogWeight = sampler.Condition.Potential.Start.LogPrefix,
            };
        foreach (var p in particles) if (double.IsNegativeInfinity(p.LogWeight)) p.Done = true;
        var ess = new List<double>();
        int resamplings = 0;
        var logWeights = new double[n];
        var normalised = new double[n];
        var ancestors = new int[n];
        var members = new int[n];
        var live = new List<Particle>(n);
        var sequences = new List<IModelSequence>(n);
        var states = new List<PotentialState>(n);
        var tokens = new int[n];
        var stepWeights = new double[n];
        try
        {
            for (int step = 0; ; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                live.Clear(); sequences.Clear(); states.Clear();
                foreach (var p in particles)
                    if (!p.Done) { live.Add(p); sequences.Add(p.Sequence); states.Add(p.Condition); }
                if (live.Count == 0) break;
                bool forced = step >= options.MaxTokens;
                var scoring = model.ScoreAsync(sequences, cancellationToken);
                if (!forced) sampler.Prepare(states);
                using (var scores = await scoring.ConfigureAwait(false))
                {
                    if (!forced) sampler.Sample(scores, states, random, tokens, stepWeights);
                    for (int k = 0; k < live.Count; k++)
                    {
                        var p = live[k];
                        p.LogWeight -= p.Twist;
                        p.Twist = 0;
                        if (forced) { End(p, sampler.ForcedEndLogWeight(scores, k, p.Condition)); continue; }
                        int y = tokens[k];
                        if (y < 0 || double.IsNegativeInfinity(stepWeights[k])) { Kill(p); continue; }
                        if (sampler.Condition.IsEndOfSequence(y)) { End(p, stepWeights[k]); continue; }
                        p.LogWeight += stepWeights[k];
                        p.Sequence.Append(y);
                        p.Tokens.Add(y);
                        p.Condition = sampler.Condition.Advance(p.Condition, y);
                        if (p.Critic is not null && critic is not null)
                        {
                            p.Critic = critic.Advance(p.Critic, y);
                            if (options.EssThreshold > 0)
                            {
                                double twist = p.Critic.LogPrefix;
                                if (double.IsNegativeInfinity(twist)) { Kill(p); continue; }
                                p.LogWeight += twist;
                                p.Twist = twist;
                            }
                        }
                    }
                }

                int stillLive = 0;
                for (int i = 0; i < n; i++)
                {
                    logWeights[i] = particles[i].LogWeight;
                    if (!particles[i].Done) stillLive++;
                }
                double total = LogSpace.Sum(logWeights);
                double currentEss = 0;
                if (!double.IsNegativeInfinity(total))
                {
                    for (int i = 0; i < n; i++) normalised[i] = Math.Exp(logWeights[i] - total);
                    currentEss = Resampling.EffectiveSampleSize(normalised);
                }
                ess.Add(currentEss);
                // Who takes part: the live particles, while finished ones keep their weights (a text that ended early
                // with a small weight is not lost to particles whose small weights show only later), or everyone with
                // ResampleFinished, as in llamppl's smc_standard. Resampling a subset and giving it its mean weight
                // keeps the weights proper and the total, so log Ẑ is unchanged.
                int m = 0;
                for (int i = 0; i < n; i++) if (options.ResampleFinished || !particles[i].Done) members[m++] = i;
                var memberWeights = normalised.AsSpan(0, m);
                for (int k = 0; k < m; k++) memberWeights[k] = logWeights[members[k]];
                double memberTotal = LogSpace.Sum(memberWeights);
                bool resample = false;
                if (stillLive > 0 && !double.IsNegativeInfinity(memberTotal))
                {
                    for (int k = 0; k < m; k++) memberWeights[k] = Math.Exp(memberWeights[k] - memberTotal);
                    resample = Resampling.EffectiveSampleSize(memberWeights) < options.EssThreshold * m;
                }
                if (resample)
                {
                    Resampling.Resample(options.Resampling, memberWeights, random, ancestors.AsSpan(0, m));
                    double mean = memberTotal - Math.Log(m);
                    var used = new bool[m];
                    var next = (Particle[])particles.Clone();
                    for (int k = 0; k < m; k++)
                    {
                        int a = ancestors[k];
                        next[members[k]] = used[a] ? particles[members[a]].Copy() : particles[members[a]];
                        used[a] = true;
                        next[members[k]].LogWeight = mean;
                    }
                    for (int k = 0; k < m; k++) if (!used[k]) particles[members[k]].Sequence.Dispose();
                    particles = next;
                    resamplings++;
                    stillLive = 0;
                    foreach (var p in particles) if (!p.Done) stillLive++;
                }
                options.Progress?.Report(new SmcProgress(step + 1, stillLive, currentEss, resample));
            }
        }
        finally
        {
            foreach (var p in particles) p.Sequence.Dispose();
        }

        void End(Particle p, double logWeight)
        {
            p.Done = true;
            p.LogWeight += logWeight;
            if (p.Critic is not null && !double.IsNegativeInfinity(p.LogWeight)) p.LogWeight += p.Critic.LogComplete;
            p.Complete = !double.IsNegativeInfinity(p.LogWeight);
            if (!p.Complete) p.LogWeight = double.NegativeInfinity;
        }

        static void Kill(Particle p)
        {
            p.Done = true;
            p.LogWeight = double.NegativeInfinity;
        }

        for (int i = 0; i < n; i++) logWeights[i] = particles[i].LogWeight;
        var vocabulary = model.Vocabulary;
        var results = particles.Select(p =>
        {
            var bytes = new List<byte>();
            foreach (int t in p.Tokens) bytes.AddRange(vocabulary[t].ToArray());
            return new SmcParticle(Encoding.UTF8.GetString(bytes.ToArray()), p.Tokens.ToArray(), p.LogWeight, p.Complete);
        }).ToList();
        return new SmcResult(results, LogSpace.Mean(logWeights), ess, resamplings, random);
    }

    private sealed class Particle(IModelSequence sequence, PotentialState condition, PotentialState? critic)
    {
        public IModelSequence Sequence { get; set; } = sequence;
        public PotentialState Condition { get; set; } = condition;
        public PotentialState? Critic { get; set; } = critic;
        public List<int> Tokens { get; init; } = [];
        public double LogWeight { get; set; }
        public double Twist { get; set; }
        public bool Done { get; set; }
        public bool Complete { get; set; }

        public Particle Copy() => new(Sequence.Fork(), Condition, Critic)
        {
            Tokens = [.. Tokens], LogWeight = LogWeight, Twist = Twist, Done = Done, Complete = Complete,
        };
    }
}
