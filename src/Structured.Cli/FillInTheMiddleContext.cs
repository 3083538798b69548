namespace Structured.Cli;

/// <summary>The text around the middle, from <c>--fim-prefix</c> and <c>--fim-suffix</c>, and how its errors map to exit codes.</summary>
internal static class FillInTheMiddleContext
{
    /// <summary>Reads both files (a missing option is empty text); on failure writes why and returns false.</summary>
    public static bool TryRead(FileInfo? prefixFile, FileInfo? suffixFile, out byte[] prefix, out byte[] suffix)
    {
        try
        {
            prefix = prefixFile is null ? [] : File.ReadAllBytes(prefixFile.FullName);
            suffix = suffixFile is null ? [] : File.ReadAllBytes(suffixFile.FullName);
            return true;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"error: cannot read the fill-in-the-middle context: {e.Message}");
            (prefix, suffix) = ([], []);
            return false;
        }
    }

    /// <summary>No middle can join the two sides: rejected (exit 1). Any other grammar error (a size limit): exit 2.</summary>
    public static int Fail(GrammarException e)
    {
        bool impossible = e is EmptyLanguageException;
        Console.Error.WriteLine($"{(impossible ? "rejected" : "error")}: {e.Message}");
        return impossible ? ExitCodes.Rejected : ExitCodes.BadConstraint;
    }
}
