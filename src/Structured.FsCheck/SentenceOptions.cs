namespace Structured.FsCheck;

/// <summary>How sentences are drawn without a model.</summary>
public sealed record SentenceOptions
{
    /// <summary>The default options.</summary>
    public static SentenceOptions Default { get; } = new();

    /// <summary>Relative weights of rule alternatives, by rule name (see <see cref="Grammars.GrammarSampler.RuleWeights"/>); null is uniform.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>>? RuleWeights { get; init; }

    /// <summary>
    /// FsCheck's size (0 to 100 by default) maps to a derivation depth budget of <c>MinDepth + size / SizePerDepth</c>:
    /// small sizes give the shortest sentences, large ones deeper nesting.
    /// </summary>
    public int MinDepth { get; init; } = 2;

    /// <summary>See <see cref="MinDepth"/>.</summary>
    public int SizePerDepth { get; init; } = 8;

    /// <summary>Draws tried per value before giving up with an error (a draw the parser rejects is drawn again).</summary>
    public int MaxAttempts { get; init; } = 100;

    /// <summary>At most this many shrink candidates are offered per step.</summary>
    public int MaxShrinks { get; init; } = 200;
}
