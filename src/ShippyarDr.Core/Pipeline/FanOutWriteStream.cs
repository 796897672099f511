using ShippyarDr.Streams;

namespace ShippyarDr.Pipeline;

/// <summary>
/// Writes the same bytes to several repositories' objects: one dump pass feeds a local and a cloud copy.
/// Not complete until <see cref="Complete"/>; <see cref="Abort"/> (or Dispose without Complete) abandons every copy.
/// </summary>
internal sealed class FanOutWriteStream : WriteOnlyStreamBase
{
    private readonly IReadOnlyList<Stream> _targets;
    private bool _completed;

    public FanOutWriteStream(IReadOnlyList<Stream> targets) => _targets = targets;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        // After Abort, stages above may still flush their tails while being disposed: drop them.
        if (_completed) return;
        foreach (var t in _targets) t.Write(buffer);
    }

    public override void Flush()
    {
        foreach (var t in _targets) t.Flush();
    }

    /// <summary>Finishes every copy (for S3: completes the multipart upload); the first failure is thrown after all were tried.</summary>
    public void Complete()
    {
        _completed = true;
        List<Exception>? errors = null;
        foreach (var t in _targets)
        {
            try { t.Dispose(); }
            catch (Exception e) { (errors ??= new()).Add(e); }
        }
        if (errors is { Count: 1 }) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(errors[0]);
        if (errors is not null) throw new AggregateException(errors);
    }

    public void Abort()
    {
        if (_completed) return;
        _completed = true;
        foreach (var t in _targets)
        {
            try
            {
                if (t is IAbortableStream a) a.Abort();
                t.Dispose();
            }
            catch (Exception)
            {
                // Abandoning: the caller removes the partial backup and reports the original failure.
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_completed) Abort();
        base.Dispose(disposing);
    }

}

/// <summary>A repository write stream that can be abandoned without leaving a complete object (S3: abort the multipart upload).</summary>
public interface IAbortableStream
{
    void Abort();
}
