namespace Structured;

/// <summary>A generation that could not produce a value. Constraint errors are <see cref="GrammarException"/>s instead.</summary>
public class GenerationException : Exception
{
    /// <summary>Creates the error.</summary>
    public GenerationException(string message, string? text = null) : base(message) => Text = text;

    /// <summary>Creates the error with an inner cause.</summary>
    public GenerationException(string message, string? text, Exception inner) : base(message, inner) => Text = text;

    /// <summary>Creates the error with a default message.</summary>
    public GenerationException() : this("generation failed") { }

    /// <summary>Creates the error.</summary>
    public GenerationException(string message) : this(message, (string?)null) { }

    /// <summary>Creates the error with an inner cause.</summary>
    public GenerationException(string message, Exception inner) : this(message, null, inner) { }

    /// <summary>The text generated before the failure, if any.</summary>
    public string? Text { get; }
}

/// <summary>
/// The token limit was reached before the text was complete, so there is no value to return. Raise
/// <see cref="GenerationOptions.MaxTokens"/>, or use a streaming or text API to see the prefix.
/// </summary>
public sealed class IncompleteGenerationException : GenerationException
{
    /// <summary>Creates the error.</summary>
    public IncompleteGenerationException(string text, int tokens)
        : base($"the token limit ({tokens} tokens) was reached before the output was complete; raise MaxTokens", text) => Tokens = tokens;

    /// <summary>Creates the error with a default message.</summary>
    public IncompleteGenerationException() : base("the token limit was reached before the output was complete") { }

    /// <summary>Creates the error.</summary>
    public IncompleteGenerationException(string message) : base(message) { }

    /// <summary>Creates the error with an inner cause.</summary>
    public IncompleteGenerationException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Tokens generated.</summary>
    public int Tokens { get; }
}
