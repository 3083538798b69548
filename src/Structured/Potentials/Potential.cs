using System.Runtime.CompilerServices;
using Structured.Parsing;
using Structured.Tokens;

namespace Structured.Potentials;

/// <summary>
/// A weight function over byte strings, read incrementally: the log weight of a string as a prefix of something
/// longer and as a complete string. Constraints are Boolean potentials (weights 0 or negative infinity); critics such
/// as "the total equals the sum of the items" may be Boolean or graded. Samplers see a potential through its
/// <see cref="Coerce">token view</see> for a model's vocabulary.
/// </summary>
/// <remarks>
/// A potential must never give a prefix of a string with positive weight a prefix weight of zero (negative infinity):
/// samplers and SMC drop such prefixes for good.
/// </remarks>
public abstract class Potential
{
    private readonly ConditionalWeakTable<TokenVocabulary, TokenPotential> _views = new();

    /// <summary>True when every weight is 0 or negative infinity (a yes/no constraint), as AWRS and token masks require.</summary>
    public abstract bool IsBoolean { get; }

    /// <summary>The state of the empty string.</summary>
    public abstract PotentialState Start { get; }

    /// <summary>The log prefix weight of <paramref name="text"/>.</summary>
    public double Prefix(ReadOnlySpan<byte> text) => Start.Advance(text).LogPrefix;

    /// <summary>The log weight of <paramref name="text"/> as a complete string.</summary>
    public double Complete(ReadOnlySpan<byte> text) => Start.Advance(text).LogComplete;

    /// <summary>The log prefix weights of many strings, computed in parallel.</summary>
    public void Prefix(IReadOnlyList<byte[]> texts, Span<double> results) => Batch(texts, results, complete: false);

    /// <summary>The log complete weights of many strings, computed in parallel.</summary>
    public void Complete(IReadOnlyList<byte[]> texts, Span<double> results) => Batch(texts, results, complete: true);

    private void Batch(IReadOnlyList<byte[]> texts, Span<double> results, bool complete)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (results.Length < texts.Count) throw new ArgumentException($"needs room for {texts.Count} results", nameof(results));
        var r = new double[texts.Count];
        Parallel.For(0, texts.Count, i =>
        {
            var s = Start.Advance(texts[i]);
            r[i] = complete ? s.LogComplete : s.LogPrefix;
        });
        r.CopyTo(results);
    }

    /// <summary>
    /// This potential over the tokens of <paramref name="vocabulary"/>: next-token weights through the vocabulary's
    /// byte trie, token masks for Boolean potentials, and single-token checks. Built once per vocabulary.
    /// </summary>
    public TokenPotential Coerce(TokenVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        return _views.GetValue(vocabulary, CreateTokenView);
    }

    /// <summary>The token view; potentials with a faster mask than a generic trie walk override it.</summary>
    protected virtual TokenPotential CreateTokenView(TokenVocabulary vocabulary) => new TokenPotential(this, vocabulary);

    /// <summary>The product of two potentials: log weights add.</summary>
    public static Potential Product(Potential left, Potential right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new ProductPotential(left, right);
    }

    /// <summary>The product of two potentials: log weights add.</summary>
    public static Potential operator *(Potential left, Potential right) => Product(left, right);

    /// <summary>The Boolean constraint "the text is a prefix of / a sentence of <paramref name="grammar"/>", backed by the mask engine.</summary>
    public static Potential FromGrammar(CompiledGrammar grammar) => new GrammarPotential(grammar);

    /// <summary>
    /// A Boolean potential from predicates over text: <paramref name="isViablePrefix"/> sees partial text (a trailing
    /// incomplete UTF-8 character is left out) and must be true for every prefix of an acceptable text;
    /// <paramref name="isAcceptable"/> sees the complete text.
    /// </summary>
    public static Potential FromPredicate(Func<string, bool> isViablePrefix, Func<string, bool> isAcceptable)
    {
        ArgumentNullException.ThrowIfNull(isViablePrefix);
        ArgumentNullException.ThrowIfNull(isAcceptable);
        return new DelegatePotential(t => isViablePrefix(t) ? 0 : double.NegativeInfinity, t => isAcceptable(t) ? 0 : double.NegativeInfinity, isBoolean: true);
    }

    /// <summary>
    /// A graded potential from log-weight functions over text (negative infinity rules a text out). The prefix function
    /// sees partial text as in <see cref="FromPredicate"/>.
    /// </summary>
    public static Potential FromLogWeights(Func<string, double> prefix, Func<string, double> complete)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(complete);
        return new DelegatePotential(prefix, complete, isBoolean: false);
    }
}

/// <summary>
/// A potential's view of one string, immutable and shareable: forking an SMC particle hands the same state to both
/// copies.
/// </summary>
public abstract class PotentialState
{
    /// <summary>The log weight of the bytes so far as a prefix; negative infinity when no extension has weight.</summary>
    public abstract double LogPrefix { get; }

    /// <summary>The log weight of the bytes so far as a complete string.</summary>
    public abstract double LogComplete { get; }

    /// <summary>The state after <paramref name="bytes"/> more.</summary>
    public abstract PotentialState Advance(ReadOnlySpan<byte> bytes);
}
