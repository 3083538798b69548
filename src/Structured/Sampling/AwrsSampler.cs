using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Structured.Models;
using Structured.Potentials;
using Structured.Tokens;

namespace Structured.Sampling;

/// <summary>
/// Adaptive weighted rejection sampling (Lipkin et al., 2025): visits tokens in Gumbel order, which draws them
/// without replacement from the model's distribution, checks each against a Boolean condition until one passes, and
/// returns it with an unbiased estimate of the allowed mass (<see cref="AwrsEstimator"/>). The number of checks grows
/// with the divergence between the model and the constraint, not with the vocabulary. Each step fetches every row's
/// first candidates in one batched call (Gumbel-top-k on the model's device), then checks the rows in parallel;
/// checks are cached per (condition state, token), so forked particles share them. Samples the model at
/// temperature 1.
/// </summary>
public sealed class AwrsSampler : TokenSampler
{
    private readonly ConditionalWeakTable<PotentialState, ConcurrentDictionary<int, bool>> _checks = new();
    private int[] _candidates = [];
    private float[] _candidateLogProbs = [];
    private float[] _maxLogProbs = [];
    private (int Token, double LogWeight)[] _results = [];
    private readonly List<Random> _rowRandoms = [];

    /// <summary>Creates the sampler.</summary>
    public AwrsSampler(Potential condition, TokenVocabulary vocabulary, AwrsOptions? options = null) : base(condition, vocabulary)
    {
        if (!condition.IsBoolean) throw new ArgumentException("AWRS checks need a Boolean condition; use DirectSampler for graded potentials", nameof(condition));
        Options = options ?? new AwrsOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public AwrsOptions Options { get; }

    /// <inheritdoc />
    public override void Sample(INextTokenScores scores, IReadOnlyList<PotentialState> states, Random random, Span<int> tokens, Span<double> logWeights)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(random);
        int rows = states.Count, k = Math.Min(Options.CandidateBlock, scores.Width);
        if (_candidates.Length < rows * k)
        {
            _candidates = new int[rows * k];
            _candidateLogProbs = new float[rows * k];
        }
        if (_maxLogProbs.Length < rows) _maxLogProbs = new float[rows];
        scores.GumbelCandidates(k, random, _candidates.AsSpan(0, rows * k), _candidateLogProbs.AsSpan(0, rows * k), _maxLogProbs.AsSpan(0, rows));
        while (_rowRandoms.Count < rows) _rowRandoms.Add(new Random(random.Next()));
        if (_results.Length < rows) _results = new (int, double)[rows];
        Parallel.For(0, rows, row => _results[row] = Draw(scores, row, k, states[row], _rowRandoms[row]));
        for (int row = 0; row < rows; row++) (tokens[row], logWeights[row]) = _results[row];
        Statistics.Add(steps: rows);
    }

    private (int, double) Draw(INextTokenScores scores, int row, int k, PotentialState state, Random random)
    {
        var stream = new ScoresStream(scores, row, _candidates, _candidateLogProbs, row * k, k, random);
        var constraint = new Constraint(this, state);
        try
        {
            bool geometric = Options.Estimator == AwrsEstimator.Geometric
                || (Options.Estimator == AwrsEstimator.Auto && Options.MaxRejects is null && (Options.MaxAccepts > 2 || _maxLogProbs[row] >= Math.Log(2.0 / 3)));
            if (geometric) return AwrsDraw.Geometric(stream, constraint, Options.MaxAccepts, random);
            var (token, w, fallback) = AwrsDraw.Recursive(stream, constraint, Options.MaxRejects);
            if (fallback) Statistics.Add(fallbacks: 1, masks: 1);
            return (token, w);
        }
        finally
        {
            Statistics.Add(checks: constraint.Checks, cached: constraint.Cached);
        }
    }

    /// <summary>Checks of one state, through the shared cache.</summary>
    private sealed class Constraint(AwrsSampler owner, PotentialState state) : IAwrsConstraint
    {
        private readonly ConcurrentDictionary<int, bool> _cache = owner._checks.GetValue(state, _ => new ConcurrentDictionary<int, bool>());
        public long Checks;
        public long Cached;

        public bool Check(int token)
        {
            if (_cache.TryGetValue(token, out bool ok)) { Cached++; return ok; }
            Checks++;
            ok = owner.Condition.Allows(state, token);
            _cache.TryAdd(token, ok);
            return ok;
        }

        public Func<int, bool> ExactMask()
        {
            var mask = new uint[owner.Condition.MaskWords];
            owner.Condition.FillMask(state, mask);
            return t => (uint)(t >> 5) < (uint)mask.Length && ((mask[t >> 5] >> (t & 31)) & 1) != 0;
        }
    }

    /// <summary>
    /// A row's Gumbel order: its slice of the batched first block (read in place), then more drawn on the host,
    /// excluding what was visited.
    /// </summary>
    private sealed class ScoresStream(INextTokenScores scores, int row, int[] block, float[] blockLogProbs, int start, int length, Random random) : CandidateStream
    {
        private int[] _block = block;
        private float[]? _blockLogProbs = blockLogProbs;
        private int _blockStart = start;     // the current block is _block[_blockStart.._end)
        private int _at = start;
        private int _end = start + length;
        private bool _last;                  // the block holds every remaining token of positive probability
        private List<int>? _visited;         // only needed once the first block runs out
        private IReadOnlyCollection<int> _excluded = [];
        private float[]? _all;

