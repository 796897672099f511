using System.Security.Cryptography;
using ShippyarDr.Streams;

namespace ShippyarDr.Core.Tests;

public sealed class BackgroundWriteStreamTests
{
    private sealed class FailingStream : WriteOnlyStreamBase
    {
        private readonly long _failAt;
        public long Written;
        public bool Disposed;
        public FailingStream(long failAt) => _failAt = failAt;
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Written + buffer.Length > _failAt) throw new IOException("disk full");
            Written += buffer.Length;
        }
        protected override void Dispose(bool disposing) { Disposed = true; base.Dispose(disposing); }
    }

    [Fact]
    public void Everything_written_arrives_in_order_before_Dispose_returns()
    {
        var data = RandomNumberGenerator.GetBytes(BackgroundWriteStream.ChunkSize * 5 + 12345);
        var target = new MemoryStream();
        using (var s = new BackgroundWriteStream(new NonClosingStream(target)))
            for (var off = 0; off < data.Length; off += 65_521) s.Write(data, off, Math.Min(65_521, data.Length - off));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(target.ToArray()));
    }

    [Fact]
    public void A_failure_on_the_storing_thread_is_rethrown_as_thrown_and_the_inner_stages_are_not_ended()
    {
        var inner = new FailingStream(failAt: 3L * BackgroundWriteStream.ChunkSize);
        var s = new BackgroundWriteStream(inner);
        var chunk = new byte[BackgroundWriteStream.ChunkSize];
        // The writer keeps going until the failure is seen: the queue may still take a few chunks.
        var e = Assert.Throws<IOException>(() =>
        {
            for (var i = 0; i < 100; i++) s.Write(chunk);
            s.Dispose();
        });
        Assert.Equal("disk full", e.Message);
        Assert.False(inner.Disposed);
        Assert.True(inner.Written <= 3L * BackgroundWriteStream.ChunkSize);
    }

    [Fact]
    public void Abort_drops_what_is_queued_and_stops_the_thread()
    {
        var inner = new FailingStream(long.MaxValue);
        var s = new BackgroundWriteStream(inner);
        s.Write(new byte[100]); // still in the partial chunk: never handed over
        s.Abort();
        Assert.Equal(0, inner.Written);
        Assert.Throws<ObjectDisposedException>(() => s.Write(new byte[1]));
    }
}
