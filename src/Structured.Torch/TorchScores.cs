using System.Runtime.InteropServices;
using Structured.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Structured.Torch;

/// <summary>
/// Next-token logits <c>[N, V]</c> kept on the model's device. Masks from the CPU become one boolean tensor, applied
/// with one masked log-softmax; sampling (temperature, top-k, top-p, Gumbel-max) happens on the device, and only
/// the chosen ids and the log masses come back.
/// </summary>
public sealed class TorchScores : INextTokenScores
{
    private static readonly ulong[] BitsToBytes = BuildSpread();
    private readonly Tensor _logits;
    private Tensor? _logProbs;

    internal TorchScores(Tensor logits)
    {
        _logits = logits;
        Count = (int)logits.shape[0];
        Width = (int)logits.shape[1];
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public int Width { get; }

    private readonly Lock _gate = new();

    // AWRS reads rows from several threads; the log-softmax is computed once.
    private Tensor LogProbs
    {
        get
        {
            if (_logProbs is { } lp) return lp;
            lock (_gate)
            {
                if (_logProbs is null)
                {
                    using var scope = NewDisposeScope();
                    using var mode = inference_mode();
                    _logProbs = _logits.log_softmax(-1).DetachFromDisposeScope();
                }
                return _logProbs;
            }
        }
    }

    /// <inheritdoc />
    public double LogProb(int row, int token)
    {
        using var s = NewDisposeScope();
        return LogProbs[row, token].item<float>();
    }

    /// <inheritdoc />
    public void CopyLogProbs(int row, Span<float> destination)
    {
        using var s = NewDisposeScope();
        using var r = LogProbs[row].cpu().contiguous();
        CopyFloats(r, destination[..Width]);
    }

    /// <inheritdoc />
    public void Sample(ReadOnlySpan<uint> masks, SamplingOptions options, Random random, Span<int> tokens, Span<double> logMass)
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var proposal = Proposal(masks, options, out var mass);
        Tensor chosen;
        if (options.Temperature == 0) chosen = proposal.argmax(-1);
        else
        {
            chosen = (proposal - GumbelRaceLog(proposal, random)).argmax(-1);
        }
        var ids = HostArray<long>(chosen.to(ScalarType.Int64));
        var masses = HostArray<double>(mass.to(ScalarType.Float64));
        for (int i = 0; i < Count; i++)
        {
            logMass[i] = masses[i];
            tokens[i] = double.IsNegativeInfinity(masses[i]) ? -1 : (int)ids[i];
        }
    }

