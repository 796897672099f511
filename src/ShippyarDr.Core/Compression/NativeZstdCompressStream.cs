using ShippyarDr.Streams;

namespace ShippyarDr.Compression;

/// <summary>Write-only zstd compression through the native library; Dispose writes the frame's end.</summary>
internal sealed unsafe class NativeZstdCompressStream : WriteOnlyStreamBase
{
    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private IntPtr _ctx;

    public NativeZstdCompressStream(Stream output, int level, bool leaveOpen)
    {
        _output = output;
        _leaveOpen = leaveOpen;
        _ctx = NativeZstd.ZSTD_createCCtx();
        if (_ctx == IntPtr.Zero) throw new OutOfMemoryException("zstd: no compression context");
        NativeZstd.Check(NativeZstd.ZSTD_CCtx_setParameter(_ctx, NativeZstd.CompressionLevelParameter, level));
        // One worker thread compresses while the caller encrypts and stores what came out before (measured: the
        // Daily pipeline's slowest stage). A libzstd built without threads refuses the setting: then it stays inline.
        if (Environment.ProcessorCount > 1) NativeZstd.ZSTD_CCtx_setParameter(_ctx, NativeZstd.WorkersParameter, 1);
    }

    public override void Write(ReadOnlySpan<byte> data) => Compress(data, NativeZstd.ContinueOp);

    private void Compress(ReadOnlySpan<byte> data, int op)
    {
        ObjectDisposedException.ThrowIf(_ctx == IntPtr.Zero, this);
        fixed (byte* src = data)
        fixed (byte* dst = _buffer)
        {
            var input = new NativeZstd.InBuffer { Src = src, Size = (nuint)data.Length };
            while (true)
            {
                var output = new NativeZstd.OutBuffer { Dst = dst, Size = (nuint)_buffer.Length };
                var remaining = NativeZstd.Check(NativeZstd.ZSTD_compressStream2(_ctx, &output, &input, op));
                if (output.Pos > 0) _output.Write(_buffer, 0, (int)output.Pos);
                var done = op == NativeZstd.EndOp ? remaining == 0 : input.Pos == input.Size && output.Pos < output.Size;
                if (done) break;
            }
        }
    }

    // The native context is unmanaged memory: free it even when a failed pipeline never disposes this stream.
    ~NativeZstdCompressStream() => Dispose(false);

    protected override void Dispose(bool disposing)
    {
        if (_ctx != IntPtr.Zero)
        {
            try
            {
                if (disposing) Compress(ReadOnlySpan<byte>.Empty, NativeZstd.EndOp);
            }
            finally
            {
                NativeZstd.ZSTD_freeCCtx(_ctx);
                _ctx = IntPtr.Zero;
                if (disposing && !_leaveOpen) _output.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    public override void Flush() => _output.Flush();
}
