using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace Structured.Torch;

/// <summary>
/// Makes TorchSharp's native library load on Linux systems whose libstdc++ predates GCC 13 (Debian 12, Ubuntu 22.04).
/// </summary>
/// <remarks>
/// <para>
/// <c>libLibTorchSharp.so</c> 0.107 declares a need for the symbol version <c>GLIBCXX_3.4.32</c>, yet the only symbol
/// of that version it names is GCC 13's iostream-init marker, which no relocation uses. Older libstdc++ lacks the
/// version, so the loader refuses the library and TorchSharp reports a misleading "no reference to libtorch-cpu".
/// </para>
/// <para>
/// The fix: when the library does not load as shipped, copy it into our own cache folder with that one version
/// requirement marked weak (<c>VER_FLG_WEAK</c> in its <c>.gnu.version_r</c> entry), load libtorch from its original
/// folder and the patched copy by absolute path, and resolve TorchSharp's <c>LibTorchSharp</c> imports to it. Nothing
/// outside the cache folder is written. Where the library loads as shipped, or on other systems, this does nothing.
/// </para>
/// <para>
/// <b>A libtorch of your own</b> (for CUDA where no TorchSharp CUDA package can be restored): set the environment
/// variable <c>STRUCTURED_LIBTORCH</c> to a folder holding <c>libtorch.so</c>, <c>libtorch_cpu.so</c>,
/// <c>libc10.so</c> and, for CUDA, <c>libtorch_cuda.so</c>, such as a PyTorch installation's <c>torch/lib</c>. Those are
/// loaded first and TorchSharp's imports resolve to them, so <c>cuda.is_available()</c> answers for that build. Its
/// version should match the libtorch TorchSharp was built against (2.10 for 0.107); a neighbouring minor version
/// has worked for everything this SDK calls (see docs/benchmarks.md, GPU), but that is not guaranteed.
/// </para>
/// </remarks>
public static class TorchNativeLoader
{
    private const string RequiredVersion = "GLIBCXX_3.4.32";
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    /// <summary>The environment variable that names a libtorch folder to use instead of the packaged one.</summary>
    public const string LibTorchVariable = "STRUCTURED_LIBTORCH";

    private static readonly Lock Gate = new();
    private static bool _done;
    private static string? _outcome;
    private static DllNotFoundException? _failure;

