namespace Structured.Sampling;

/// <summary>Which unbiased estimator of the local normaliser AWRS returns with its token.</summary>
public enum AwrsEstimator
{
    /// <summary>
    /// Geometric when more than two acceptances are asked for or one token holds at least 2/3 of the mass, recursive
    /// otherwise; always recursive when <see cref="AwrsOptions.MaxRejects"/> is set.
    /// </summary>
    Auto,

    /// <summary>One rejection run plus at most one extra check: <c>Π(1 − q) · (q + (1 − q) · c(next))</c>.</summary>
    Recursive,

    /// <summary>Inverse binomial sampling over the with-replacement lift of the run, until <see cref="AwrsOptions.MaxAccepts"/> acceptances.</summary>
    Geometric,
}

/// <summary>Options of <see cref="AwrsSampler"/>.</summary>
public sealed record AwrsOptions
{
    /// <summary>The estimator; <see cref="AwrsEstimator.Auto"/> by default.</summary>
    public AwrsEstimator Estimator { get; init; } = AwrsEstimator.Auto;

    /// <summary>Acceptances the geometric estimator waits for (at least 2).</summary>
    public int MaxAccepts { get; init; } = 2;

    /// <summary>
    /// After this many rejections in one draw, compute the exact mask and draw from it with the exact normaliser
    /// (still properly weighted), so a step where the model and the constraint disagree costs at most this many checks
    /// plus one mask. Null never switches (pure AWRS, and the only setting that allows the geometric estimator).
    /// The default, 32, is <see cref="CandidateBlock"/>: a draw that rejects the whole first block goes to the mask
    /// rather than to more candidates, whose order costs a pass over the vocabulary, about as much as the mask itself.
    /// </summary>
    public int? MaxRejects { get; init; } = 32;

    /// <summary>Candidates fetched per row in the first batched device call.</summary>
    public int CandidateBlock { get; init; } = 32;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (MaxAccepts < 2) throw new ArgumentOutOfRangeException(nameof(MaxAccepts), MaxAccepts, "the geometric estimator needs at least 2 acceptances");
        if (MaxRejects is < 1) throw new ArgumentOutOfRangeException(nameof(MaxRejects), MaxRejects, "max rejects must be at least 1");
        if (CandidateBlock < 1) throw new ArgumentOutOfRangeException(nameof(CandidateBlock), CandidateBlock, "the candidate block must hold at least 1 token");
        if (MaxRejects is not null && Estimator == AwrsEstimator.Geometric)
            throw new ArgumentException("max rejects switches to an exact mask, which keeps proper weighting only with the recursive estimator");
    }
}
