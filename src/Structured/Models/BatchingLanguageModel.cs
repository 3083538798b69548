using Structured.Tokens;

namespace Structured.Models;

/// <summary>
/// Shares one model among concurrent generations: scoring calls that arrive while a forward pass runs are joined
/// into the next pass, and each caller gets its own rows back (<see cref="INextTokenScores.Rows"/>). An idle model
/// starts a call at once, so a lone caller waits for nothing; under load, batches grow with the number of callers.
/// The server and the chat client put every request through one instance.
/// </summary>
public sealed class BatchingLanguageModel : ILanguageModel
{
    private readonly ILanguageModel _inner;
    private readonly bool _ownsInner;
    private readonly Lock _gate = new();
    private List<Pending> _pending = [];
    private bool _running;
    private long _passes, _rows;

    /// <summary>Wraps <paramref name="inner"/>; disposing this disposes it when <paramref name="ownsInner"/> is true.</summary>
    public BatchingLanguageModel(ILanguageModel inner, bool ownsInner = true)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _ownsInner = ownsInner;
    }

    /// <summary>The wrapped model.</summary>
    public ILanguageModel Inner => _inner;

    /// <inheritdoc />
    public string Name => _inner.Name;

    /// <inheritdoc />
    public TokenVocabulary Vocabulary => _inner.Vocabulary;

    /// <inheritdoc />
    public ChatTemplate ChatTemplate => _inner.ChatTemplate;

    /// <summary>Forward passes run so far.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Sequences scored so far, over all passes: <c>Rows / Passes</c> is the mean batch size.</summary>
    public long RowsScored => Interlocked.Read(ref _rows);

    /// <inheritdoc />
    public IReadOnlyList<int> EncodePrompt(string prompt) => _inner.EncodePrompt(prompt);

    /// <inheritdoc />
    public IModelSequence CreateSequence(IReadOnlyList<int> tokens) => _inner.CreateSequence(tokens);

    /// <inheritdoc />
    public Task<INextTokenScores> ScoreAsync(IReadOnlyList<IModelSequence> sequences, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(sequences, cancellationToken);
        bool start;
        lock (_gate)
        {
            _pending.Add(pending);
            start = !_running;
            _running = true;
        }
        if (start) _ = Task.Run(PumpAsync, CancellationToken.None);
        return pending.Result.Task;
    }

    // One pump at a time takes everything queued, scores it in one pass, and hands out the rows.
    private async Task PumpAsync()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _running = false;
                    return;
                }
                batch = _pending;
                _pending = [];
            }
            foreach (var p in batch) if (p.Result.Task.IsCompleted) p.Dispose(); // cancelled while waiting
            batch.RemoveAll(p => p.Result.Task.IsCompleted);
            if (batch.Count == 0) continue;
            var all = new List<IModelSequence>();
            foreach (var p in batch) all.AddRange(p.Sequences);
            try
            {
                using var scores = await _inner.ScoreAsync(all, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref _passes);
                Interlocked.Add(ref _rows, all.Count);
                int offset = 0;
                foreach (var p in batch)
                {
                    var rows = scores.Rows(offset, p.Sequences.Count);
                    offset += p.Sequences.Count;
                    if (!p.Result.TrySetResult(rows)) rows.Dispose();
                }
            }
#pragma warning disable CA1031 // the failure belongs to the callers, not to the pump
            catch (Exception e)
#pragma warning restore CA1031
            {
                foreach (var p in batch) p.Result.TrySetException(e);
            }
            finally
            {
                foreach (var p in batch) p.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsInner) _inner.Dispose();
    }

    private sealed class Pending : IDisposable
    {
        private readonly CancellationTokenRegistration _registration;

        public Pending(IReadOnlyList<IModelSequence> sequences, CancellationToken cancellationToken)
        {
            Sequences = sequences;
            _registration = cancellationToken.Register(() => Result.TrySetCanceled(cancellationToken));
        }

        public IReadOnlyList<IModelSequence> Sequences { get; }

        public TaskCompletionSource<INextTokenScores> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Dispose() => _registration.Dispose();
    }
}
