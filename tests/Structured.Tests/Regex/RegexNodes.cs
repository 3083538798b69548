using FsCheck;
using FsCheck.Fluent;
using Structured.Regex;

namespace Structured.Tests.Regex;

/// <summary>Random regexes over given atoms, with every operator the term store knows, intersections and complements included.</summary>
internal static class RegexNodes
{
    /// <summary>Nodes up to <paramref name="depth"/> levels deep; an intersection has <paramref name="intersectionParts"/> parts.</summary>
    public static Gen<RegexNode> Over(RegexNode[] atoms, int depth, int intersectionParts = 2) => depth == 0
        ? Gen.Elements(atoms)
        : Gen.OneOf(
            Gen.Elements(atoms),
            Over(atoms, depth - 1, intersectionParts).ListOf(2).Select(p => RegexNode.Sequence(p)),
            Over(atoms, depth - 1, intersectionParts).ListOf(2).Select(p => RegexNode.Choice(p)),
            from item in Over(atoms, depth - 1, intersectionParts)
            from lo in Gen.Choose(0, 2)
            from hi in Gen.Choose(0, 3)
            select RegexNode.Repeat(item, Math.Min(lo, hi), hi == 3 ? null : Math.Max(lo, hi)),
            Over(atoms, depth - 1, intersectionParts).ListOf(intersectionParts).Select(p => RegexNode.Intersection(p)),
            Over(atoms, depth - 1, intersectionParts).Select(RegexNode.Complement));
}
