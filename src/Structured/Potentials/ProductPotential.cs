using Structured.Tokens;

namespace Structured.Potentials;

/// <summary>Two potentials at once: log weights add, and the right one is consulted only where the left one allows.</summary>
internal sealed class ProductPotential(Potential left, Potential right) : Potential
{
    public Potential Left { get; } = left;
    public Potential Right { get; } = right;

    public override bool IsBoolean => Left.IsBoolean && Right.IsBoolean;

    public override PotentialState Start { get; } = new State(left.Start, right.Start);

    protected override TokenPotential CreateTokenView(TokenVocabulary vocabulary) => new Tokens(this, vocabulary);

    private sealed class State(PotentialState left, PotentialState right) : PotentialState
    {
        public PotentialState Left { get; } = left;
        public PotentialState Right { get; } = right;

        public override double LogPrefix => Left.LogPrefix is var l && double.IsNegativeInfinity(l) ? l : l + Right.LogPrefix;

        public override double LogComplete => Left.LogComplete is var l && double.IsNegativeInfinity(l) ? l : l + Right.LogComplete;

        public override PotentialState Advance(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? this : new State(Left.Advance(bytes), Right.Advance(bytes));
    }

    private sealed class Tokens(ProductPotential owner, TokenVocabulary vocabulary) : TokenPotential(owner, vocabulary)
    {
        private readonly TokenPotential _left = owner.Left.Coerce(vocabulary);
        private readonly TokenPotential _right = owner.Right.Coerce(vocabulary);

        private static State Of(PotentialState s) => s as State ?? throw new ArgumentException("not a state of this product", nameof(s));

        public override double LogWeightNext(PotentialState state, int token)
        {
            var s = Of(state);
            double l = _left.LogWeightNext(s.Left, token);
            return double.IsNegativeInfinity(l) ? l : l + _right.LogWeightNext(s.Right, token);
        }

        public override void LogWeightsNext(PotentialState state, Span<float> destination)
        {
            var s = Of(state);
            _left.LogWeightsNext(s.Left, destination);
            for (int t = 0; t < Vocabulary.Size; t++)
                if (!float.IsNegativeInfinity(destination[t])) destination[t] += (float)_right.LogWeightNext(s.Right, t);
        }

        public override void FillMask(PotentialState state, Span<uint> mask)
        {
            var s = Of(state);
            _left.FillMask(s.Left, mask);
            for (int w = 0; w < MaskWords; w++)
                for (uint bits = mask[w]; bits != 0; bits &= bits - 1)
                {
                    int t = w * 32 + System.Numerics.BitOperations.TrailingZeroCount(bits);
                    if (!_right.Allows(s.Right, t)) mask[w] &= ~(1u << (t & 31));
                }
        }
    }
}
