using System.Buffers;
using System.Net.Sockets;

namespace ShippyarDr.Repository.S3;

/// <summary>
/// One TCP connection to the store, failing with <see cref="S3TimeoutException"/> once reads or writes are waiting
/// and nothing has moved in either direction for the timeout. HttpClient's own timeout cannot do this: it stops at
/// the response headers (a body that stalls mid-download would hang), and it counts a slow upload that keeps moving
/// as a failure. Progress in both directions counts, because the HTTP handler posts its read of the answer on a
/// reused connection before it sends the request body; and the send queue draining counts as upload progress,
/// because the last writes of a body return long before a slow link has carried them.
/// </summary>
internal sealed class S3ConnectionStream : Stream
{
    private readonly Socket _socket;
    private readonly NetworkStream _inner;
    private readonly string _endpoint;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _stalled = new();
    private readonly Timer _watchdog;
    private long _lastActivity = Environment.TickCount64;
    private int _pending;
    private int _lastUnacknowledged = -1;

    public S3ConnectionStream(Socket socket, string endpoint, TimeSpan timeout)
    {
        _socket = socket;
        _inner = new NetworkStream(socket, ownsSocket: true);
        _endpoint = endpoint;
        _timeout = timeout;
        // Checked a few times per timeout, so a stall is noticed within about 5% of it (at most a second late).
        var period = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 20, 10, 1000));
        _watchdog = new Timer(_ => Check(), null, period, period);
    }

    private void Check()
    {
        if (Volatile.Read(ref _pending) == 0) return;
        var unacknowledged = TcpSendQueue.Unacknowledged(_socket);
        if (unacknowledged >= 0 && unacknowledged < _lastUnacknowledged) Touch();
        _lastUnacknowledged = unacknowledged;
        if (Environment.TickCount64 - Interlocked.Read(ref _lastActivity) >= _timeout.TotalMilliseconds) _stalled.Cancel();
    }

    private void Touch() => Interlocked.Exchange(ref _lastActivity, Environment.TickCount64);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancel = default)
    {
        var linked = Begin(cancel);
        try
        {
            var n = await _inner.ReadAsync(buffer, linked?.Token ?? _stalled.Token).ConfigureAwait(false);
            Touch();
            return n;
        }
        catch (OperationCanceledException) when (_stalled.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
            throw S3TimeoutException.Stalled(_endpoint, _timeout);
        }
        finally
        {
            End(linked);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancel = default)
    {
        var linked = Begin(cancel);
        try
        {
            await _inner.WriteAsync(buffer, linked?.Token ?? _stalled.Token).ConfigureAwait(false);
            Touch();
        }
        catch (OperationCanceledException) when (_stalled.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
            throw S3TimeoutException.Stalled(_endpoint, _timeout);
        }
        finally
        {
            End(linked);
        }
    }

    /// <summary>Starts waiting: the clock runs from now (a new request after a pause) until progress or the timeout.</summary>
    private CancellationTokenSource? Begin(CancellationToken cancel)
    {
        if (_stalled.IsCancellationRequested) throw S3TimeoutException.Stalled(_endpoint, _timeout);
        Touch();
        Interlocked.Increment(ref _pending);
        return cancel.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancel, _stalled.Token) : null;
    }

    private void End(CancellationTokenSource? linked)
    {
        Interlocked.Decrement(ref _pending);
        linked?.Dispose();
    }

    // The synchronous calls (S3ReadStream reads bodies synchronously) wait on the same watched asynchronous ones.
    public override int Read(byte[] buffer, int offset, int count)
        => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override int Read(Span<byte> buffer)
    {
        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var n = Read(rented, 0, buffer.Length);
            rented.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override void Write(byte[] buffer, int offset, int count)
        => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            buffer.CopyTo(rented);
            Write(rented, 0, buffer.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancel)
        => ReadAsync(buffer.AsMemory(offset, count), cancel).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancel)
        => WriteAsync(buffer.AsMemory(offset, count), cancel).AsTask();

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancel) => Task.CompletedTask;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // _stalled is not disposed: the watchdog may be cancelling it right now, and it holds no timer or handle.
            _watchdog.Dispose();
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
