namespace Structured.Models;

/// <summary>
/// Next-token log-probabilities for a batch of sequences, kept by the model (on its device). Masks are bitsets of
/// <c>uint</c> words (bit <c>t % 32</c> of word <c>t / 32</c> allows token <c>t</c>), one row of
/// <see cref="MaskWords"/> words per sequence, as <see cref="Masks.TokenMasker"/> fills them. <see cref="LogProb"/>,
/// <see cref="CopyLogProbs"/> and <see cref="GumbelOrder"/> may be called from several threads at once (AWRS checks
/// particles in parallel).
/// </summary>
public interface INextTokenScores : IDisposable
{
    /// <summary>The number of sequences (rows).</summary>
    int Count { get; }

    /// <summary>The row width: the model's vocabulary size.</summary>
    int Width { get; }

    /// <summary>Words per mask row: <c>(Width + 31) / 32</c>.</summary>
    int MaskWords => (Width + 31) / 32;

    /// <summary>The model's log-probability of <paramref name="token"/> after row <paramref name="row"/>'s sequence (temperature 1).</summary>
    double LogProb(int row, int token);

    /// <summary>Copies one row's log-probabilities (temperature 1) to the CPU.</summary>
    void CopyLogProbs(int row, Span<float> destination);

    /// <summary>
    /// Samples one token per row from the model's distribution at <see cref="SamplingOptions.Temperature"/>,
    /// restricted to the row's mask (an empty <paramref name="masks"/> means no restriction) and then to top-k/top-p.
    /// <paramref name="logMass"/> receives, per row, the log of the tempered probability mass that the mask allows
    /// before top-k/top-p: the local normaliser that importance weights need (negative infinity when nothing is allowed,
    /// in which case the token is -1).
    /// </summary>
    void Sample(ReadOnlySpan<uint> masks, SamplingOptions options, Random random, Span<int> tokens, Span<double> logMass);

    /// <summary>
    /// Writes up to <paramref name="destination"/>.Length tokens of row <paramref name="row"/> in Gumbel-top-k order:
    /// an ordering that samples tokens without replacement from the tempered distribution (restricted to
    /// <paramref name="mask"/> unless it is empty). Returns how many were written.
    /// </summary>
    int GumbelOrder(int row, ReadOnlySpan<uint> mask, double temperature, Random random, Span<int> destination);

    /// <summary>
    /// The first <paramref name="k"/> tokens of every row in Gumbel order at temperature 1 without a mask, in one call
    /// (one device round trip for a GPU model): <c>Count × k</c> tokens in visiting order with their log-probabilities,
    /// padded with -1 and negative infinity past the row's tokens of positive probability; and each row's largest
    /// log-probability. AWRS starts from these; when a row runs out it continues the order on the host from
    /// <see cref="CopyLogProbs"/>.
    /// </summary>
    void GumbelCandidates(int k, Random random, Span<int> tokens, Span<float> logProbs, Span<float> maxLogProbs)
    {
        ArgumentNullException.ThrowIfNull(random);
        var row = new int[k];
        var all = new float[Width];
        for (int r = 0; r < Count; r++)
        {
            int n = GumbelOrder(r, default, 1.0, random, row);
            CopyLogProbs(r, all);
            float max = float.NegativeInfinity;
            foreach (float x in all) max = Math.Max(max, x);
            maxLogProbs[r] = max;
            for (int i = 0; i < k; i++)
            {
                tokens[r * k + i] = i < n ? row[i] : -1;
                logProbs[r * k + i] = i < n ? all[row[i]] : float.NegativeInfinity;
            }
        }
    }

    /// <summary>
    /// The scores of rows <c>[start, start + count)</c> as scores of their own, sharing this object's storage (a view,
    /// not a copy). Dispose the view and this object independently. <see cref="BatchingLanguageModel"/> hands each
    /// caller its rows of one batched forward pass this way.
    /// </summary>
    INextTokenScores Rows(int start, int count);

    /// <summary>
    /// The distribution <see cref="Sample"/> draws from, as log-probabilities per row (negative infinity for tokens it
    /// cannot draw), copied to the CPU: <c>Count × Width</c> values.
    /// </summary>
    void CopySamplingDistribution(ReadOnlySpan<uint> masks, SamplingOptions options, Span<float> destination);
}

/// <summary>How to draw a token from the (masked) next-token distribution.</summary>
public sealed record SamplingOptions
{
    /// <summary>Divides the logits; 1 keeps the model's distribution, 0 is greedy (the most probable allowed token).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Keeps only the k most probable allowed tokens; 0 keeps all.</summary>
    public int TopK { get; init; }

    /// <summary>Keeps the smallest set of most probable allowed tokens whose mass reaches p; 1 keeps all.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Plain sampling at temperature 1: the model's own distribution.</summary>
    public static SamplingOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (!(Temperature >= 0) || double.IsInfinity(Temperature)) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "temperature must be finite and at least 0");
        if (TopK < 0) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "top-k must be at least 0");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top-p must be in (0, 1]");
    }
}

/// <summary>A model folder or file that cannot be loaded: names the file (and tensor, where one is at fault) and the cause.</summary>
public sealed class ModelLoadException : Exception
{
    /// <summary>Creates the error.</summary>
    public ModelLoadException(string message, string? file = null, string? tensor = null) : base(message)
    {
        File = file;
        Tensor = tensor;
    }

    /// <summary>Creates the error.</summary>
    public ModelLoadException() : this("the model cannot be loaded") { }

    /// <summary>Creates the error.</summary>
    public ModelLoadException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The file at fault, if known.</summary>
    public string? File { get; }

    /// <summary>The tensor at fault, if any.</summary>
    public string? Tensor { get; }
}
