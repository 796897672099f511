using Npgsql;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Wal;

namespace ShippyarDr.Server;

/// <summary>The archives of a repository as a DBA checks them: the scan, the exposure, and the server's own archiver figures when it is connected.</summary>
public static class WalArchiveStatusReader
{
    /// <summary>
    /// Every cluster's archive in <paramref name="repository"/>; with <paramref name="connection"/>, only that server's
    /// archive (WalArchiveNotFound when the repository holds none of it), with its pg_stat_archiver figures.
    /// </summary>
    public static IReadOnlyList<WalArchiveStatus> Read(IBackupRepository repository, PgConnectionInfo? connection, DateTimeOffset now,
        CancellationToken cancel = default)
    {
        if (connection is null) return new WalArchiveScanner(repository).Scan().Select(a => Describe(a, now, null, null)).ToList();
        using var conn = PgSession.Open(connection, "postgres", cancel);
        string systemIdentifier;
        using (var cmd = new NpgsqlCommand("SELECT system_identifier::text FROM pg_control_system()", conn))
            systemIdentifier = (string)cmd.ExecuteScalar()!;
        var archiver = ArchiverStatusReader.Read(conn, connection.DisplayName);
        var archive = new WalArchiveScanner(repository).Scan(systemIdentifier).FirstOrDefault()
            ?? throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.WalArchiveNotFound,
                $"{repository.Location} holds no WAL archive of the server at {connection.DisplayName} (system identifier {systemIdentifier}).", systemIdentifier);
        return new[] { Describe(archive, now, connection.DisplayName, archiver) };
    }

    private static WalArchiveStatus Describe(WalArchiveInfo archive, DateTimeOffset now, string? server, ArchiverStatus? archiver) => new()
    {
        Repository = archive.Repository, SystemIdentifier = archive.SystemIdentifier, PostgresMajorVersion = archive.PostgresMajorVersion,
        Timelines = archive.Timelines,
        OldestSegment = archive.Timelines.FirstOrDefault(t => t.OldestSegment is not null)?.OldestSegment,
        NewestSegment = archive.NewestSegment, NewestArchivedAt = archive.NewestArchivedAt, SegmentCount = archive.SegmentCount,
        Gaps = archive.Timelines.SelectMany(t => t.Gaps).ToList(),
        Exposure = archive.NewestArchivedAt is { } at ? (now > at ? now - at : TimeSpan.Zero) : null,
        Conflicts = archive.Conflicts, UnreferencedObjects = archive.UnreferencedObjects, Server = server, Archiver = archiver, Archive = archive,
    };
}
