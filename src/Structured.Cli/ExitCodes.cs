namespace Structured.Cli;

/// <summary>The exit codes of the <c>structured</c> command, as DESIGN.md fixes them.</summary>
internal static class ExitCodes
{
    /// <summary>The input is in the language (or a viable prefix, with <c>--prefix</c>).</summary>
    public const int Accepted = 0;

    /// <summary>The input is not in the language.</summary>
    public const int Rejected = 1;

    /// <summary>The constraint (or the command line) is invalid or unsupported.</summary>
    public const int BadConstraint = 2;
}
