using System.Text;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Physical.Tar;

/// <summary>
/// One 512-byte ustar header as PostgreSQL's base backups write them (src/port/tar.c): name (with the ustar prefix),
/// mode, size (octal, or base-256 for files of 8 GiB and more), type and link target. Its checksum is checked, so a
/// damaged header is an error rather than a wrong file.
/// </summary>
public sealed class TarHeader
{
    public const int BlockSize = 512;
    public const char RegularFile = '0';
    public const char OldRegularFile = '\0';
    public const char SymbolicLink = '2';
    public const char Directory = '5';

    private TarHeader(byte[] raw, string name, long size, int mode, char type, string linkName)
    {
        Raw = raw;
        Name = name;
        Size = size;
        Mode = mode;
        Type = type;
        LinkName = linkName;
    }

    /// <summary>The header's bytes as read (a copy passes them on unchanged).</summary>
    public byte[] Raw { get; }
    /// <summary>The member's path inside the archive, without a trailing slash.</summary>
    public string Name { get; }
    public long Size { get; }
    public int Mode { get; }
    public char Type { get; }
    public string LinkName { get; }

    public bool IsFile => Type is RegularFile or OldRegularFile;
    public bool IsDirectory => Type == Directory;
    public bool IsSymbolicLink => Type == SymbolicLink;

    /// <summary>Bytes of padding after the member's data, up to the next block.</summary>
    public int Padding => (int)((BlockSize - Size % BlockSize) % BlockSize);

    public static bool IsZeroBlock(ReadOnlySpan<byte> block) => !block.ContainsAnyExcept((byte)0);

    /// <summary>Parses a header block; <paramref name="where"/> names the archive in errors.</summary>
    public static TarHeader Parse(byte[] block, string where)
    {
        if (block.Length != BlockSize) throw new ArgumentException("A tar header is one 512-byte block.", nameof(block));
        var stored = Octal(block.AsSpan(148, 8), where, "checksum");
        long sum = 0;
        for (var i = 0; i < BlockSize; i++) sum += i is >= 148 and < 156 ? (byte)' ' : block[i];
        if (sum != stored) throw Corrupt(where, $"a header's checksum is {stored}, its bytes add up to {sum}");
        var name = Text(block.AsSpan(0, 100));
        var ustar = block.AsSpan(257, 5).SequenceEqual("ustar"u8);
        var prefix = ustar ? Text(block.AsSpan(345, 155)) : "";
        if (prefix.Length > 0) name = prefix + "/" + name;
        var type = (char)block[156];
        var size = Number(block.AsSpan(124, 12), where, "size");
        if (size < 0) throw Corrupt(where, $"{name} has a negative size");
        return new TarHeader(block, name.TrimEnd('/'), type is Directory or SymbolicLink ? 0 : size, (int)Octal(block.AsSpan(100, 8), where, "mode"), type,
            Text(block.AsSpan(157, 100)));
    }

    private static string Text(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    /// <summary>An octal field, or GNU base-256 when its first byte has the high bit set.</summary>
    private static long Number(ReadOnlySpan<byte> field, string where, string what)
    {
        if ((field[0] & 0x80) == 0) return Octal(field, where, what);
        long value = field[0] & 0x7f;
        foreach (var b in field[1..])
        {
            if (value > (long.MaxValue >> 8)) throw Corrupt(where, $"a header's {what} is too large");
            value = (value << 8) | b;
        }
        return value;
    }

    private static long Octal(ReadOnlySpan<byte> field, string where, string what)
    {
        long value = 0;
        var digits = 0;
        foreach (var b in field)
        {
            if (b is (byte)' ' or 0) { if (digits > 0) break; continue; }
            if (b is < (byte)'0' or > (byte)'7') throw Corrupt(where, $"a header's {what} is not an octal number");
            value = value * 8 + (b - '0');
            digits++;
        }
        return value;
    }

    internal static ShippyarException Corrupt(string where, string why) => new(ShippyarErrorKind.InvalidData, ErrorIds.TarCorrupt,
        $"{where} is not a readable tar archive: {why}.", where);
}
