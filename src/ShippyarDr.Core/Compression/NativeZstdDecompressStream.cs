using ShippyarDr.Streams;

namespace ShippyarDr.Compression;

/// <summary>Read-only zstd decompression through the native library. A frame cut short is an error, not an end.</summary>
internal sealed unsafe class NativeZstdDecompressStream : ReadOnlyStreamBase
{
    private readonly Stream _input;
    private readonly bool _leaveOpen;
    private readonly byte[] _inBuffer = new byte[256 * 1024];
    private int _inPos;
    private int _inLen;
    private bool _inputEnded;
    private nuint _lastHint = 1;
    private IntPtr _ctx;

    public NativeZstdDecompressStream(Stream input, bool leaveOpen)
    {
        _input = input;
        _leaveOpen = leaveOpen;
        _ctx = NativeZstd.ZSTD_createDCtx();
        if (_ctx == IntPtr.Zero) throw new OutOfMemoryException("zstd: no decompression context");
    }

    public override int Read(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_ctx == IntPtr.Zero, this);
        if (destination.IsEmpty) return 0;
        while (true)
        {
            if (_inPos == _inLen && !_inputEnded)
            {
                _inLen = _input.Read(_inBuffer, 0, _inBuffer.Length);
                _inPos = 0;
                _inputEnded = _inLen == 0;
            }
            if (_inPos == _inLen && _inputEnded)
            {
                // A hint of 0 means the last frame ended cleanly.
                if (_lastHint != 0) throw new InvalidDataException("zstd: the compressed data ends in the middle of a frame (truncated).");
                return 0;
            }
            fixed (byte* src = _inBuffer)
            fixed (byte* dst = destination)
            {
                var input = new NativeZstd.InBuffer { Src = src + _inPos, Size = (nuint)(_inLen - _inPos) };
                var output = new NativeZstd.OutBuffer { Dst = dst, Size = (nuint)destination.Length };
                _lastHint = NativeZstd.Check(NativeZstd.ZSTD_decompressStream(_ctx, &output, &input));
                _inPos += (int)input.Pos;
                if (output.Pos > 0) return (int)output.Pos;
            }
        }
    }

    // The native context is unmanaged memory: free it even when a failed pipeline never disposes this stream.
    ~NativeZstdDecompressStream() => Dispose(false);

    protected override void Dispose(bool disposing)
    {
        if (_ctx != IntPtr.Zero)
        {
            NativeZstd.ZSTD_freeDCtx(_ctx);
            _ctx = IntPtr.Zero;
            if (disposing && !_leaveOpen) _input.Dispose();
        }
        base.Dispose(disposing);
    }

}
