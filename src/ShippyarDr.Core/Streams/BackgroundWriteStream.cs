using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace ShippyarDr.Streams;

/// <summary>
/// Hands writes to a dedicated thread through a bounded queue, so the thread reading pg_dump's pipe never waits for
/// compression, encryption or uploads: pg_dump and the server keep producing while earlier bytes are stored. Memory
/// is bounded by <see cref="ChunkSize"/> × (<see cref="QueueLength"/> + 2). A failure on the writing thread is
/// rethrown, as thrown, by the next Write or by Dispose.
/// </summary>
public sealed class BackgroundWriteStream : WriteOnlyStreamBase
{
    public const int ChunkSize = 1024 * 1024;
    public const int QueueLength = 8;

    private readonly Stream _inner;
    private readonly BlockingCollection<(byte[] Buffer, int Length)> _queue = new(QueueLength);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private byte[]? _current;
    private int _filled;
    private ExceptionDispatchInfo? _failure;
    private bool _finished;

    public BackgroundWriteStream(Stream inner)
    {
        _inner = inner;
        _thread = new Thread(Drain) { IsBackground = true, Name = "ShippyarDr storage stage" };
        _thread.Start();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (!buffer.IsEmpty)
        {
            _current ??= ArrayPool<byte>.Shared.Rent(ChunkSize);
            var n = Math.Min(buffer.Length, ChunkSize - _filled);
            buffer[..n].CopyTo(_current.AsSpan(_filled));
            _filled += n;
            buffer = buffer[n..];
            if (_filled == ChunkSize) Hand();
        }
    }

    private void Hand()
    {
        _failure?.Throw();
        if (_current is null || _filled == 0) return;
        try
        {
            _queue.Add((_current, _filled), _stop.Token);
        }
        catch (OperationCanceledException)
        {
            // The writing thread failed (and stopped taking): its error is the one to report.
            _failure?.Throw();
            throw;
        }
        (_current, _filled) = (null, 0);
    }

    private void Drain()
    {
        try
        {
            foreach (var (buffer, length) in _queue.GetConsumingEnumerable(_stop.Token))
            {
                _inner.Write(buffer, 0, length);
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Abandoned: the caller is already failing.
        }
        catch (Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
            _stop.Cancel();
        }
    }

    /// <summary>Waits until everything written has reached the inner stream; rethrows the writing thread's failure.</summary>
    private void Finish()
    {
        if (_finished) return;
        try
        {
            Hand();
            _queue.CompleteAdding();
            _thread.Join();
            _failure?.Throw();
        }
        finally
        {
            _finished = true;
        }
    }

    /// <summary>Stops the writing thread without writing what is still queued (the pipeline is failing).</summary>
    public void Abort()
    {
        if (_finished) return;
        _finished = true;
        _stop.Cancel();
        _queue.CompleteAdding();
        _thread.Join();
    }

    public override void Flush() { }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                Finish();
                // Ends the inner stages (compression frame, encryption) on this thread, after the writer stopped. Not
                // after a failure: their tails would go to targets the caller is about to abandon.
                _inner.Dispose();
            }
            finally
            {
                _queue.Dispose();
                _stop.Dispose();
            }
        }
        base.Dispose(disposing);
    }
}
