namespace ShippyarDr.Streams;

/// <summary>
/// Writes to a consumer that may stop reading early (pg_restore --list needs only the table of contents):
/// once a write fails, later bytes are dropped instead of failing the pass that feeds other consumers too.
/// </summary>
public sealed class BestEffortWriteStream : WriteOnlyStreamBase
{
    private readonly Stream _inner;

    public BestEffortWriteStream(Stream inner) => _inner = inner;

    public bool Stopped { get; private set; }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Stopped) return;
        try { _inner.Write(buffer); }
        catch (IOException) { Stopped = true; }
    }

    public override void Flush()
    {
        if (Stopped) return;
        try { _inner.Flush(); }
        catch (IOException) { Stopped = true; }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try { _inner.Dispose(); }
            catch (IOException) { /* the reader is gone; nothing left to tell it */ }
        }
        base.Dispose(disposing);
    }

}
