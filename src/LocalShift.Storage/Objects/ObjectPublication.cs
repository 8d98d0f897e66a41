namespace LocalShift.Storage.Objects;

/// <summary>
/// An open publication (<see cref="IObjectStore.BeginPublication"/>): <see cref="Complete"/> once every object is in;
/// disposed without it, what was put so far is removed.
/// </summary>
public sealed class ObjectPublication(IObjectStore store, string id) : IDisposable
{
    private bool _closed;

    public void Complete()
    {
        if (_closed) return;
        store.EndPublication(id);
        _closed = true;
    }

    public void Dispose()
    {
        if (_closed) return;
        _closed = true;
        store.AbandonPublication(id);
    }
}
