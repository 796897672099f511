using System.Security.Cryptography;
using ShippyarDr.Compression;

namespace ShippyarDr.Core.Tests;

public sealed class CompressionCodecTests
{
    private static byte[] Compressible(int size)
    {
        // Dump-like: repetitive text with some entropy.
        var rng = new Random(7);
        var text = string.Concat(Enumerable.Range(0, size / 40).Select(i => $"{i}\tuser{rng.Next(1000)}@example.com\t{rng.Next()}\n"));
        return System.Text.Encoding.ASCII.GetBytes(text);
    }

    private static byte[] RoundTrip(CompressionCodec codec, byte[] data, out long compressedSize)
    {
        using var compressed = new MemoryStream();
        using (var z = codec.Compress(compressed, leaveOpen: true))
            for (var off = 0; off < data.Length; off += 7919) z.Write(data, off, Math.Min(7919, data.Length - off));
        compressedSize = compressed.Length;
        compressed.Position = 0;
        using var back = new MemoryStream();
        using (var d = codec.Decompress(compressed)) d.CopyTo(back);
        return back.ToArray();
    }

    [Theory]
    [InlineData("zstd", 3)]
    [InlineData("zstd", 19)]
    [InlineData("zstd", 1, 40_000_000)] // several jobs for the zstd worker thread
    [InlineData("gzip", 6)]
    [InlineData("none", null)]
    public void Round_trips_in_odd_sized_writes(string name, int? level, int size = 3_000_000)
    {
        var data = Compressible(size);
        var codec = CompressionCodec.Parse(name, level);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(RoundTrip(codec, data, out var stored)));
        if (name != "none") Assert.True(stored < data.Length / 2, $"{name} compressed {data.Length} to {stored}");
    }

    [Fact]
    public void Uses_the_machines_libzstd_and_writes_standard_zstd_frames()
    {
        Assert.True(NativeZstd.IsAvailable, "libzstd.so.1 is installed here");
        Assert.StartsWith("libzstd 1.", CompressionCodec.Zstd().Implementation);
        // The zstd CLI reads what we write: a DBA can open a backup by hand.
        var data = Compressible(500_000);
        var path = Path.GetTempFileName();
        try
        {
            using (var f = File.Create(path))
            using (var z = CompressionCodec.Zstd().Compress(f)) z.Write(data);
            var psi = new System.Diagnostics.ProcessStartInfo("zstd", $"-d -c {path}") { RedirectStandardOutput = true };
            using var p = System.Diagnostics.Process.Start(psi)!;
            using var ms = new MemoryStream();
            p.StandardOutput.BaseStream.CopyTo(ms);
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
            Assert.Equal(data, ms.ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_truncated_zstd_stream_is_an_error_not_a_short_read()
    {
        var data = Compressible(1_000_000);
        using var compressed = new MemoryStream();
        using (var z = CompressionCodec.Zstd().Compress(compressed, leaveOpen: true)) z.Write(data);
        var cut = compressed.ToArray()[..(int)(compressed.Length * 0.7)];
        using var d = CompressionCodec.Zstd().Decompress(new MemoryStream(cut));
        Assert.Throws<InvalidDataException>(() => d.CopyTo(Stream.Null));
    }

    [Fact]
    public void Unknown_names_and_levels_are_refused()
    {
        Assert.Equal("UnknownCompression", Assert.Throws<Diagnostics.ShippyarException>(() => CompressionCodec.Parse("lzma")).ErrorId);
        Assert.Equal("InvalidCompressionLevel", Assert.Throws<Diagnostics.ShippyarException>(() => CompressionCodec.Zstd(25)).ErrorId);
    }
}
