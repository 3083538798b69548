using Structured.Tokens;

namespace Structured.Models;

/// <summary>
/// A language model that scores next tokens for many sequences at once. Implementations keep their scores where
/// they were computed (on the model's device) until a sampler asks for them through <see cref="INextTokenScores"/>.
/// </summary>
public interface ILanguageModel : IDisposable
{
    /// <summary>A short name for logs and results.</summary>
    string Name { get; }

    /// <summary>The exact bytes of every token id; its <see cref="TokenVocabulary.Size"/> is the width of a score row.</summary>
    TokenVocabulary Vocabulary { get; }

    /// <summary>How chat messages become a prompt for this model; the plain template unless the model brings its own.</summary>
    ChatTemplate ChatTemplate => ChatTemplate.Plain;

    /// <summary>Turns a prompt into token ids, with whatever beginning-of-sequence token the model expects.</summary>
    IReadOnlyList<int> EncodePrompt(string prompt);

    /// <summary>Starts a sequence with the given tokens; they are read at the next <see cref="ScoreAsync"/>.</summary>
    IModelSequence CreateSequence(IReadOnlyList<int> tokens);

    /// <summary>
    /// Reads every token appended to the sequences since their last scoring (prompts included) and returns the
    /// next-token log-probabilities of each, in order. The sequences must belong to this model.
    /// </summary>
    Task<INextTokenScores> ScoreAsync(IReadOnlyList<IModelSequence> sequences, CancellationToken cancellationToken = default);
}

/// <summary>
/// One sequence of a model: its tokens and whatever cache the model keeps for them (a KV cache for a transformer).
/// Dispose it to release the cache.
/// </summary>
public interface IModelSequence : IDisposable
{
    /// <summary>Every token of the sequence, prompt included.</summary>
    IReadOnlyList<int> Tokens { get; }

    /// <summary>Appends a token; the model reads it at the next scoring.</summary>
    void Append(int token);

    /// <summary>
    /// A new sequence with the same tokens and cache that continues independently. Cheap: the prefix cache is shared
    /// and never written in place, so neither sequence sees the other's later tokens.
    /// </summary>
    IModelSequence Fork();
}
