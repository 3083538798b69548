using System.Text.Json;
using Structured.Models;
using Structured.Potentials;
using Structured.Sampling;
using Structured.Schemas;

namespace Structured;

/// <summary>How a text is drawn.</summary>
public enum SamplerKind
{
    /// <summary>Locally constrained decoding: mask every step, then sample (temperature, top-k and top-p apply). Fast, but biased toward texts whose prefixes the model likes.</summary>
    Lcd,

    /// <summary>Adaptive weighted rejection sampling: draws the model's tokens and checks them one at a time; exact per step, usually cheaper than a mask.</summary>
    Awrs,

    /// <summary>Sequential Monte Carlo: <see cref="GenerationOptions.Particles"/> weighted particles, resampled; the result follows the model's distribution conditioned on the constraint as the particle count grows.</summary>
    Smc,
}

/// <summary>Options of one generation. Every property has a sensible default; the record is immutable and can be shared.</summary>
public sealed record GenerationOptions
{
    /// <summary>The default options.</summary>
    public static GenerationOptions Default { get; } = new();

    /// <summary>The sampler: LCD (default), AWRS or SMC.</summary>
    public SamplerKind Sampler { get; init; } = SamplerKind.Lcd;

    /// <summary>SMC particles (with <see cref="SamplerKind.Smc"/>).</summary>
    public int Particles { get; init; } = 8;

    /// <summary>SMC resamples when the effective sample size falls below this share of the particles.</summary>
    public double EssThreshold { get; init; } = 0.5;

    /// <summary>SMC's token sampler: <see cref="SamplerKind.Awrs"/> (default) or <see cref="SamplerKind.Lcd"/>.</summary>
    public SamplerKind Proposal { get; init; } = SamplerKind.Awrs;

    /// <summary>
    /// An optional critic for SMC: a potential over the text (a C# predicate or score, see <see cref="Potential.FromPredicate"/>)
    /// that reweights particles without entering the masks.
    /// </summary>
    public Potential? Critic { get; init; }

    /// <summary>Seed of every random draw; null draws a fresh seed per generation.</summary>
    public int? Seed { get; init; }

    /// <summary>The most tokens to generate.</summary>
    public int MaxTokens { get; init; } = 512;

    /// <summary>Sampling temperature (LCD only; 0 is greedy). AWRS and SMC target the model's own distribution and need 1.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus sampling (LCD only): keep the most probable allowed tokens up to this mass.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Keep only the k most probable allowed tokens (LCD only); 0 keeps all.</summary>
    public int TopK { get; init; }

    /// <summary>JSON layout: flexible (bounded whitespace, default), compact or pretty.</summary>
    public JsonWhitespace Whitespace { get; init; } = JsonWhitespace.Flexible;

    /// <summary>JSON property order: as the schema lists them (default) or any.</summary>
    public PropertyOrder PropertyOrder { get; init; } = PropertyOrder.Schema;

    /// <summary>
    /// Write JSON integers in their plain form (<c>42</c>, never <c>42.0</c> or <c>4.2e1</c>), which every JSON reader
    /// takes as an integer; on by default. Off allows every spelling JSON Schema accepts.
    /// </summary>
    public bool PlainIntegers { get; init; } = true;

    /// <summary>No JSON properties beyond those a schema lists, unless it allows them explicitly (OpenAI's strict mode; a type's schema leaves them open).</summary>
    public bool Strict { get; init; }

    /// <summary>Drop schema keywords that cannot be enforced exactly (with warnings in the result) instead of failing.</summary>
    public bool Lenient { get; init; }

    /// <summary>Serializer options used to make the schema of <c>T</c> and to read the result; null uses the <c>GetResponseAsync&lt;T&gt;</c> defaults (camelCase, string enums).</summary>
    public JsonSerializerOptions? SerializerOptions { get; init; }

    /// <summary>The schema compiler options these options imply.</summary>
    public JsonSchemaOptions SchemaOptions => new() { Whitespace = Whitespace, PropertyOrder = PropertyOrder, Lenient = Lenient, Strict = Strict, CanonicalIntegers = PlainIntegers };

    internal SamplingOptions Sampling => new() { Temperature = Temperature, TopK = TopK, TopP = TopP };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range or contradicts another.</summary>
    public void Validate()
    {
        if (MaxTokens < 1) throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "at least one token");
        if (Particles < 1) throw new ArgumentOutOfRangeException(nameof(Particles), Particles, "at least one particle");
        if (!(EssThreshold >= 0 && EssThreshold <= 1)) throw new ArgumentOutOfRangeException(nameof(EssThreshold), EssThreshold, "a share in [0, 1]");
        if (Proposal == SamplerKind.Smc) throw new ArgumentException("SMC's proposal is Lcd or Awrs", nameof(Proposal));
        Sampling.Validate();
        if (Sampler != SamplerKind.Lcd && (Temperature != 1 || TopP != 1 || TopK != 0))
            throw new ArgumentException($"{Sampler} targets the model's own distribution under the constraint: temperature, top-p and top-k apply to LCD only", nameof(Temperature));
        if (Critic is not null && Sampler != SamplerKind.Smc) throw new ArgumentException("a critic needs the SMC sampler", nameof(Critic));
    }
}
