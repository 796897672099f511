using System.Diagnostics;
using ShippyarDr.Backup;
using ShippyarDr.Cluster;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Recovery;
using ShippyarDr.Repository;
using ShippyarDr.Sandbox;
using ShippyarDr.Tools;
using ShippyarDr.Verification;
using ShippyarDr.Wal;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// Point-in-time recovery end to end on a real cluster whose archive_command is the built shippyar-dr: a base backup
/// through the engine into the archive's repository, committed writes, a destructive statement, and recoveries that
/// fetch through restore_command = shippyar-dr wal-fetch, started as the server account. Also what must be refused
/// before anything is written, and the Recovery level of a verification.
/// </summary>
[Collection(PostgresCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PointInTimeRestoreTests(ArchivingCluster cluster) : IClassFixture<ArchivingCluster>, IDisposable
{
    private readonly TempDirectory _work = Reachable();
    private PostgresSandbox Sandbox => cluster.Sandbox;
    private FileSystemRepository Repo => new(cluster.Repository);

    public void Dispose() => _work.Dispose();

    private static TempDirectory Reachable()
    {
        var dir = new TempDirectory("shippyar-pitr-restore-");
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("755", 8));
        return dir;
    }

    private BackupInfo BaseBackup() => new BackupEngine().Run(new BackupRequest { Connection = Sandbox.Connection, Tier = BackupTier.Base, Checkpoint = CheckpointMode.Fast }, Repo);

    private string SwitchAndWait()
    {
        var segment = WalSegments.Switch(Sandbox);
        cluster.WaitArchived(segment);
        return segment;
    }

    private static RestoreCommandLine Fetch(string repository) => new() { CliPath = ShippyarCli.Path, Repository = repository };

    private PointInTimeRestoreResult Recover(RecoveryTarget target, string dataDirectory, bool start = true, string? repository = null, bool moveAside = false, int? port = null)
        => new PointInTimeRestore().Run(new PointInTimeRestoreRequest
        {
            Target = target, DataDirectory = dataDirectory, RestoreCommand = Fetch(repository ?? cluster.Repository), Start = start, MoveAsideExisting = moveAside,
            Port = port, RecoveryTimeout = TimeSpan.FromMinutes(2),
        }, new FileSystemRepository(repository ?? cluster.Repository));

    private string Scalar(int port, string sql, string database = "postgres")
    {
        using var conn = Connection.PgSession.Open(Sandbox.Connection.WithServer("127.0.0.1", port), database);
        using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
        return Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    private static void StopServer(string dataDirectory)
    {
        if (PostmasterPid.Read(dataDirectory) is { } pid && pid.ProcessExists())
            ServerAccount.Default.RunAs(PgToolLocator.Find("pg_ctl").Path, "-D", dataDirectory, "-m", "immediate", "-w", "stop");
    }

    private DateTimeOffset ServerNow() => DateTimeOffset.Parse(Sandbox.QueryScalar("postgres", "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")!);

    /// <summary>A copy of the repository the server account can read, to damage without touching the fixture's.</summary>
    private string CopyOfRepository()
    {
        var copy = Path.Combine(_work.Path, "repo-copy-" + Guid.NewGuid().ToString("n")[..8]);
        Process.Start("cp", new[] { "-a", cluster.Repository, copy })!.WaitForExit();
        return copy;
    }

    private static IReadOnlyList<string> ObjectsOf(string repository, string segment)
        => Directory.EnumerateFiles(Path.Combine(repository, "wal"), segment + "-*", SearchOption.AllDirectories).ToList();

    [Fact]
    public void Recovered_to_a_time_every_row_committed_before_it_is_there_and_the_destructive_statement_is_undone()
    {
        Sandbox.Execute("postgres", "CREATE TABLE pitr_time (id int PRIMARY KEY); INSERT INTO pitr_time SELECT generate_series(1, 100)");
        var backup = BaseBackup();
        Sandbox.Execute("postgres", "INSERT INTO pitr_time SELECT generate_series(101, 150)");
        Thread.Sleep(1100);
        var target = ServerNow();
        Thread.Sleep(1100);
        Sandbox.Execute("postgres", "DELETE FROM pitr_time");
        SwitchAndWait();

        var data = Path.Combine(_work.Path, "time", "data");
        var result = Recover(RecoveryTarget.AtTime(target), data);
        try
        {
            Assert.Equal(backup.Id, result.BackupId);
            Assert.True(result.Started);
            Assert.Equal("150", Scalar(result.Port!.Value, "SELECT count(*) FROM pitr_time"));
            Assert.Equal("f", Scalar(result.Port.Value, "SELECT CASE WHEN pg_is_in_recovery() THEN 't' ELSE 'f' END"));
            Assert.Equal("off", Scalar(result.Port.Value, "SELECT current_setting('archive_mode')"));
            var point = result.PointReached!;
            Assert.Equal(2, point.Timeline);
            Assert.Matches("^[0-9A-F]+/[0-9A-F]+$", point.Lsn!);
            Assert.Contains("recovery stopping before commit", point.StoppedBy);
            Assert.NotNull(point.LastTransactionTime);
            Assert.True(point.LastTransactionTime <= target, $"{point.LastTransactionTime} after {target}");
            Assert.True(result.WalSegmentsReplayed >= 1);
            Assert.True(result.ReplayDuration > TimeSpan.Zero && result.RestoreDuration > TimeSpan.Zero);
            // The data directory is the server account's and private; recovery configured PostgreSQL 12+ style.
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
            Assert.False(File.Exists(Path.Combine(data, "recovery.conf")));
            var auto = File.ReadAllText(Path.Combine(data, "postgresql.auto.conf"));
            // WAL is prefetched beside the data directory while the server replays; the spool goes once recovery has ended.
            Assert.Contains($"restore_command = '\"{ShippyarCli.Path}\" wal-fetch \"%f\" \"%p\" --repository \"{cluster.Repository}\" --async --spool-directory \"{data}.shippyar-spool\"'", auto);
            Assert.Null(result.SpoolDirectory);
            Assert.False(Directory.Exists(data + ".shippyar-spool"));
            Assert.Contains("recovery_target_action = 'promote'", auto);
            Assert.Contains("archive_mode = 'off'", auto);
        }
        finally
        {
            StopServer(data);
        }
        // The recovered copy (archive_mode off) never pushed its new timeline into the production archive.
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(cluster.Repository, "wal"), "*", SearchOption.AllDirectories), f => f.Contains(".history"));
    }

    [Fact]
    public void Recovered_to_a_restore_point_it_stops_there()
    {
        Sandbox.Execute("postgres", "CREATE TABLE pitr_named (id int); INSERT INTO pitr_named SELECT generate_series(1, 10)");
        BaseBackup();
        Sandbox.Execute("postgres", "INSERT INTO pitr_named SELECT generate_series(11, 20)");
        Server.RestorePoints.Create(Sandbox.Connection, "before-the-purge");
        Sandbox.Execute("postgres", "TRUNCATE pitr_named");
        SwitchAndWait();

        var data = Path.Combine(_work.Path, "named", "data");
        var result = Recover(RecoveryTarget.AtName("before-the-purge"), data);
        try
        {
            Assert.Equal("20", Scalar(result.Port!.Value, "SELECT count(*) FROM pitr_named"));
            Assert.Contains("before-the-purge", result.PointReached!.StoppedBy);
            Assert.Equal("name before-the-purge", result.Target);
        }
        finally
        {
            StopServer(data);
        }
    }

    [Fact]
    public void A_missing_segment_in_the_chain_is_refused_before_anything_is_written_and_named()
    {
        var backup = BaseBackup();
        var segments = Enumerable.Range(0, 3).Select(_ => SwitchAndWait()).ToList();
        var copy = CopyOfRepository();
        var lost = WalFileName.Parse(backup.Physical!.ArchiveNeededFrom).Next(16 << 20).Name;
        Assert.NotEmpty(ObjectsOf(copy, lost));
        foreach (var file in ObjectsOf(copy, lost)) File.Delete(file);

        var data = Path.Combine(_work.Path, "gap", "data");
        var e = Assert.Throws<ShippyarException>(() => Recover(RecoveryTarget.Latest, data, repository: copy));
        Assert.Equal(ErrorIds.WalSegmentMissing, e.ErrorId);
        Assert.Contains(lost, e.Message);
        Assert.Contains(backup.Physical.ArchiveNeededFrom, e.Message);
        Assert.False(Directory.Exists(data));
        Assert.False(Directory.Exists(Path.GetDirectoryName(data)));
        // An LSN target before the gap needs none of it.
        var before = new PointInTimeRestore().Prepare(new FileSystemRepository(copy), RecoveryTarget.AtLsn(backup.Physical.StopLsn), null, Authentication.BackupKeys.None);
        Assert.Equal(backup.Physical.ArchiveNeededFrom, before.Plan.LastSegment);
        Assert.True(segments.Count == 3);
    }

    [Fact]
    public void A_data_directory_with_a_running_server_is_refused_and_left_alone()
    {
        var e = Assert.Throws<ShippyarException>(() => Recover(RecoveryTarget.Latest, Sandbox.DataDirectory, start: false, moveAside: true));
        Assert.Equal(ErrorIds.DataDirectoryInUse, e.ErrorId);
        Assert.Equal("1", Sandbox.QueryScalar("postgres", "SELECT 1"));
        Assert.Empty(Directory.EnumerateDirectories(Path.GetDirectoryName(Sandbox.DataDirectory)!, "data.shippyar-*"));
    }

    [Fact]
    public void A_directory_that_is_not_empty_is_refused_or_moved_aside_never_deleted()
    {
        BaseBackup();
        SwitchAndWait();
        var data = Path.Combine(_work.Path, "occupied");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "precious.txt"), "keep me");

        var refused = Assert.Throws<ShippyarException>(() => Recover(RecoveryTarget.Latest, data, start: false));
        Assert.Equal(ErrorIds.RestoreTargetNotEmpty, refused.ErrorId);
        Assert.True(File.Exists(Path.Combine(data, "precious.txt")));

        var result = Recover(RecoveryTarget.Latest, data, start: false, moveAside: true);
        var aside = Assert.Single(result.MovedAside);
        Assert.StartsWith(data + ".shippyar-", aside);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(aside, "precious.txt")));
        Assert.False(File.Exists(Path.Combine(data, "precious.txt")));
        Assert.True(File.Exists(Path.Combine(data, "recovery.signal")));
        Assert.True(File.Exists(Path.Combine(data, "backup_label")));
        Assert.False(result.Started);
        Assert.Null(result.PointReached);
    }

    [Fact]
    public void A_time_after_the_newest_archived_segment_is_refused_and_so_is_a_backup_that_ends_after_the_target()
    {
        var backup = BaseBackup();
        SwitchAndWait();
        var later = DateTimeOffset.UtcNow.AddMinutes(5);
        var e = Assert.Throws<ShippyarException>(() => Recover(RecoveryTarget.AtTime(later), Path.Combine(_work.Path, "beyond"), start: false));
        Assert.Equal(ErrorIds.RecoveryTargetBeyondArchive, e.ErrorId);
        var early = new PointInTimeRestore();
        var before = Assert.Throws<ShippyarException>(() => early.Run(new PointInTimeRestoreRequest
        {
            Target = RecoveryTarget.AtTime(backup.StartTime.AddMinutes(-1)), BackupId = backup.Id, DataDirectory = Path.Combine(_work.Path, "early"), RestoreCommand = Fetch(cluster.Repository),
        }, Repo));
        Assert.Equal(ErrorIds.RecoveryTargetBeforeBackup, before.ErrorId);
        Assert.False(Directory.Exists(Path.Combine(_work.Path, "early")));
    }

    [Fact]
    public void The_Recovery_level_replays_the_archive_to_its_end_and_fails_when_a_segment_is_damaged()
    {
        var backup = BaseBackup();
        Sandbox.Execute("postgres", "CREATE TABLE IF NOT EXISTS pitr_verify (id int); INSERT INTO pitr_verify SELECT generate_series(1, 10)");
        var segments = Enumerable.Range(0, 2).Select(_ => SwitchAndWait()).ToList();
        var ok = new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Recovery, RestoreCommand = Fetch(cluster.Repository) }, Repo);
        Assert.True(ok.Passed, string.Join("\n", ok.Checks.Select(c => $"{c.Name}: {c.Passed} {c.Detail}")));
        Assert.Contains(ok.Checks, c => c.Name == "WAL archive complete" && c.Passed);
        var replayed = Assert.Single(ok.Checks, c => c.Name == "WAL archive replayed");
        Assert.Contains("to its end", replayed.Detail);
        Assert.Contains("timeline 2", replayed.Detail);

        // A segment whose stored bytes changed: wal-fetch refuses it, the replay stops short, the check fails.
        var copy = CopyOfRepository();
        var data = ObjectsOf(copy, segments[0]).Single(f => !f.EndsWith(".manifest", StringComparison.Ordinal));
        var bytes = File.ReadAllBytes(data);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(data, bytes);
        var damaged = new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Recovery, RestoreCommand = Fetch(copy) }, new FileSystemRepository(copy));
        Assert.False(damaged.Passed);
        Assert.False(Assert.Single(damaged.Checks, c => c.Name == "WAL archive replayed").Passed);

        // A missing one: named by the archive check.
        foreach (var file in ObjectsOf(copy, segments[0])) File.Delete(file);
        var missing = new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Recovery, RestoreCommand = Fetch(copy) }, new FileSystemRepository(copy));
        var check = Assert.Single(missing.Checks, c => c.Name == "WAL archive complete");
        Assert.False(check.Passed);
        Assert.Contains(segments[0], check.Detail);
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(cluster.Repository, "wal"), "*", SearchOption.AllDirectories), f => f.Contains(".history"));
    }

    [Fact]
    public void The_restore_command_quotes_for_the_shell_and_for_PostgreSQL_and_never_holds_a_secret()
    {
        var line = new RestoreCommandLine
        {
            CliPath = "/opt/shippyar dr/bin/shippyar-dr", Repository = "/backups/100% \"pg\"/$HOME", PassphraseFile = "/etc/shippyar/pass`x`",
            PassphraseVariable = "SHIPPYAR_PASS", SignerKeyFile = "/etc/shippyar/signers.asc",
        };
        Assert.Equal("\"/opt/shippyar dr/bin/shippyar-dr\" wal-fetch \"%f\" \"%p\" --repository \"/backups/100%% \\\"pg\\\"/\\$HOME\" --passphrase-file \"/etc/shippyar/pass\\`x\\`\" --passphrase-variable \"SHIPPYAR_PASS\" --signer-key-file \"/etc/shippyar/signers.asc\"", line.Build());
        Assert.True(line.NamesKeys);
        Assert.False(new RestoreCommandLine { CliPath = "/x/shippyar-dr", Repository = "/backups/pg" }.NamesKeys);
        Assert.True(new RestoreCommandLine { CliPath = "/x/shippyar-dr", Repository = "prod" }.NamesKeys);
        var relative = Assert.Throws<ShippyarException>(() => new RestoreCommandLine { CliPath = "/x/shippyar-dr", Repository = "/r", PassphraseFile = "pass.txt" }.Build());
        Assert.Equal(ErrorIds.PathNotAbsolute, relative.ErrorId);
    }

    [Fact]
    public void The_log_of_a_recovery_tells_the_point_reached()
    {
        var log = Path.Combine(_work.Path, "recovery.log");
        File.WriteAllLines(log, new[]
        {
            "2026-12-01 11:52:00.100 UTC [12] LOG:  starting point-in-time recovery to 2026-12-01 11:51:59+00",
            "2026-12-01 11:52:00.200 UTC [12] LOG:  restored log file \"000000010000000000000004\" from archive",
            "2026-12-01 11:52:00.300 UTC [12] LOG:  restored log file \"000000010000000000000005\" from archive",
            "2026-12-01 11:52:00.350 UTC [12] LOG:  restored log file \"000000010000000000000005\" from archive",
            "2026-12-01 11:52:00.400 UTC [12] LOG:  recovery stopping before commit of transaction 741, time 2026-12-01 11:52:01.234567+00",
            "2026-12-01 11:52:00.500 UTC [12] LOG:  redo done at 0/5000148 system usage: CPU: user: 0.00 s",
            "2026-12-01 11:52:00.510 UTC [12] LOG:  last completed transaction was at log time 2026-12-01 11:51:58.5+00",
            "2026-12-01 11:52:00.600 UTC [12] LOG:  selected new timeline ID: 2",
        });
        var point = RecoveryLog.Read(log);
        Assert.Equal(2, point.Timeline);
        Assert.Equal("0/5000148", point.Lsn);
        Assert.Equal(2, point.SegmentsReplayed);
        Assert.Equal("000000010000000000000005", point.LastSegment);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 11, 51, 58, 500, TimeSpan.Zero), point.LastTransactionTime);
        Assert.StartsWith("recovery stopping before commit of transaction 741", point.StoppedBy);
    }
}