    /// <inheritdoc />
    public int GumbelOrder(int row, ReadOnlySpan<uint> mask, double temperature, Random random, Span<int> destination)
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        double t = temperature <= 0 ? 1 : temperature;
        var keys = LogProbs[row] / t;
        if (!mask.IsEmpty) keys = Keep(keys, MaskTensor(mask, 1)[0]);
        keys = keys - GumbelRaceLog(keys, random);
        int k = Math.Min(destination.Length, Width);
        var (values, indices) = keys.topk(k);
        var v = HostArray<float>(values);
        var ix = HostArray<long>(indices);
        int n = 0;
        while (n < k && !float.IsNegativeInfinity(v[n])) { destination[n] = (int)ix[n]; n++; }
        return n;
    }

    /// <inheritdoc />
    public void GumbelCandidates(int k, Random random, Span<int> tokens, Span<float> logProbs, Span<float> maxLogProbs)
    {
        ArgumentNullException.ThrowIfNull(random);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var lp = LogProbs;
        k = Math.Min(k, Width);
        var (keys, order) = (lp - GumbelRaceLog(lp, random)).topk(k);
        var chosen = lp.gather(1, order);
        var ids = HostArray<long>(order);
        var keyValues = HostArray<float>(keys);
        var values = HostArray<float>(chosen);
        var max = HostArray<float>(lp.amax(1));
        for (int r = 0; r < Count; r++)
        {
            maxLogProbs[r] = max[r];
            for (int i = 0; i < k; i++)
            {
                bool real = !float.IsNegativeInfinity(keyValues[r * k + i]);
                tokens[r * k + i] = real ? (int)ids[r * k + i] : -1;
                logProbs[r * k + i] = real ? values[r * k + i] : float.NegativeInfinity;
            }
        }
    }

    /// <inheritdoc />
    public void CopySamplingDistribution(ReadOnlySpan<uint> masks, SamplingOptions options, Span<float> destination)
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var proposal = Proposal(masks, options, out _);
        var norm = proposal - proposal.logsumexp(-1, keepdim: true);
        CopyFloats(norm.cpu().contiguous(), destination[..(Count * Width)]);
    }

    // log E for E = -log U ~ Exp(1): subtracting it from log-probabilities and taking the largest (or the top k) is the
    // Gumbel-max trick (-log E is Gumbel). (TorchSharp's exponential_ fill measured slower on the CPU than this.)
    // The floor keeps U = 0 (possible in float32) from giving an infinite key; it is applied with maximum against a
    // tensor rather than clamp_min(Scalar), which crashed under libtorch 2.11 with TorchSharp 0.107 (built for 2.10).
    private static Tensor GumbelRaceLog(Tensor like, Random random)
    {
        var u = Uniform(like.shape, like.device, (ulong)random.NextInt64());
        using var floor = tensor(1e-20f, device: like.device);
        return (-u.maximum(floor).log()).log();
    }

    private static readonly Lock CudaRandomGate = new();

    /// <summary>Uniform [0, 1) numbers on <paramref name="device"/>, reproducible from <paramref name="seed"/>.</summary>
    private static Tensor Uniform(long[] shape, Device device, ulong seed)
    {
        if (device.type != DeviceType.CUDA)
        {
            using var gen = new Generator(seed, device);
            return rand(shape, generator: gen, device: device);
        }
        // TorchSharp 0.107 makes a CPU generator whatever device it is given, and CUDA kernels refuse it. The device's
        // default generator is seeded instead; the lock keeps seeding and drawing together, as AWRS reads rows from
        // several threads (the draw's random state is fixed when it is queued, so the lock need not wait for it).
        lock (CudaRandomGate)
        {
            cuda.manual_seed((long)(seed >> 1));
            return rand(shape, device: device);
        }
    }
    private static T[] HostArray<T>(Tensor t) where T : unmanaged
    {
        using var host = t.cpu().contiguous();
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(host.bytes).ToArray();
    }

    // A contiguous host tensor's floats as one block copy: TensorAccessor.CopyTo walks element by element, about 40×
    // slower for a 100k-token row (600 µs against 15 µs on this machine).
    private static void CopyFloats(Tensor hostContiguous, Span<float> destination) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(hostContiguous.bytes)[..destination.Length].CopyTo(destination);

    /// <summary>The log-normalised proposal per row and the log mass the mask allows (before top-k/top-p).</summary>
    private Tensor Proposal(ReadOnlySpan<uint> masks, SamplingOptions options, out Tensor logMass)
    {
        options.Validate();
        double temperature = options.Temperature == 0 ? 1 : options.Temperature;
        var lp = temperature == 1 ? LogProbs : (_logits / temperature).log_softmax(-1);
        var masked = masks.IsEmpty ? lp : Keep(lp, MaskTensor(masks, Count));
        logMass = masked.logsumexp(-1);
        var p = masked - logMass.unsqueeze(-1).nan_to_num(0, 0, 0);
        if (options.Temperature == 0) return p;
        if (options.TopK > 0 && options.TopK < Width)
        {
            var kth = p.topk(options.TopK).values.narrow(-1, options.TopK - 1, 1);
            p = Keep(p, p >= kth);
        }
        if (options.TopP < 1)
        {
            var (sorted, order) = p.sort(-1, descending: true);
            var probs = sorted.exp();
            var before = probs.cumsum(-1) - probs;
            var drop = before >= probs.sum(-1, keepdim: true) * options.TopP;
            p = Keep(p, zeros_like(drop).scatter(-1, order, drop).logical_not());
        }
        return p;
    }

    /// <summary>
    /// <paramref name="x"/> where <paramref name="keep"/> holds, negative infinity elsewhere. Written with <c>where</c>:
    /// <c>masked_fill(mask, -inf)</c> failed inside libtorch (a c10 check in Scalar::toFloat) on [25, 100277] rows during
    /// <c>bench model</c>, and the same shapes in isolation did not reproduce it.
    /// </summary>
    private static Tensor Keep(Tensor x, Tensor keep) => where(keep, x, full_like(x, float.NegativeInfinity));

    /// <summary>Expands <paramref name="rows"/> mask rows of bits into a <c>[rows, V]</c> boolean tensor on the logits' device.</summary>
    private Tensor MaskTensor(ReadOnlySpan<uint> masks, int rows)
    {
        int words = (Width + 31) / 32;
        if (masks.Length < rows * words) throw new ArgumentException($"masks hold {masks.Length} words; {rows} rows of {words} are needed", nameof(masks));
        var bytes = new byte[rows * words * 32];
        var wide = MemoryMarshal.Cast<byte, ulong>(bytes.AsSpan());
        for (int i = 0; i < rows * words; i++)
        {
            uint w = masks[i];
            int at = i * 4;
            wide[at] = BitsToBytes[w & 0xff];
            wide[at + 1] = BitsToBytes[(w >> 8) & 0xff];
            wide[at + 2] = BitsToBytes[(w >> 16) & 0xff];
            wide[at + 3] = BitsToBytes[w >> 24];
        }
        var all = tensor(bytes, [rows, words * 32L]).narrow(1, 0, Width).to(ScalarType.Bool);
        return all.to(_logits.device);
    }

    private static ulong[] BuildSpread()
    {
        var table = new ulong[256];
        for (int b = 0; b < 256; b++)
        {
            ulong v = 0;
            for (int bit = 0; bit < 8; bit++) if ((b >> bit & 1) != 0) v |= 1UL << (bit * 8);
            table[b] = v;
        }
        return table;
    }

    /// <inheritdoc />
    public INextTokenScores Rows(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Count);
        // A narrowed view keeps the logits' storage alive after this object is disposed.
        return new TorchScores(_logits.narrow(0, start, count));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _logProbs?.Dispose();
        _logits.Dispose();
    }
}
