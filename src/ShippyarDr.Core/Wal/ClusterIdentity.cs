using System.Buffers.Binary;
using System.Globalization;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Wal;

/// <summary>
/// Which cluster a data directory holds, read from its files without a connection (archive_command and
/// restore_command run in the data directory, with none): the system identifier from global/pg_control, the major
/// version from PG_VERSION, and wal_segment_size from pg_control where its layout is known.
/// </summary>
public sealed record ClusterIdentity(string SystemIdentifier, int MajorVersion, int? WalSegmentSize)
{
    // pg_control: system_identifier (uint64) at 0 and pg_control_version (uint32) at 8 in every version; xlog_seg_size
    // at 228 in pg_control_version 1300 (PostgreSQL 13 to 16; checked against pg_controldata in the tests).
    private const int SystemIdentifierOffset = 0;
    private const int ControlVersionOffset = 8;
    private static readonly Dictionary<uint, int> SegmentSizeOffsets = new() { [1300] = 228 };

    public static ClusterIdentity FromDataDirectory(string dataDirectory)
    {
        var control = Path.Combine(dataDirectory, "global", "pg_control");
        var versionFile = Path.Combine(dataDirectory, "PG_VERSION");
        byte[] bytes;
        string version;
        try
        {
            bytes = File.ReadAllBytes(control);
            version = File.ReadAllText(versionFile).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.NotADataDirectory,
                $"{Path.GetFullPath(dataDirectory)} is not a PostgreSQL data directory (no global/pg_control or PG_VERSION): WAL is archived and fetched from the cluster's data directory, the working directory of archive_command and restore_command.", dataDirectory, e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new ShippyarException(ShippyarErrorKind.PermissionDenied, ErrorIds.PgControlUnreadable,
                $"Cannot read {control} or {versionFile}: {e.Message} (run as the OS user that runs the server).", control, e);
        }
        if (bytes.Length < 256 || !int.TryParse(version.Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major))
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.PgControlUnreadable, $"{control} or {versionFile} is not what PostgreSQL writes.", control);
        var systemIdentifier = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(SystemIdentifierOffset)).ToString(CultureInfo.InvariantCulture);
        var controlVersion = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(ControlVersionOffset));
        int? segmentSize = SegmentSizeOffsets.TryGetValue(controlVersion, out var offset)
            ? (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset))
            : null;
        return new ClusterIdentity(systemIdentifier, major, segmentSize);
    }

    public override string ToString() => $"cluster {SystemIdentifier} (PostgreSQL {MajorVersion})";
}