    /// <summary>What the loader did: "not needed", "patched copy at …", or why it could not help.</summary>
    public static string Outcome { get { EnsureLoaded(); return _outcome ?? ""; } }

#pragma warning disable CA2255 // The fix must run before any TorchSharp type initialiser, which a module initialiser guarantees for our callers.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        try { EnsureLoaded(); }
        catch (Exception) { /* reported again, with its cause, when TorchSharp is first used */ }
    }

    /// <summary>Applies the fix once per process, if it is needed. Safe to call from any thread, any number of times.</summary>
    /// <exception cref="DllNotFoundException">The folder named by <see cref="LibTorchVariable"/> holds no libtorch, or it does not load.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (!_done)
            {
                _done = true;
                try { _outcome = Load(); }
                catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or IOException)
                {
                    _failure = e as DllNotFoundException ?? new DllNotFoundException(e.Message, e);
                }
            }
            if (_failure is not null) throw _failure;
        }
    }

    private static string Load()
    {
        if (!OperatingSystem.IsLinux()) return "not needed (not Linux)";
        string? original = FindNative("libLibTorchSharp.so");
        if (original is null) return "not needed (TorchSharp finds its natives itself)";
        string? own = Environment.GetEnvironmentVariable(LibTorchVariable);
        if (!string.IsNullOrEmpty(own)) return LoadFrom(own, original);
        if (NativeLibrary.TryLoad(original, out _)) return "not needed (loads as shipped)";

        byte[] image = File.ReadAllBytes(original);
        if (!MarkVersionWeak(image)) return $"not applicable ({original} does not require {RequiredVersion} strongly)";
        string dir = Path.GetDirectoryName(original)!;
        foreach (var dep in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
        {
            string path = Path.Combine(dir, dep);
            if (File.Exists(path)) NativeLibrary.Load(path);
        }
        string patched = WritePatchedCopy(image);
        nint handle = NativeLibrary.Load(patched);
        Resolve(handle, 0, 0);
        return $"patched copy at {patched}";
    }

    /// <summary>Loads libtorch from <paramref name="folder"/>, then TorchSharp's library (patched only if it must be).</summary>
    private static string LoadFrom(string folder, string original)
    {
        if (!File.Exists(Path.Combine(folder, "libtorch_cpu.so")))
            throw new DllNotFoundException($"{LibTorchVariable}={folder}: no libtorch_cpu.so there (name a folder such as a PyTorch installation's torch/lib)");
        // Dependencies first, by absolute path: TorchSharp's library then finds them loaded under their sonames.
        nint cpu = 0, cuda = 0;
        foreach (var dep in new[] { "libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so" })
        {
            string path = Path.Combine(folder, dep);
            if (!File.Exists(path)) continue;
            nint h = NativeLibrary.Load(path);
            if (dep == "libtorch_cpu.so") cpu = h;
            if (dep == "libtorch_cuda.so") cuda = h;
        }
        if (!NativeLibrary.TryLoad(original, out nint handle))
        {
            byte[] image = File.ReadAllBytes(original);
            MarkVersionWeak(image);
            handle = NativeLibrary.Load(WritePatchedCopy(image));
        }
        Resolve(handle, cpu, cuda);
        return $"libtorch from {folder}" + (cuda != 0 ? " (with CUDA)" : " (CPU only)");
    }

    /// <summary>Points TorchSharp's imports and its own backend probes (<c>torch_cpu</c>, <c>torch_cuda</c>) at our handles.</summary>
    private static void Resolve(nint torchSharp, nint cpu, nint cuda) =>
        NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, (name, _, _) => name switch
        {
            "LibTorchSharp" or "libLibTorchSharp" or "libLibTorchSharp.so" => torchSharp,
            "torch_cpu" or "libtorch_cpu" or "libtorch_cpu.so" => cpu,
            "torch_cuda" or "libtorch_cuda" or "libtorch_cuda.so" => cuda,
            _ => 0,
        });

    private static string? FindNative(string file)
    {
        string rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var roots = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "" };
        foreach (var root in roots.Where(r => r.Length > 0))
        {
            foreach (var candidate in new[] { Path.Combine(root, "runtimes", rid, "native", file), Path.Combine(root, file) })
                if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Sets the weak flag on the version-need entry for <see cref="RequiredVersion"/>; false if there is none to change.</summary>
    internal static bool MarkVersionWeak(byte[] elf)
    {
        // 64-bit little-endian ELF only: TorchSharp ships no other Linux build.
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
            return false;
        var span = elf.AsSpan();
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        bool changed = false;
        for (int i = 0; i < shnum; i++)
        {
            var sh = span.Slice(checked((int)(shoff + (long)i * shentsize)), shentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed) continue;
            long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]);
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]);
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x2C..]);
            var strSh = span.Slice(checked((int)(shoff + (long)link * shentsize)), shentsize);
            long strings = (long)BinaryPrimitives.ReadUInt64LittleEndian(strSh[0x18..]);
            long need = offset;
            for (int n = 0; n < count; n++)
            {
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(span[(int)(need + 2)..]);
                long aux = need + BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(need + 8)..]);
                for (int a = 0; a < auxCount; a++)
                {
                    long name = strings + BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(aux + 8)..]);
                    if (NameAt(span, name) == RequiredVersion)
                    {
                        var flags = span[(int)(aux + 4)..];
                        ushort f = BinaryPrimitives.ReadUInt16LittleEndian(flags);
                        if ((f & VerFlagWeak) == 0) { BinaryPrimitives.WriteUInt16LittleEndian(flags, (ushort)(f | VerFlagWeak)); changed = true; }
                    }
                    aux += BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(aux + 12)..]);
                }
                need += BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(need + 12)..]);
            }
        }
        return changed;
    }

    private static string NameAt(ReadOnlySpan<byte> span, long at)
    {
        int end = span[(int)at..].IndexOf((byte)0);
        return System.Text.Encoding.ASCII.GetString(span.Slice((int)at, end < 0 ? 0 : end));
    }

    private static string WritePatchedCopy(byte[] image)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(image))[..16];
        string dir = CacheFolder.For("torchsharp-" + typeof(torch).Assembly.GetName().Version + "-" + hash);
        string target = Path.Combine(dir, "libLibTorchSharp.so");
        if (File.Exists(target) && new FileInfo(target).Length == image.Length) return target;
        Directory.CreateDirectory(dir);
        // Write then rename, so a concurrent process never loads a half-written file.
        string temp = target + "." + Environment.ProcessId + ".tmp";
        File.WriteAllBytes(temp, image);
        File.Move(temp, target, overwrite: true);
        return target;
    }
}
