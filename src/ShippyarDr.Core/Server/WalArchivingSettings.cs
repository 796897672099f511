using System.Diagnostics;
using System.Globalization;
using Npgsql;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Server;

/// <summary>
/// Turns WAL archiving on or off with ALTER SYSTEM (postgresql.auto.conf), as a DBA would: archive_mode (which needs a
/// restart), archive_command and archive_timeout, then a reload. Once archiving runs, enabling proves it end to end: it
/// writes a WAL record, switches segments and waits until pg_stat_archiver reports that segment archived (or failed).
/// </summary>
public static class WalArchivingSettings
{
    public static readonly TimeSpan DefaultArchiveTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultProofWait = TimeSpan.FromSeconds(60);

    public static WalArchivingState Enable(PgConnectionInfo connection, string archiveCommand, TimeSpan archiveTimeout, TimeSpan proofWait,
        IOperationReporter reporter, CancellationToken cancel = default)
    {
        if (archiveTimeout < TimeSpan.Zero)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidArgumentValue, $"An archive timeout cannot be negative ({archiveTimeout}).");
        using var conn = PgSession.Open(connection, "postgres", cancel);
        var settings = new List<(string Name, string Value)>
        {
            ("archive_mode", "on"), ("archive_command", archiveCommand),
            ("archive_timeout", ((long)archiveTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"),
        };
        // archive_mode with wal_level minimal keeps the server from starting at all: raise it with the rest.
        if (Setting(conn, "wal_level") == "minimal") settings.Insert(0, ("wal_level", "replica"));
        Apply(conn, connection, settings);
        var state = State(conn, connection, "on", archiveCommand);
        if (state.RestartRequired)
        {
            state.Detail = "Set; archive_mode (and any wal_level change) takes effect when the server restarts. Enable again after the restart to prove archiving end to end.";
            return state;
        }
        Prove(conn, connection, state, proofWait, reporter, cancel);
        return state;
    }

    public static WalArchivingState Disable(PgConnectionInfo connection, CancellationToken cancel = default)
    {
        using var conn = PgSession.Open(connection, "postgres", cancel);
        Execute(conn, connection, "ALTER SYSTEM RESET archive_command");
        Apply(conn, connection, new List<(string, string)> { ("archive_mode", "off") });
        var state = State(conn, connection, "off", "");
        state.Detail = state.RestartRequired ? "archive_mode is off from the next restart; until then the server still archives." : "Archiving is off.";
        return state;
    }

    private static void Apply(NpgsqlConnection conn, PgConnectionInfo connection, List<(string Name, string Value)> settings)
    {
        // ALTER SYSTEM takes no parameters: values go in as quoted literals.
        foreach (var (name, value) in settings) Execute(conn, connection, $"ALTER SYSTEM SET {name} = '{value.Replace("'", "''")}'");
        var loadedBefore = ConfigurationLoadTime(conn);
        Execute(conn, connection, "SELECT pg_reload_conf()");
        WaitForReload(conn, loadedBefore);
    }

    private static DateTime ConfigurationLoadTime(NpgsqlConnection conn)
    {
        using var cmd = new NpgsqlCommand("SELECT pg_conf_load_time()", conn);
        return (DateTime)cmd.ExecuteScalar()!;
    }

    /// <summary>
    /// pg_reload_conf only signals: this session (and the archiver) re-read the files a moment later. Waits until this
    /// session has re-read them (pg_conf_load_time moves), so what follows reads and tests the new settings, not the old
    /// ones. (Not by archive_command itself: with archive_mode off, PostgreSQL 15+ shows it as "(disabled)".)
    /// </summary>
    private static void WaitForReload(NpgsqlConnection conn, DateTime loadedBefore)
    {
        var clock = Stopwatch.StartNew();
        while (ConfigurationLoadTime(conn) <= loadedBefore && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(50);
    }

    /// <summary>
    /// archive_mode and wal_level change only at a restart, so the running values tell whether one is still needed;
    /// pending_restart would depend on when this session noticed the reload.
    /// </summary>
    private static WalArchivingState State(NpgsqlConnection conn, PgConnectionInfo connection, string archiveMode, string archiveCommand)
    {
        using var cmd = new NpgsqlCommand("""
            SELECT current_setting('archive_mode'), current_setting('archive_command'), current_setting('archive_timeout'),
                   current_setting('wal_level') = 'minimal'
            """, conn);
        using var r = cmd.ExecuteReader();
        r.Read();
        var timeout = r.GetString(2);
        return new WalArchivingState
        {
            // What was set: while archive_mode is still off, PostgreSQL 15+ shows archive_command as "(disabled)".
            Server = connection.DisplayName, ArchiveMode = archiveMode, ArchiveCommand = r.GetString(0) == "off" ? archiveCommand : r.GetString(1),
            ArchiveTimeout = ParseSeconds(timeout),
            RestartRequired = archiveMode == "off" ? r.GetString(0) != "off" : r.GetString(0) == "off" || r.GetBoolean(3),
        };
    }

    /// <summary>Switches to a new segment and waits for the archiver to report it, archived or failed.</summary>
    private static void Prove(NpgsqlConnection conn, PgConnectionInfo connection, WalArchivingState state, TimeSpan wait, IOperationReporter reporter,
        CancellationToken cancel)
    {
        // A segment with nothing in it is not switched: write a record first (a logical message, ignored by replay).
        Execute(conn, connection, "SELECT pg_logical_emit_message(false, 'shippyar', 'archive test')");
        using (var switchCmd = new NpgsqlCommand("SELECT pg_walfile_name(pg_switch_wal())", conn))
            state.TestSegment = (string)switchCmd.ExecuteScalar()!;
        reporter.Verbose($"Switched WAL to prove archiving: waiting for {state.TestSegment} to be archived.");
        var clock = Stopwatch.StartNew();
        var switchedAt = ServerNow(conn);
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            reporter.Progress("Proving WAL archiving", $"Waiting for {state.TestSegment} to be archived ({clock.Elapsed.TotalSeconds:F0} of {wait.TotalSeconds:F0} s)",
                (int)Math.Min(99, clock.Elapsed.TotalSeconds * 100 / Math.Max(1, wait.TotalSeconds)));
            var archiver = ArchiverStatusReader.Read(conn, connection.DisplayName);
            if (archiver.LastArchivedWal is { } done && string.CompareOrdinal(done, state.TestSegment) >= 0)
            {
                state.TestSegmentArchived = true;
                state.Detail = $"Archiving works: {state.TestSegment} was archived in {clock.Elapsed.TotalSeconds:F1} s.";
                return;
            }
            // Segments are archived in order: a failure since the switch on this segment or an older one blocks it.
            if (archiver is { Failing: true, LastFailedWal: { } failedWal, LastFailedTime: { } failedAt }
                && failedAt >= switchedAt && string.CompareOrdinal(failedWal, state.TestSegment) <= 0)
                throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.TestSegmentNotArchived,
                    $"archive_command failed for {failedWal} on {connection.DisplayName} (failed {archiver.FailedCount} times so far): the server's log has its output. PostgreSQL retries it and keeps the WAL meanwhile.", state.TestSegment);
            if (clock.Elapsed > wait)
                throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.TestSegmentNotArchived,
                    $"{state.TestSegment} was not archived within {wait.TotalSeconds:F0} s on {connection.DisplayName} (last archived: {archiver.LastArchivedWal ?? "none"}).", state.TestSegment);
            Thread.Sleep(200);
        }
    }

