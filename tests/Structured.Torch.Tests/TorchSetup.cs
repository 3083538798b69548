using System.Runtime.CompilerServices;

namespace Structured.Torch.Tests;

internal static class TorchSetup
{
    // Tests that touch TorchSharp before any Structured.Torch type would otherwise meet the unpatched native library.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => TorchNativeLoader.EnsureLoaded();
}
