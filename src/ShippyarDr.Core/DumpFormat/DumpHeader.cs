namespace ShippyarDr.DumpFormat;

/// <summary>
/// The header pg_dump writes first (pg_backup_archiver.c WriteHead): "PGDMP", version bytes, integer and offset
/// sizes, format, compression, creation time and three strings.
/// </summary>
internal sealed record DumpHeader(int Major, int Minor, int Revision, int OffsetSize, string Compression, int? CompressionLevel,
    string DatabaseName, string ServerVersion, string DumpVersion, DateTime? CreatedAt)
{
    private const byte FormatCustom = 1;
    public static readonly int OldestSupported = MakeVersion(1, 12, 0);
    public static readonly int NewestSupported = MakeVersion(1, 16, 255);
    /// <summary>From 1.14 (pg_dump 12) each TOC entry names its table access method.</summary>
    public static readonly int WithTableAm = MakeVersion(1, 14, 0);
    /// <summary>From 1.15 (pg_dump 16) the header names the algorithm in a byte instead of a zlib level.</summary>
    public static readonly int WithAlgorithm = MakeVersion(1, 15, 0);
    /// <summary>From 1.16 (pg_dump 17) each TOC entry carries the relation's relkind.</summary>
    public static readonly int WithRelkind = MakeVersion(1, 16, 0);

    /// <summary>pg_dump's MAKE_ARCHIVE_VERSION, so versions compare as integers.</summary>
    public static int MakeVersion(int major, int minor, int revision) => (major * 256 + minor) * 256 + revision;

    public int Version => MakeVersion(Major, Minor, Revision);

    public static DumpHeader Read(DumpInput input)
    {
        Span<byte> magic = stackalloc byte[5];
        if (input.ReadAtMost(magic) < magic.Length) throw DumpFormatErrors.NotCustom("it is shorter than an archive header");
        if (!magic.SequenceEqual("PGDMP"u8)) throw DumpFormatErrors.NotCustom("it does not start with PGDMP");

        int major = input.ReadByte(), minor = input.ReadByte(), revision = input.ReadByte();
        var version = MakeVersion(major, minor, revision);
        if (version < OldestSupported || version > NewestSupported) throw DumpFormatErrors.UnsupportedVersion($"{major}.{minor}.{revision}");

        var intSize = input.ReadByte();
        var offSize = input.ReadByte();
        // pg_dump writes sizeof(int) and sizeof(pgoff_t): 4 and 8 on every platform it runs on.
        if (intSize is < 1 or > 8) throw input.Corrupt($"integer size {intSize}");
        if (offSize is < 1 or > 16) throw input.Corrupt($"offset size {offSize}");
        input.IntSize = intSize;
        var format = input.ReadByte();
        if (format != FormatCustom)
            throw DumpFormatErrors.NotCustom(format == 5 ? "it is the toc.dat of a directory-format dump" : $"its format byte is {format}, not 1 (custom)");

        string compression;
        int? level = null;
        if (version >= WithAlgorithm)
        {
            compression = input.ReadByte() switch
            {
                0 => "none", 1 => "gzip", 2 => "lz4", 3 => "zstd",
                var other => throw input.Corrupt($"unknown compression algorithm {other}"),
            };
        }
        else
        {
            // Before 1.15 only zlib existed: 0 is none, -1 zlib's default level, 1-9 an explicit level.
            var stored = input.ReadInt();
            compression = stored == 0 ? "none" : "gzip";
            level = stored == -1 ? null : stored;
        }

        // struct tm in pg_dump's local time: seconds, minutes, hours, day of month, month 0-11, years since 1900, isdst.
        Span<int> tm = stackalloc int[7];
        for (var i = 0; i < tm.Length; i++) tm[i] = input.ReadInt();
        DateTime? created = null;
        try { created = new DateTime(tm[5] + 1900, tm[4] + 1, tm[3], tm[2], tm[1], Math.Min(tm[0], 59), DateTimeKind.Local); }
        catch (ArgumentOutOfRangeException) { /* a nonsensical timestamp is not worth failing a backup over */ }

        var database = input.ReadString() ?? "";
        var serverVersion = input.ReadString() ?? "";
        var dumpVersion = input.ReadString() ?? "";
        return new DumpHeader(major, minor, revision, offSize, compression, level, database, serverVersion, dumpVersion, created);
    }
}
