using System.Text;

namespace Structured.Potentials;

/// <summary>A potential defined by the user's functions over text. Each state evaluates its function once, on first use.</summary>
internal sealed class DelegatePotential : Potential
{
    private readonly Func<string, double> _prefix;
    private readonly Func<string, double> _complete;

    public DelegatePotential(Func<string, double> prefix, Func<string, double> complete, bool isBoolean)
    {
        _prefix = prefix;
        _complete = complete;
        IsBoolean = isBoolean;
        Start = new State(this, []);
    }

    public override bool IsBoolean { get; }

    public override PotentialState Start { get; }

    /// <summary>The text of <paramref name="bytes"/>, without a trailing UTF-8 character that is not finished yet.</summary>
    internal static string PartialText(byte[] bytes)
    {
        int end = bytes.Length;
        // Step back over continuation bytes to the last lead byte; drop it if its character is incomplete.
        int lead = end - 1;
        while (lead >= 0 && lead > end - 4 && (bytes[lead] & 0xC0) == 0x80) lead--;
        if (lead >= 0)
        {
            byte b = bytes[lead];
            int need = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            if (end - lead < need) end = lead;
        }
        return Encoding.UTF8.GetString(bytes, 0, end);
    }

    private sealed class State(DelegatePotential owner, byte[] bytes) : PotentialState
    {
        private double? _prefix;
        private double? _complete;

        public override double LogPrefix => _prefix ??= Check(owner._prefix(PartialText(bytes)), "prefix");

        public override double LogComplete => _complete ??= LogPrefix == double.NegativeInfinity ? double.NegativeInfinity
            : Check(owner._complete(Encoding.UTF8.GetString(bytes)), "complete");

        public override PotentialState Advance(ReadOnlySpan<byte> more)
        {
            if (more.IsEmpty) return this;
            var next = new byte[bytes.Length + more.Length];
            bytes.CopyTo(next, 0);
            more.CopyTo(next.AsSpan(bytes.Length));
            return new State(owner, next);
        }

        private static double Check(double w, string which) => double.IsNaN(w) || double.IsPositiveInfinity(w)
            ? throw new InvalidOperationException($"the potential's {which} function returned {w}; log weights must be finite or negative infinity")
            : w;
    }
}
