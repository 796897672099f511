using System.Globalization;
using Npgsql;
using ShippyarDr.Cluster;
using ShippyarDr.Configuration;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Wal;

namespace ShippyarDr.Server;

/// <summary>
/// What a server on a timeline after the first needs from its archive and may not have: a recovered (promoted) server
/// that ran with archive_mode off never archived its timeline's history file, nor the segments it finished meanwhile
/// (PostgreSQL makes no .ready files with archiving off, so it never archives them later either). A recovery along
/// that timeline needs the history files of it and of every ancestor after the first, and its segments from the switch.
/// </summary>
public static class TimelineArchive
{
    /// <summary>
    /// Reads the server's timeline, its history (pg_wal/TTTTTTTT.history, read through the server) and, on a timeline
    /// after the first, what the archive of its system identifier in the repository holds (opened only then); nothing is changed.
    /// </summary>
    public static TimelineArchiveCheck Inspect(PgConnectionInfo connection, Func<IBackupRepository> openRepository, IOperationReporter reporter,
        CancellationToken cancel = default)
    {
        using var conn = PgSession.Open(connection, "postgres", cancel);
        if (Scalar<bool>(conn, "SELECT pg_is_in_recovery()")) return new TimelineArchiveCheck { InRecovery = true };
        string walFile, insertLsn, systemIdentifier;
        int segmentSize, major;
        using (var cmd = new NpgsqlCommand("""
            SELECT pg_walfile_name(pg_current_wal_lsn()), pg_current_wal_insert_lsn()::text, (SELECT system_identifier::text FROM pg_control_system()),
                   (SELECT setting::int FROM pg_settings WHERE name = 'wal_segment_size'), current_setting('server_version_num')::int / 10000
            """, conn))
        {
            try
            {
                using var r = cmd.ExecuteReader();
                r.Read();
                (walFile, insertLsn, systemIdentifier, segmentSize, major) = (r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetInt32(4));
            }
            catch (PostgresException e)
            {
                // A role granted ALTER SYSTEM but not pg_control_system: archiving can still be set up, unchecked.
                reporter.Warning($"The timeline of {connection.DisplayName} could not be read ({e.MessageText}): whether the WAL archive holds its history file was not checked.");
                return new TimelineArchiveCheck();
            }
        }
        // The timeline from the file name; the segment from the position: at a segment's first byte (just after a
        // switch) pg_walfile_name names the previous one, yet the next record goes into this one.
        var currentSegment = WalFileName.ForLsn(WalFileName.Parse(walFile).Timeline, WalFileName.ParseLsn(insertLsn), segmentSize);
        var current = currentSegment.Name;
        var check = new TimelineArchiveCheck
        {
            Cluster = new ClusterIdentity(systemIdentifier, major, segmentSize), Timeline = currentSegment.Timeline, CurrentSegment = current,
        };
        if (check.Timeline == 1) return check;

        var historyName = $"{check.Timeline:X8}.history";
        var history = ReadServerFile(conn, $"pg_wal/{historyName}");
        var switches = history is null ? Array.Empty<WalTimelineSwitch>() : WalTimelineSwitch.Parse(history);
        if (history is null)
            reporter.Verbose($"{historyName} could not be read through {connection.DisplayName} (pg_read_binary_file needs a superuser or pg_read_server_files): only this timeline's history file is checked.");
        WalArchiveInfo? archive;
        try
        {
            var repository = openRepository();
            try { archive = new WalArchiveScanner(repository).Scan(systemIdentifier).FirstOrDefault(); }
            finally { (repository as IDisposable)?.Dispose(); }
        }
        catch (ShippyarException e)
        {
            // The archive_command runs on the server's host; this one may not reach the repository the same way.
            reporter.Warning($"The WAL archive could not be read from here ({e.Message}): whether it holds {historyName} and timeline {check.Timeline}'s segments was not checked.");
            check.Unchecked = true;
            return check;
        }
        var needed = switches.Select(s => s.ParentTimeline).Where(t => t > 1).Append(check.Timeline).Distinct().Order();
        check.MissingHistoryFiles = needed
            .Where(t => archive?.Timelines.FirstOrDefault(x => x.Timeline == t) is not { HasHistoryFile: true })
            .Select(t => $"{t:X8}.history").ToList();

        if (switches.Count > 0)
        {
            var from = switches[^1].SwitchLsn / (ulong)segmentSize;
            check.SwitchSegment = WalFileName.ForSegment(check.Timeline, from, segmentSize).Name;
            check.UnarchivedFrom = FirstUnarchived(conn, archive, check.Timeline, from, currentSegment.SegmentNumber(segmentSize), segmentSize);
        }
        return check;
    }

