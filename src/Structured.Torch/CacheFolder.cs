namespace Structured.Torch;

/// <summary>The one folder this package writes to: <c>$XDG_CACHE_HOME/structured</c>, else <c>~/.cache/structured</c>, else the temp folder.</summary>
internal static class CacheFolder
{
    public static string For(string name)
    {
        string root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? Path.Combine(home, ".cache")
            : Path.GetTempPath();
        return Path.Combine(root, "structured", name);
    }
}
