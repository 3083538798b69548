namespace Structured.Sampling;

/// <summary>
/// Tokens of one row in Gumbel order: a draw without replacement from the model's next-token distribution. AWRS
/// reads it one token at a time; tests replay fixed orders through it to enumerate AWRS exactly.
/// </summary>
internal abstract class CandidateStream
{
    /// <summary>The next token of the current order, with its log-probability; false when no token of positive probability is left.</summary>
    public abstract bool Next(out int token, out double logProb);

    /// <summary>Starts a fresh order (new Gumbel keys) over every token except <paramref name="excluded"/>.</summary>
    public abstract void Restart(IReadOnlyCollection<int> excluded);

    /// <summary>
    /// The rest of the current order, restricted to tokens <paramref name="allowed"/> admits: returns the first such
    /// token (a draw proportional to the model's probabilities over them), or -1 if none has positive probability.
    /// </summary>
    public abstract int FirstAllowed(Func<int, bool> allowed);

    /// <summary>The log of the model's total probability of the tokens <paramref name="allowed"/> admits.</summary>
    public abstract double LogMass(Func<int, bool> allowed);
}