    /// <summary>
    /// The first segment of <paramref name="timeline"/> from <paramref name="from"/> to before <paramref name="current"/>
    /// (the one being written, which is archived when finished) that the archive lacks and PostgreSQL will not archive
    /// (no .ready file); null when there is none.
    /// </summary>
    private static string? FirstUnarchived(NpgsqlConnection conn, WalArchiveInfo? archive, uint timeline, ulong from, ulong current, int size)
    {
        if (current <= from) return null;
        var first = WalFileName.ForSegment(timeline, from, size).Name;
        var last = WalFileName.ForSegment(timeline, current - 1, size).Name;
        IReadOnlyList<WalGap> gaps = archive is null
            ? new[] { new WalGap(timeline, first, last, current - from) }
            : archive.MissingBetween(timeline, first, last);
        if (gaps.Count == 0) return null;
        var ready = ReadyFiles(conn);
        foreach (var gap in gaps)
        {
            var start = WalFileName.Parse(gap.FirstMissing).SegmentNumber(size);
            for (var n = start; n < start + gap.MissingCount; n++)
            {
                var name = WalFileName.ForSegment(timeline, n, size).Name;
                if (!ready.Contains(name)) return name;
            }
        }
        return null;
    }

    /// <summary>The segments PostgreSQL is still to archive (archive_status/*.ready); empty when the server does not say.</summary>
    private static HashSet<string> ReadyFiles(NpgsqlConnection conn)
    {
        var ready = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var cmd = new NpgsqlCommand("SELECT name FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'", conn);
            using var r = cmd.ExecuteReader();
            while (r.Read()) ready.Add(r.GetString(0)[..^".ready".Length]);
        }
        catch (PostgresException) { }
        return ready;
    }

    /// <summary>A file of the data directory read through the server (a superuser, or pg_read_server_files); null when it may not or there is none.</summary>
    private static byte[]? ReadServerFile(NpgsqlConnection conn, string relativePath)
    {
        try
        {
            using var cmd = new NpgsqlCommand("SELECT pg_read_binary_file($1, 0, 1048576, true)", conn) { Parameters = { new() { Value = relativePath } } };
            return cmd.ExecuteScalar() as byte[];
        }
        catch (PostgresException) { return null; }
    }

    /// <summary>
    /// Archives a history file of the data directory as archive_command would: the bundled shippyar-dr wal-push, run as
    /// the server's OS account, so it reads the registration as the archiver does and every folder it creates in the
    /// repository stays writable by the archiver (one created by root would stop it archiving that timeline).
    /// </summary>
    public static void PushHistory(string cliPath, RegisteredRepository repository, string dataDirectory, string account, string historyName,
        CancellationToken cancel = default)
    {
        cancel.ThrowIfCancellationRequested();
        var source = Path.Combine(dataDirectory, "pg_wal", historyName);
        var arguments = new List<string>();
        var program = cliPath;
        if (repository.Scope != ConfigurationScope.Machine)
        {
            // runuser keeps most of the environment, but the server's account must read the file the archiver will read.
            program = "env";
            arguments.AddRange([$"{ConfigurationPaths.Variable}={repository.ConfigurationFile}", cliPath]);
        }
        arguments.AddRange(["wal-push", source, "--repository", repository.Name, "--pg-data", dataDirectory]);
        try
        {
            ServerAccount.Named(account).RunAs(program, [.. arguments]);
        }
        catch (InvalidOperationException e)
        {
            throw new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.HistoryPushFailed,
                $"{historyName} could not be archived into repository {repository.Name} as {account}: {e.Message}", historyName, e);
        }
    }

    private static T Scalar<T>(NpgsqlConnection conn, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, conn);
        return (T)Convert.ChangeType(cmd.ExecuteScalar()!, typeof(T), CultureInfo.InvariantCulture);
    }
}

/// <summary>What <see cref="TimelineArchive.Inspect"/> found.</summary>
public sealed class TimelineArchiveCheck
{
    /// <summary>A standby (in recovery) archives nothing with archive_mode on: nothing was checked (Timeline 0, as when the server did not say).</summary>
    public bool InRecovery { get; init; }
    public ClusterIdentity? Cluster { get; init; }
    public uint Timeline { get; init; }
    /// <summary>The archive could not be read: nothing is known about what it lacks.</summary>
    public bool Unchecked { get; set; }
    /// <summary>The segment being written when checked.</summary>
    public string? CurrentSegment { get; init; }
    /// <summary>History files of this timeline and its ancestors (after the first) the archive lacks, oldest first.</summary>
    public IReadOnlyList<string> MissingHistoryFiles { get; set; } = Array.Empty<string>();
    /// <summary>The segment of this timeline it branched in (where its WAL starts).</summary>
    public string? SwitchSegment { get; set; }
    /// <summary>The first segment of this timeline before the current one that is neither archived nor still to be archived.</summary>
    public string? UnarchivedFrom { get; set; }
}
