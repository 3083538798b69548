using TorchSharp;

namespace Structured.Torch.Tests;

public class NativeLoaderTests
{
    [Fact]
    public void TorchSharp_runs_after_the_loader()
    {
        TorchNativeLoader.EnsureLoaded();
        Assert.False(string.IsNullOrEmpty(TorchNativeLoader.Outcome));
        using var a = torch.tensor(new float[] { 1, 2, 3 });
        Assert.Equal(14f, (a * a).sum().item<float>());
    }

    [Fact]
    public void Marking_the_version_weak_changes_only_a_strong_requirement()
    {
        // A minimal ELF with one verneed section naming GLIBCXX_3.4.32, as libLibTorchSharp.so has.
        var elf = SyntheticElf(flags: 0);
        Assert.True(TorchNativeLoader.MarkVersionWeak(elf));
        Assert.Equal(2, BitConverter.ToUInt16(elf, VernauxFlagsOffset));
        Assert.False(TorchNativeLoader.MarkVersionWeak(elf)); // already weak: nothing to do
        Assert.False(TorchNativeLoader.MarkVersionWeak(new byte[100]));
    }

    private const int VernauxFlagsOffset = 0x200 + 16 + 4;

    private static byte[] SyntheticElf(ushort flags)
    {
        var b = new byte[0x400];
        b[0] = 0x7f; b[1] = (byte)'E'; b[2] = (byte)'L'; b[3] = (byte)'F'; b[4] = 2; b[5] = 1;
        BitConverter.GetBytes(0x100UL).CopyTo(b, 0x28);      // e_shoff
        BitConverter.GetBytes((ushort)64).CopyTo(b, 0x3A);   // e_shentsize
        BitConverter.GetBytes((ushort)3).CopyTo(b, 0x3C);    // e_shnum
        // section 1: verneed at 0x200, link to section 2 (strings at 0x300), one entry
        int s1 = 0x100 + 64;
        BitConverter.GetBytes(0x6ffffffeU).CopyTo(b, s1 + 4);
        BitConverter.GetBytes(0x200UL).CopyTo(b, s1 + 0x18);
        BitConverter.GetBytes(2U).CopyTo(b, s1 + 0x28);
        BitConverter.GetBytes(1U).CopyTo(b, s1 + 0x2C);
        int s2 = 0x100 + 128;
        BitConverter.GetBytes(3U).CopyTo(b, s2 + 4);
        BitConverter.GetBytes(0x300UL).CopyTo(b, s2 + 0x18);
        // Verneed: version 1, one aux, aux at +16, next 0
        BitConverter.GetBytes((ushort)1).CopyTo(b, 0x200);
        BitConverter.GetBytes((ushort)1).CopyTo(b, 0x202);
        BitConverter.GetBytes(16U).CopyTo(b, 0x208);
        // Vernaux: flags, name offset 1
        BitConverter.GetBytes(flags).CopyTo(b, 0x210 + 4);
        BitConverter.GetBytes(1U).CopyTo(b, 0x210 + 8);
        System.Text.Encoding.ASCII.GetBytes("GLIBCXX_3.4.32").CopyTo(b, 0x301);
        return b;
    }
}
