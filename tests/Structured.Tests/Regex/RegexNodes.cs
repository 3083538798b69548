using FsCheck;
using FsCheck.Fluent;
using Structured.Regex;

namespace Structured.Tests.Regex;

/// <summary>Random regexes over given atoms, with every operator the term store knows, intersections and complements included.</summary>
internal static class RegexNodes
{
    /// <summary>
    /// Nodes up to <paramref name="depth"/> levels deep; an intersection has <paramref name="intersectionParts"/> parts.
    /// Repetition bounds come from <paramref name="counts"/> (default 0–2), and a bound may also be open.
    /// </summary>
    public static Gen<RegexNode> Over(RegexNode[] atoms, int depth, int intersectionParts = 2, int[]? counts = null)
    {
        counts ??= [0, 1, 2];
        return depth == 0
            ? Gen.Elements(atoms)
            : Gen.OneOf(
                Gen.Elements(atoms),
                Over(atoms, depth - 1, intersectionParts, counts).ListOf(2).Select(p => RegexNode.Sequence(p)),
                Over(atoms, depth - 1, intersectionParts, counts).ListOf(2).Select(p => RegexNode.Choice(p)),
                from item in Over(atoms, depth - 1, intersectionParts, counts)
                from lo in Gen.Elements(counts)
                from hi in Gen.Elements(counts.Append(-1).ToArray())
                select RegexNode.Repeat(item, hi < 0 ? lo : Math.Min(lo, hi), hi < 0 ? null : Math.Max(lo, hi)),
                Over(atoms, depth - 1, intersectionParts, counts).ListOf(intersectionParts).Select(p => RegexNode.Intersection(p)),
                Over(atoms, depth - 1, intersectionParts, counts).Select(RegexNode.Complement));
    }
}
