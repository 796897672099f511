namespace ShippyarDr.Streams;

/// <summary>
/// Writes to a consumer that may stop reading early (pg_restore --list needs only the table of contents):
/// once a write fails, later bytes are dropped instead of failing the pass that feeds other consumers too.
/// </summary>
public sealed class BestEffortWriteStream : Stream
{
    private readonly Stream _inner;

    public BestEffortWriteStream(Stream inner) => _inner = inner;

    public bool Stopped { get; private set; }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

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

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