/// <summary>Tablespaces: a recovered copy beside the running server must not take the server's tablespace directory.</summary>
[Collection(PostgresCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TablespaceRecoveryTests
{
    [Fact]
    public void The_servers_own_tablespace_place_is_never_moved_and_a_new_place_given_by_name_is_used()
    {
        using var cluster = new ArchivingCluster();
        var sandbox = cluster.Sandbox;
        var live = Path.Combine(sandbox.RootDirectory, "ts-live");
        Directory.CreateDirectory(live);
        ServerAccount.Default.GiveOwnership(live);
        sandbox.Execute("postgres", $"CREATE TABLESPACE pitr_ts LOCATION '{live}'");
        sandbox.Execute("postgres", "CREATE TABLE in_ts (id int) TABLESPACE pitr_ts; INSERT INTO in_ts SELECT generate_series(1, 77)");
        new BackupEngine().Run(new BackupRequest { Connection = sandbox.Connection, Tier = BackupTier.Base, Checkpoint = CheckpointMode.Fast }, new FileSystemRepository(cluster.Repository));
        cluster.WaitArchived(WalSegments.Switch(sandbox, rows: 10));
        var data = Path.Combine(sandbox.RootDirectory, "recovered");
        PointInTimeRestoreRequest Request(Dictionary<string, string> places) => new()
        {
            Target = RecoveryTarget.Latest, DataDirectory = data, Start = true, MoveAsideExisting = true, TablespaceLocations = places, RecoveryTimeout = TimeSpan.FromMinutes(2),
            RestoreCommand = new RestoreCommandLine { CliPath = ShippyarCli.Path, Repository = cluster.Repository },
        };

        var refused = Assert.Throws<ShippyarException>(() => new PointInTimeRestore().Run(Request(new()), new FileSystemRepository(cluster.Repository)));
        Assert.Equal(ErrorIds.RestoreTargetNotEmpty, refused.ErrorId);
        Assert.Contains(live, refused.Message);
        Assert.False(Directory.Exists(data));
        Assert.Empty(Directory.EnumerateDirectories(sandbox.RootDirectory, "ts-live.shippyar-*"));
        Assert.Equal("77", sandbox.QueryScalar("postgres", "SELECT count(*) FROM in_ts"));

        var unknown = Assert.Throws<ShippyarException>(() => new PointInTimeRestore().Run(Request(new() { ["no_such_ts"] = "/tmp/x" }), new FileSystemRepository(cluster.Repository)));
        Assert.Equal(ErrorIds.TablespaceNotInBackup, unknown.ErrorId);

        var moved = Path.Combine(sandbox.RootDirectory, "ts-recovered");
        var result = new PointInTimeRestore().Run(Request(new() { ["pitr_ts"] = moved }), new FileSystemRepository(cluster.Repository));
        try
        {
            Assert.Equal(moved, Assert.Single(result.Tablespaces).Value);
            using var conn = Connection.PgSession.Open(sandbox.Connection.WithServer("127.0.0.1", result.Port!.Value), "postgres");
            using var cmd = new Npgsql.NpgsqlCommand("SELECT count(*)::text || ' ' || pg_tablespace_location((SELECT oid FROM pg_tablespace WHERE spcname = 'pitr_ts')) FROM in_ts", conn);
            Assert.Equal($"77 {moved}", cmd.ExecuteScalar());
        }
        finally
        {
            ServerAccount.Default.RunAs(PgToolLocator.Find("pg_ctl").Path, "-D", data, "-m", "immediate", "-w", "stop");
        }
    }
}

/// <summary>"Server lost": a cluster of its own whose data directory is deleted, recovered into the same place to the newest point.</summary>
[Collection(PostgresCollection.Name)]
public sealed class LostServerRecoveryTests
{
    [Fact]
    public void Recovery_to_the_newest_point_loses_nothing_committed_before_the_last_archived_segment()
    {
        using var cluster = new ArchivingCluster();
        var sandbox = cluster.Sandbox;
        sandbox.Execute("postgres", "CREATE TABLE lost_orders (id int PRIMARY KEY); INSERT INTO lost_orders SELECT generate_series(1, 1000)");
        new BackupEngine().Run(new BackupRequest { Connection = sandbox.Connection, Tier = BackupTier.Base, Checkpoint = CheckpointMode.Fast }, new FileSystemRepository(cluster.Repository));
        for (var batch = 1; batch <= 3; batch++)
        {
            sandbox.Execute("postgres", $"INSERT INTO lost_orders SELECT generate_series({batch * 1000 + 1}, {batch * 1000 + 1000})");
            cluster.WaitArchived(WalSegments.Switch(sandbox, rows: 10));
        }
        // Committed, but still in the segment being written when the server is lost: beyond what any archive can hold.
        sandbox.Execute("postgres", "INSERT INTO lost_orders VALUES (999999)");
        ServerAccount.Default.RunAs(PgToolLocator.Find("pg_ctl").Path, "-D", sandbox.DataDirectory, "-m", "immediate", "-w", "stop");
        Directory.Delete(sandbox.DataDirectory, recursive: true);

        var result = new PointInTimeRestore().Run(new PointInTimeRestoreRequest
        {
            Target = RecoveryTarget.Latest, DataDirectory = sandbox.DataDirectory, Start = true, Port = sandbox.Port, RecoveryTimeout = TimeSpan.FromMinutes(2),
            RestoreCommand = new RestoreCommandLine { CliPath = ShippyarCli.Path, Repository = cluster.Repository },
        }, new FileSystemRepository(cluster.Repository));

        Assert.Empty(result.MovedAside);
        Assert.Equal("4000", sandbox.QueryScalar("postgres", "SELECT count(*) FROM lost_orders WHERE id < 999999"));
        Assert.Equal("0", sandbox.QueryScalar("postgres", "SELECT count(*) FROM lost_orders WHERE id = 999999"));
        Assert.Equal(result.LastSegmentNeeded, result.PointReached!.LastSegment);
        Assert.True(result.WalSegmentsReplayed >= 3);
        Assert.Null(result.PointReached.StoppedBy);
        Assert.Equal("latest", result.Target);

        // The recovered server runs on timeline 2 with archive_mode off until the DBA enables it. What it wrote meanwhile
        // (its history file, its first segments) is never archived by PostgreSQL itself: a recovery along timeline 2 is
        // refused, naming the history file, rather than let PostgreSQL recover timeline 1 and branch a second "timeline 2".
        Assert.Equal(2, result.PointReached.Timeline);
        sandbox.Execute("postgres", "ALTER SYSTEM SET archive_mode = on");
        sandbox.Restart();
        sandbox.Execute("postgres", "INSERT INTO lost_orders SELECT generate_series(5001, 5500)");
        var onTimeline2 = WalSegments.Switch(sandbox, rows: 10);
        Assert.StartsWith("00000002", onTimeline2);
        cluster.WaitArchived(onTimeline2);
        var refused = Assert.Throws<ShippyarException>(() => new PointInTimeRestore().Prepare(new FileSystemRepository(cluster.Repository), RecoveryTarget.Latest, null, Authentication.BackupKeys.None));
        Assert.Equal(ErrorIds.WalSegmentMissing, refused.ErrorId);
        Assert.Contains("00000002.history", refused.Message);

        // Pushed by hand (what was written while archiving was off: the history file and the finished segments), the
        // archive is whole, and a second loss recovers from the same base backup (timeline 1) along the history to
        // timeline 2's newest segment.
        var pgWal = Path.Combine(sandbox.DataDirectory, "pg_wal");
        foreach (var file in Directory.EnumerateFiles(pgWal).Select(Path.GetFileName).Where(n => WalFileName.TryParse(n) is { Timeline: 2 } w && (w.Kind == WalFileKind.History || (w.IsSegment && string.CompareOrdinal(n, onTimeline2) < 0))))
            Assert.Equal(0, ShippyarCli.Run(sandbox.DataDirectory, "wal-push", $"pg_wal/{file}", "--repository", cluster.Repository).ExitCode);
        ServerAccount.Default.RunAs(PgToolLocator.Find("pg_ctl").Path, "-D", sandbox.DataDirectory, "-m", "immediate", "-w", "stop");
        Directory.Delete(sandbox.DataDirectory, recursive: true);

        var again = new PointInTimeRestore().Run(new PointInTimeRestoreRequest
        {
            Target = RecoveryTarget.Latest, DataDirectory = sandbox.DataDirectory, Start = true, Port = sandbox.Port, RecoveryTimeout = TimeSpan.FromMinutes(2),
            RestoreCommand = new RestoreCommandLine { CliPath = ShippyarCli.Path, Repository = cluster.Repository },
        }, new FileSystemRepository(cluster.Repository));
        Assert.Equal(onTimeline2, again.LastSegmentNeeded);
        Assert.Equal(onTimeline2, again.PointReached!.LastSegment);
        Assert.Equal(3, again.PointReached.Timeline);
        Assert.Equal("4500", sandbox.QueryScalar("postgres", "SELECT count(*) FROM lost_orders"));
    }
}

/// <summary>The same recovery from an S3 repository (s3rver): base backup and WAL archive in one bucket prefix, restore_command naming the endpoint.</summary>
[Collection(PostgresCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class S3PointInTimeRestoreTests(S3Server s3) : IClassFixture<S3Server>
{
    [Fact]
    public void Recovers_to_a_time_from_base_backup_and_WAL_in_S3()
    {
        // The archiver and the recovered server's restore_command get S3 credentials as in production: the AWS default chain (environment).
        var saved = (Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"), Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY"));
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
        using var work = new TempDirectory("shippyar-pitr-s3-");
        File.SetUnixFileMode(work.Path, (UnixFileMode)Convert.ToInt32("755", 8));
        var url = s3.Url("pitr-" + Guid.NewGuid().ToString("n")[..8]);
        try
        {
            using var sandbox = PostgresSandbox.Start(settings: new Dictionary<string, string>
            {
                ["archive_mode"] = "on", ["wal_level"] = "replica",
                ["archive_command"] = $"'\"{ShippyarCli.Path}\" wal-push %p --repository \"{url}\" --s3-endpoint \"{s3.Endpoint}\" --s3-path-style'",
            });
            using var repo = new Repository.S3.S3Repository(url, s3.Options());
            sandbox.Execute("postgres", "CREATE TABLE s3_orders (id int); INSERT INTO s3_orders SELECT generate_series(1, 10)");
            new BackupEngine().Run(new BackupRequest { Connection = sandbox.Connection, Tier = BackupTier.Base, Checkpoint = CheckpointMode.Fast }, repo);
            sandbox.Execute("postgres", "INSERT INTO s3_orders SELECT generate_series(11, 25)");
            Thread.Sleep(1100);
            var target = DateTimeOffset.Parse(sandbox.QueryScalar("postgres", "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")!);
            Thread.Sleep(1100);
            sandbox.Execute("postgres", "DELETE FROM s3_orders");
            var last = WalSegments.Switch(sandbox, rows: 10);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (string.CompareOrdinal(sandbox.QueryScalar("postgres", "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver"), last) < 0)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{last} not archived to S3: {ArchivingCluster.Tail(sandbox.LogFile)}");
                Thread.Sleep(100);
            }

            var data = Path.Combine(work.Path, "data");
            var result = new PointInTimeRestore().Run(new PointInTimeRestoreRequest
            {
                Target = RecoveryTarget.AtTime(target), DataDirectory = data, Start = true, RecoveryTimeout = TimeSpan.FromMinutes(2),
                RestoreCommand = new RestoreCommandLine { CliPath = ShippyarCli.Path, Repository = url, S3Endpoint = s3.Endpoint, S3PathStyle = true },
            }, repo);
            try
            {
                Assert.Contains($"--repository \"{url}\" --s3-endpoint \"{s3.Endpoint}\" --s3-path-style", result.RestoreCommand);
                Assert.DoesNotContain("S3RVER", result.RestoreCommand);
                using var conn = Connection.PgSession.Open(sandbox.Connection.WithServer("127.0.0.1", result.Port!.Value), "postgres");
                using var cmd = new Npgsql.NpgsqlCommand("SELECT count(*) FROM s3_orders", conn);
                Assert.Equal(25L, cmd.ExecuteScalar());
                Assert.True(result.WalSegmentsReplayed >= 1);
            }
            finally
            {
                ServerAccount.Default.RunAs(PgToolLocator.Find("pg_ctl").Path, "-D", data, "-m", "immediate", "-w", "stop");
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", saved.Item1);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", saved.Item2);
        }
    }
}
