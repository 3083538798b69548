namespace Structured;

/// <summary>
/// A generation in progress: enumerate it for the text as it is written, then read <see cref="Result"/> (or await
/// <see cref="Completion"/>) for the value. It runs when enumerated, once.
/// </summary>
/// <typeparam name="T">The type of the final value.</typeparam>
public sealed class StreamingGeneration<T> : IAsyncEnumerable<string>
{
    private readonly Func<GenerationRunner.Outcome, CancellationToken, IAsyncEnumerable<string>> _run;
    private readonly Func<GenerationOutput, GenerationResult<T>> _finish;
    private readonly CancellationToken _cancellationToken;
    private readonly TaskCompletionSource<GenerationResult<T>> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;

    internal StreamingGeneration(Func<GenerationRunner.Outcome, CancellationToken, IAsyncEnumerable<string>> run,
        Func<GenerationOutput, GenerationResult<T>> finish, CancellationToken cancellationToken)
    {
        _run = run;
        _finish = finish;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Completes with the result when the enumeration ends, or with its error.</summary>
    public Task<GenerationResult<T>> Completion => _completion.Task;

    /// <summary>The result; throws <see cref="InvalidOperationException"/> before the text has been enumerated to the end.</summary>
    public GenerationResult<T> Result => _completion.Task.IsCompletedSuccessfully ? _completion.Task.Result
        : _completion.Task.IsCompleted ? _completion.Task.GetAwaiter().GetResult()
        : throw new InvalidOperationException("the result is known once the text has been enumerated to the end");

    /// <inheritdoc />
    public async IAsyncEnumerator<string> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("a streaming generation can be enumerated once");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken, cancellationToken);
        var outcome = new GenerationRunner.Outcome();
        var chunks = _run(outcome, linked.Token).GetAsyncEnumerator(linked.Token);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await chunks.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    _completion.TrySetException(e);
                    throw;
                }
                if (!more) break;
                yield return chunks.Current;
            }
            try
            {
                _completion.TrySetResult(_finish(outcome.Output!));
            }
            catch (Exception e)
            {
                _completion.TrySetException(e);
                throw;
            }
        }
        finally
        {
            await chunks.DisposeAsync().ConfigureAwait(false);
            _completion.TrySetCanceled(CancellationToken.None); // abandoned before the end; no effect once set
        }
    }
}
