namespace MineRefine.Serving;

/// <summary>
/// Holds the current <see cref="ISearchEngine"/> and swaps it atomically. Each request takes a <see cref="EngineLease"/>
/// (a reference count); a swapped-out engine is disposed when its last lease is released, so in-flight requests
/// finish on the engine they started with and nothing is dropped.
/// </summary>
public sealed class EngineHost : IDisposable
{
    private sealed class Slot(ISearchEngine engine, long generation)
    {
        public readonly ISearchEngine Engine = engine;
        public readonly long Generation = generation;
        private int _refs = 1; // the host's own reference

        public bool TryAcquire()
        {
            while (true)
            {
                var r = Volatile.Read(ref _refs);
                if (r == 0) return false; // retired and drained
                if (Interlocked.CompareExchange(ref _refs, r + 1, r) == r) return true;
            }
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _refs) == 0) Engine.Dispose();
        }
    }

    private Slot? _current;
    private long _generation;
    private int _disposed;
    private readonly TaskCompletionSource _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Serialises loads and reloads.</summary>
    internal SemaphoreSlim LoadLock { get; } = new(1, 1);

    /// <summary>True once an engine has been installed (and the host not disposed).</summary>
    public bool IsReady => Volatile.Read(ref _current) is not null;

    /// <summary>Completes when the first engine is installed; faults when the first load fails.</summary>
    public Task FirstLoad => _firstLoad.Task;

    /// <summary>Error of the last failed load, or null.</summary>
    public Exception? LastLoadError { get; private set; }

    /// <summary>Generation of the current engine (1 for the first, +1 per swap); 0 before any.</summary>
    public long Generation => Volatile.Read(ref _current)?.Generation ?? 0;

    /// <summary>A lease on the current engine, or null when none is loaded.</summary>
    public EngineLease? TryAcquire()
    {
        while (true)
        {
            var slot = Volatile.Read(ref _current);
            if (slot is null) return null;
            if (slot.TryAcquire()) return new EngineLease(slot.Engine, slot.Generation, slot.Release);
            // The slot was swapped out and drained between the read and the acquire: read the new one.
        }
    }

    /// <summary>Installs <paramref name="engine"/>; the previous engine is disposed after its in-flight leases end.</summary>
    /// <returns>The new generation.</returns>
    public long Swap(ISearchEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (Volatile.Read(ref _disposed) != 0) { engine.Dispose(); throw new ObjectDisposedException(nameof(EngineHost)); }
        var slot = new Slot(engine, Interlocked.Increment(ref _generation));
        var old = Interlocked.Exchange(ref _current, slot);
        old?.Release();
        LastLoadError = null;
        _firstLoad.TrySetResult();
        return slot.Generation;
    }

    /// <summary>Records a failed load (the current engine, if any, stays).</summary>
    public void ReportLoadFailure(Exception error)
    {
        LastLoadError = error;
        if (Volatile.Read(ref _current) is null) _firstLoad.TrySetException(error);
    }

    /// <summary>Releases the current engine (disposed once drained).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Interlocked.Exchange(ref _current, null)?.Release();
        _firstLoad.TrySetCanceled();
    }
}

/// <summary>A counted reference to one engine; dispose it when the request is done (idempotent).</summary>
public sealed class EngineLease : IDisposable
{
    private Action? _release;

    internal EngineLease(ISearchEngine engine, long generation, Action release)
    {
        Engine = engine;
        Generation = generation;
        _release = release;
    }

    /// <summary>The leased engine.</summary>
    public ISearchEngine Engine { get; }
    /// <summary>Its generation.</summary>
    public long Generation { get; }

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