        public override bool Next(out int token, out double logProb)
        {
            while (true)
            {
                if (_at < _end && _block[_at] >= 0)
                {
                    token = _block[_at];
                    // Past the first block the row is already on the host (the order was drawn from it).
                    logProb = _blockLogProbs is { } lp ? lp[_at] : _all is { } all ? all[token] : scores.LogProb(row, token);
                    _at++;
                    return true;
                }
                if (_last || _at < _end) { token = -1; logProb = double.NegativeInfinity; return false; }
                Fetch(Math.Max(64, (_end - _blockStart) * 4));
            }
        }

        public override void Restart(IReadOnlyCollection<int> excluded)
        {
            // Everything read so far belongs to the old order; the new one excludes only the rejected tokens.
            _visited = [];
            _blockStart = _at = _end;
            _excluded = [.. excluded];
            Fetch(Math.Max(64, length));
        }

        private void Fetch(int size)
        {
            int words = (scores.Width + 31) / 32;
            var mask = new uint[words];
            mask.AsSpan().Fill(uint.MaxValue);
            if ((scores.Width & 31) != 0) mask[^1] = (1u << (scores.Width & 31)) - 1;
            // Visited: every token read from this order so far (earlier blocks, and this one up to the cursor).
            _visited ??= [];
            for (int i = _blockStart; i < _at; i++) _visited.Add(_block[i]);
            foreach (int t in _visited) mask[t >> 5] &= ~(1u << (t & 31));
            foreach (int t in _excluded) mask[t >> 5] &= ~(1u << (t & 31));
            size = Math.Min(size, scores.Width);
            var next = new int[size];
            int n = HostOrder(mask, next);
            _last = n < size;
            _block = next;
            _blockLogProbs = null;
            _blockStart = _at = 0;
            _end = n;
        }

        // The rest of a Gumbel order is a sequence of draws without replacement, each proportional to the probabilities
        // of the tokens not drawn yet (the Gumbel race is memoryless). On the host that is a sum tree over the
        // probabilities, one descent per draw and one path update per removal, where the device would add noise to and
        // rank every token for each block.
        private int HostOrder(uint[] allowedMask, Span<int> destination)
        {
            var all = All();
            int n = 0;
            while (n < destination.Length)
            {
                // Weights relative to the largest remaining probability; a token too small to show beside it is
                // reached once the larger ones are drawn, in a rebuilt tree.
                float max = float.NegativeInfinity;
                for (int t = 0; t < all.Length; t++)
                    if (((allowedMask[t >> 5] >> (t & 31)) & 1) != 0 && all[t] > max) max = all[t];
                if (float.IsNegativeInfinity(max)) return n; // every token of positive probability is ordered
                int leaves = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)all.Length);
                var tree = t_tree is { } known && known.Length == 2 * leaves ? known : t_tree = new double[2 * leaves];
                Array.Clear(tree);
                for (int t = 0; t < all.Length; t++)
                    if (((allowedMask[t >> 5] >> (t & 31)) & 1) != 0) tree[leaves + t] = Math.Exp(all[t] - max);
                for (int i = leaves - 1; i >= 1; i--) tree[i] = tree[2 * i] + tree[2 * i + 1];
                while (n < destination.Length && tree[1] > 0)
                {
                    double u = random.NextDouble() * tree[1];
                    int i = 1;
                    while (i < leaves)
                    {
                        i *= 2;
                        if (u >= tree[i] && tree[i + 1] > 0) { u -= tree[i]; i++; }
                    }
                    int t = i - leaves;
                    allowedMask[t >> 5] &= ~(1u << (t & 31));
                    destination[n++] = t;
                    for (tree[i] = 0, i /= 2; i >= 1; i /= 2) tree[i] = tree[2 * i] + tree[2 * i + 1];
                }
            }
            return n;
        }

        // Per thread (rows are drawn in parallel) and rebuilt by every call, so a 2 MB tree is not allocated per row and step.
        [ThreadStatic] private static double[]? t_tree;

        private float[] All()
        {
            if (_all is null)
            {
                _all = new float[scores.Width];
                scores.CopyLogProbs(row, _all);
            }
            return _all;
        }

        public override double LogMass(Func<int, bool> allowed)
        {
            var all = All();
            double mass = double.NegativeInfinity;
            for (int t = 0; t < all.Length; t++) if (allowed(t)) mass = LogSpace.Add(mass, all[t]);
            return mass;
        }

        public override int FirstAllowed(Func<int, bool> allowed)
        {
            // The first allowed token in the rest of a Gumbel order is a draw proportional to the probabilities of the
            // allowed tokens (all visited ones were rejected), so one Gumbel-max over them on the CPU is the same draw.
            var all = All();
            int best = -1;
            double bestKey = double.NegativeInfinity;
            for (int t = 0; t < all.Length; t++)
            {
                if (!allowed(t) || float.IsNegativeInfinity(all[t])) continue;
                double key = all[t] - Math.Log(-Math.Log(1 - random.NextDouble()));
                if (key > bestKey) { bestKey = key; best = t; }
            }
            return best;
        }
    }
}