    private static DateTimeOffset ServerNow(NpgsqlConnection conn)
    {
        using var cmd = new NpgsqlCommand("SELECT clock_timestamp()", conn);
        return new DateTimeOffset((DateTime)cmd.ExecuteScalar()!, TimeSpan.Zero);
    }

    private static string Setting(NpgsqlConnection conn, string name)
    {
        using var cmd = new NpgsqlCommand("SELECT current_setting($1)", conn) { Parameters = { new() { Value = name } } };
        return (string)cmd.ExecuteScalar()!;
    }

    private static TimeSpan ParseSeconds(string value)
    {
        // SHOW gives "1min", "60s", "0"; pg_settings' unit-less value is simpler, but current_setting is what was asked.
        if (value == "0") return TimeSpan.Zero;
        var digits = new string(value.TakeWhile(char.IsAsciiDigit).ToArray());
        var n = long.Parse(digits, CultureInfo.InvariantCulture);
        return value[digits.Length..] switch { "min" => TimeSpan.FromMinutes(n), "h" => TimeSpan.FromHours(n), "ms" => TimeSpan.FromMilliseconds(n), _ => TimeSpan.FromSeconds(n) };
    }

    private static void Execute(NpgsqlConnection conn, PgConnectionInfo connection, string sql)
    {
        try
        {
            using var cmd = new NpgsqlCommand(sql, conn);
            cmd.ExecuteNonQuery();
        }
        catch (PostgresException e)
        {
            // ALTER SYSTEM needs a superuser (or, from PostgreSQL 15, GRANT ALTER SYSTEM ON PARAMETER).
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.ArchivingSettingsFailed,
                $"PostgreSQL at {connection.DisplayName} refused to change the archiving settings: {e.MessageText}", connection.DisplayName, e);
        }
    }
}
