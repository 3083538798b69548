using System.CommandLine;
using Structured.Parsing;

namespace Structured.Cli;

/// <summary><c>structured check</c>: is the input in the language (or, with <c>--prefix</c>, a viable prefix of it)?</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var constraint = new ConstraintOptions();
        var input = new Option<FileInfo?>("--input") { Description = "The input file; standard input when omitted." };
        var prefix = new Option<bool>("--prefix") { Description = "Accept any viable prefix of a sentence, not only a complete one." };
        var fimPrefix = new Option<FileInfo?>("--fim-prefix") { Description = "Fill-in-the-middle: the text before the input." };
        var fimSuffix = new Option<FileInfo?>("--fim-suffix") { Description = "Fill-in-the-middle: the text after the input." };
        var command = new Command("check", "Check an input against a schema, grammar or regex. Exit 0: accepted; 1: rejected (the message names the byte offset and what was expected); 2: the constraint is invalid or unsupported.");
        constraint.AddTo(command, withRegex: true);
        command.Options.Add(input);
        command.Options.Add(prefix);
        command.Options.Add(fimPrefix);
        command.Options.Add(fimSuffix);
        command.SetAction(result =>
        {
            var grammar = constraint.Load(result);
            if (grammar is null) return ExitCodes.BadConstraint;
            var compiled = ConstraintOptions.Compile(grammar);
            if (compiled is null) return ExitCodes.BadConstraint;

            byte[] bytes;
            var file = result.GetValue(input);
            try
            {
                bytes = file is null ? ReadStdin() : File.ReadAllBytes(file.FullName);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"error: cannot read the input: {e.Message}");
                return ExitCodes.BadConstraint;
            }
            if (result.GetValue(fimPrefix) is not null || result.GetValue(fimSuffix) is not null)
                return CheckMiddle(compiled, result.GetValue(fimPrefix), result.GetValue(fimSuffix), bytes, result.GetValue(prefix));
            return Check(compiled, bytes, result.GetValue(prefix));
        });
        return command;
    }

    internal static int Check(CompiledGrammar compiled, byte[] bytes, bool prefixMode)
    {
        ParserState state;
        try
        {
            state = compiled.Parse(bytes);
        }
        catch (GrammarException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadConstraint;
        }
        ParseError? error = state.Error ?? (prefixMode ? null : state.EndOfInputError());
        if (error is null)
        {
            Console.WriteLine(prefixMode && !state.IsAccepting ? $"ok: a viable prefix ({bytes.Length} bytes)" : $"ok: a complete sentence ({bytes.Length} bytes)");
            return ExitCodes.Accepted;
        }
        var (line, column) = LineColumn(bytes, error.Offset);
        Console.Error.WriteLine($"rejected at line {line}, column {column}, {error}");
        return ExitCodes.Rejected;
    }

    // The input is the middle: accepted when prefix + middle + suffix is a sentence, or with --prefix when some
    // continuation of the middle makes it one. Offsets in messages count from the start of the middle.
    private static int CheckMiddle(CompiledGrammar compiled, FileInfo? prefixFile, FileInfo? suffixFile, byte[] middle, bool prefixMode)
    {
        if (!FillInTheMiddleContext.TryRead(prefixFile, suffixFile, out var before, out var after)) return ExitCodes.BadConstraint;
        Quotients.MiddleGrammar quotient;
        try
        {
            quotient = Quotients.MiddleGrammar.Create(compiled, after);
        }
        catch (GrammarException e)
        {
            return FillInTheMiddleContext.Fail(e);
        }
        var start = quotient.Start(before);
        if (start.Error is { } prefixError)
        {
            var (pl, pc) = LineColumn(before, prefixError.Offset);
            Console.Error.WriteLine($"rejected: no middle fits between this prefix and suffix; the prefix fails at line {pl}, column {pc}, {prefixError}");
            return ExitCodes.Rejected;
        }
        var state = start.Advance(middle);
        if (state.Error is { } error)
        {
            long at = error.Offset - before.Length;
            var (line, column) = LineColumn(middle, at);
            Console.Error.WriteLine($"rejected: the middle cannot be completed before the suffix from line {line}, column {column} of the middle (byte {at}): {error}");
            return ExitCodes.Rejected;
        }
        if (prefixMode)
        {
            Console.WriteLine($"ok: a viable middle ({middle.Length} bytes)");
            return ExitCodes.Accepted;
        }
        byte[] head = [.. before, .. middle];
        if (quotient.IsComplete(state, quotient.IsExact ? null : compiled.Parse(head)))
        {
            Console.WriteLine($"ok: prefix + middle + suffix is a complete sentence ({middle.Length} bytes of middle)");
            return ExitCodes.Accepted;
        }
        var whole = compiled.Parse([.. head, .. after]);
        var why = whole.Error ?? whole.EndOfInputError();
        Console.Error.WriteLine($"rejected: the middle is not complete here{(why is null ? "" : $"; the whole text fails at byte {why.Offset}: {why}")}");
        return ExitCodes.Rejected;
    }

    private static (int Line, int Column) LineColumn(byte[] bytes, long offset)
    {
        int line = 1, column = 1;
        for (long i = 0; i < offset && i < bytes.Length; i++)
        {
            if (bytes[i] == '\n') { line++; column = 1; }
            else if ((bytes[i] & 0xC0) != 0x80) column++;
        }
        return (line, column);
    }

    private static byte[] ReadStdin()
    {
        using var stdin = Console.OpenStandardInput();
        using var ms = new MemoryStream();
        stdin.CopyTo(ms);
        return ms.ToArray();
    }
}
