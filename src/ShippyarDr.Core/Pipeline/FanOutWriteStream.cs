using System.Runtime.ExceptionServices;
using ShippyarDr.Streams;

namespace ShippyarDr.Pipeline;

/// <summary>
/// Writes the same bytes to several repositories' objects: one dump pass feeds a local and a cloud copy. A copy
/// that fails (a cloud outage mid-upload) is abandoned and the others go on; only when the last one fails does the
/// write fail. Not complete until <see cref="Complete"/>; <see cref="Abort"/> (or Dispose without Complete)
/// abandons every copy.
/// </summary>
internal sealed class FanOutWriteStream : WriteOnlyStreamBase
{
    private readonly IReadOnlyList<Stream> _targets;
    private readonly Exception?[] _failures;
    private bool _completed;

    public FanOutWriteStream(IReadOnlyList<Stream> targets)
    {
        _targets = targets;
        _failures = new Exception?[targets.Count];
    }

    /// <summary>Why each target failed (null where it did not), by position.</summary>
    public IReadOnlyList<Exception?> Failures => _failures;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        // After Abort, stages above may still flush their tails while being disposed: drop them.
        if (_completed) return;
        for (var i = 0; i < _targets.Count; i++)
        {
            if (_failures[i] is not null) continue;
            try { _targets[i].Write(buffer); }
            catch (Exception e) when (e is not OperationCanceledException) { Fail(i, e); }
        }
    }

    public override void Flush()
    {
        for (var i = 0; i < _targets.Count; i++)
        {
            if (_failures[i] is not null) continue;
            try { _targets[i].Flush(); }
            catch (Exception e) when (e is not OperationCanceledException) { Fail(i, e); }
        }
    }

    /// <summary>Abandons one copy; rethrows when no copy is left, so the backup fails with the last failure.</summary>
    private void Fail(int index, Exception e)
    {
        _failures[index] = e;
        Abandon(_targets[index]);
        if (_failures.All(f => f is not null)) ExceptionDispatchInfo.Throw(e);
    }

    /// <summary>Finishes every remaining copy (for S3: completes the multipart upload); throws only when none succeeded.</summary>
    public void Complete()
    {
        _completed = true;
        for (var i = 0; i < _targets.Count; i++)
        {
            if (_failures[i] is not null) continue;
            try { _targets[i].Dispose(); }
            catch (Exception e) { _failures[i] = e; }
        }
        var last = _failures.LastOrDefault(f => f is not null);
        if (_failures.All(f => f is not null) && last is not null) ExceptionDispatchInfo.Throw(last);
    }

    public void Abort()
    {
        if (_completed) return;
        _completed = true;
        for (var i = 0; i < _targets.Count; i++)
            if (_failures[i] is null) Abandon(_targets[i]);
    }

    private static void Abandon(Stream target)
    {
        try
        {
            if (target is IAbortableStream a) a.Abort();
            target.Dispose();
        }
        catch (Exception)
        {
            // Abandoning: the caller removes the partial backup and reports the original failure.
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
