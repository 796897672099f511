using ShippyarDr.Cluster;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Repository;
using ShippyarDr.Sandbox;
using ShippyarDr.Tools;
using ShippyarDr.Wal;
using Xunit.Abstractions;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// shippyar-dr as PostgreSQL runs it: archive_command of a real cluster, restore_command of a real recovery, and the exit
/// codes PostgreSQL acts on. Every run is the built executable as the server's OS account in a data directory.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WalCliTests(SandboxFixture shared, ArchivingCluster cluster, S3Server s3, ITestOutputHelper output)
    : IClassFixture<ArchivingCluster>, IClassFixture<S3Server>
{
    private PostgresSandbox Sandbox => cluster.Sandbox;
    private string DataDirectory => Sandbox.DataDirectory;
    private string Repository => cluster.Repository;

    private (int ExitCode, string StdErr) Cli(params string[] args) => ShippyarCli.Run(DataDirectory, args);

    private string SwitchAndWait()
    {
        var segment = WalSegments.Switch(Sandbox);
        cluster.WaitArchived(segment);
        return segment;
    }

    [Fact]
    public void PostgreSQL_archives_every_segment_through_archive_command()
    {
        var before = cluster.WaitArchived("");
        var segments = Enumerable.Range(0, 3).Select(_ => WalSegments.Switch(Sandbox)).ToList();
        var (archived, failed) = cluster.WaitArchived(segments[^1]);
        Assert.True(archived >= before.Archived + 3, $"archived_count {archived}, was {before.Archived}");
        Assert.Equal(0, failed);
        var identity = ClusterIdentity.FromDataDirectory(DataDirectory);
        var archive = Assert.Single(new WalArchiveScanner(new FileSystemRepository(Repository)).Scan(identity.SystemIdentifier));
        Assert.Equal(identity.SystemIdentifier, archive.SystemIdentifier);
        Assert.Empty(archive.Timelines.Single().Gaps);
        Assert.All(segments, s => Assert.Empty(archive.MissingBetween(1, s, s)));
        // What PostgreSQL archived reads back byte for byte (the segment is still in pg_wal until the next checkpoint).
        var back = Path.Combine(Sandbox.RootDirectory, "back-" + segments[0]);
        Assert.Equal(0, Cli("wal-fetch", segments[0], back, "--repository", Repository).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(DataDirectory, "pg_wal", segments[0])), File.ReadAllBytes(back));
        File.Delete(back);
    }

    [Fact]
    public void Exit_codes_tell_PostgreSQL_what_happened()
    {
        var segment = SwitchAndWait();
        var destination = Path.Combine(DataDirectory, "pg_wal", "RECOVERYXLOG");
        var next = WalFileName.Parse(segment).Next(16 << 20).Next(16 << 20).Name;
        Assert.Equal(1, Cli("wal-fetch", next, "pg_wal/RECOVERYXLOG", "--repository", Repository).ExitCode);
        Assert.Equal(1, Cli("wal-fetch", "00000002.history", "pg_wal/RECOVERYHISTORY", "--repository", Repository).ExitCode);
        Assert.False(File.Exists(destination));
        Assert.Equal(2, Cli("wal-fetch", segment, "--repository", Repository).ExitCode);
        Assert.Equal(2, Cli("wal-push", $"pg_wal/{segment}", "--repository", Repository, "--no-such-option", "x").ExitCode);
        Assert.Equal(2, Cli("no-such-command").ExitCode);
        var (missingRepo, missingRepoErr) = Cli("wal-push", $"pg_wal/{segment}", "--repository", "/nonexistent/repository");
        Assert.Equal((6, true), (missingRepo, missingRepoErr.Contains("RepositoryNotFound")));
        // Pushing the same segment again (PostgreSQL does after a crash) succeeds.
        Assert.Equal(0, Cli("wal-push", $"pg_wal/{segment}", "--repository", Repository).ExitCode);
    }

    [Fact]
    public void A_different_segment_under_an_archived_name_fails_and_the_original_stays()
    {
        var segment = SwitchAndWait();
        var original = File.ReadAllBytes(Path.Combine(DataDirectory, "pg_wal", segment));
        var impostor = Path.Combine(Sandbox.RootDirectory, "impostor");
        Directory.CreateDirectory(impostor);
        var changed = (byte[])original.Clone();
        changed[100_000] ^= 0xFF;
        File.WriteAllBytes(Path.Combine(impostor, segment), changed);
        ServerAccount.Default.GiveOwnership(impostor);
        var (exit, stderr) = Cli("wal-push", Path.Combine(impostor, segment), "--repository", Repository);
        output.WriteLine(stderr);
        Assert.Equal(5, exit);
        Assert.Contains("WalDuplicateDiffers", stderr);
        Assert.Contains("never overwritten", stderr);
        var back = Path.Combine(impostor, "back");
        Assert.Equal(0, Cli("wal-fetch", segment, back, "--repository", Repository).ExitCode);
        Assert.Equal(original, File.ReadAllBytes(back));
        Directory.Delete(impostor, true);
    }

    [Fact]
    public void Another_clusters_segment_is_refused_and_its_own_archive_stays_apart()
    {
        SwitchAndWait();
        // The shared sandbox is another cluster (another system identifier) with segments of the same names.
        var foreign = WalSegments.Switch(shared.Sandbox);
        var foreignPath = Path.Combine(shared.Sandbox.DataDirectory, "pg_wal", foreign);
        var (exit, stderr) = Cli("wal-push", foreignPath, "--repository", Repository);
        Assert.Equal(4, exit);
        Assert.Contains("WalSegmentInvalid", stderr);
        // Pushed from its own data directory, it goes into its own archive, and this cluster never fetches it.
        Assert.Equal(0, ShippyarCli.Run(shared.Sandbox.DataDirectory, "wal-push", $"pg_wal/{foreign}", "--repository", Repository).ExitCode);
        var archives = new WalArchiveScanner(new FileSystemRepository(Repository)).Scan();
        Assert.Contains(archives, a => a.SystemIdentifier == WalSegments.Identity(shared.Sandbox).SystemIdentifier);
        Assert.Contains(archives, a => a.SystemIdentifier == ClusterIdentity.FromDataDirectory(DataDirectory).SystemIdentifier);
        var back = Path.Combine(Sandbox.RootDirectory, "foreign-back");
        var own = Cli("wal-fetch", foreign, back, "--repository", Repository).ExitCode;
        if (own == 0) Assert.NotEqual(File.ReadAllBytes(foreignPath), File.ReadAllBytes(back));
        else Assert.Equal(1, own);
        File.Delete(back);
    }

    [Fact]
    public void A_corrupted_archived_segment_is_refused_at_fetch()
    {
        var segment = SwitchAndWait();
        var identity = ClusterIdentity.FromDataDirectory(DataDirectory);
        var folder = Path.Combine(Repository, WalLayout.Folder(identity.SystemIdentifier, WalFileName.Parse(segment)));
        var data = Directory.EnumerateFiles(folder, segment + "-*.zst").Single();
        var bytes = File.ReadAllBytes(data);
        bytes[^10] ^= 0x20;
        File.WriteAllBytes(data, bytes);
        var (exit, stderr) = Cli("wal-fetch", segment, "pg_wal/RECOVERYXLOG", "--repository", Repository);
        Assert.Equal(7, exit);
        Assert.Contains("WalFileCorrupt", stderr);
        Assert.False(File.Exists(Path.Combine(DataDirectory, "pg_wal", "RECOVERYXLOG")));
    }

    [Fact]
    public void An_encrypted_archive_in_S3_round_trips_through_the_cli()
    {
        var segment = SwitchAndWait();
        var passphraseFile = Path.Combine(Sandbox.RootDirectory, "wal.pass");
        File.WriteAllText(passphraseFile, "cli-Lynx-passphrase-77\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(passphraseFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        ServerAccount.Default.GiveOwnership(passphraseFile);
        string[] s3Options = ["--repository", s3.Url("cli-" + Guid.NewGuid().ToString("n")[..8]), "--s3-endpoint", s3.Endpoint];
        var (pushed, pushErr) = Cli(["wal-push", $"pg_wal/{segment}", .. s3Options, "--passphrase-file", passphraseFile, "--verbose"]);
        output.WriteLine(pushErr);
        Assert.Equal(0, pushed);
        Assert.Equal(0, Cli(["wal-push", $"pg_wal/{segment}", .. s3Options, "--passphrase-file", passphraseFile]).ExitCode);
        var back = Path.Combine(Sandbox.RootDirectory, "s3-back");
        Assert.Equal(3, Cli(["wal-fetch", segment, back, .. s3Options]).ExitCode); // no key: a configuration problem
        Assert.Equal(0, Cli(["wal-fetch", segment, back, .. s3Options, "--passphrase-file", passphraseFile]).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(DataDirectory, "pg_wal", segment)), File.ReadAllBytes(back));
        Assert.Equal(1, Cli(["wal-fetch", "00000002.history", back, .. s3Options, "--passphrase-file", passphraseFile]).ExitCode);
        File.Delete(back);
        File.Delete(passphraseFile);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_base_backup_recovers_to_a_restore_point_from_segments_fetched_through_restore_command(bool prefetch)
    {
        Sandbox.Execute("postgres", "DROP TABLE IF EXISTS after_copy; CREATE TABLE after_copy (id int)");
        var copy = Path.Combine(Sandbox.RootDirectory, "copy");
        var pgBaseBackup = PgToolLocator.Find("pg_basebackup", Sandbox.MajorVersion);
        // No WAL in the copy (-X none): everything it needs to become consistent comes from the archive.
        RunAsServer(pgBaseBackup.Path, "-h", Sandbox.RootDirectory, "-p", Sandbox.Port.ToString(), "-U", "postgres", "-D", copy, "-X", "none", "-c", "fast");
        Sandbox.Execute("postgres", "INSERT INTO after_copy SELECT generate_series(1, 5000)");
        Sandbox.Execute("postgres", "SELECT pg_create_restore_point('shippyar_test_point')");
        Sandbox.Execute("postgres", "INSERT INTO after_copy SELECT generate_series(5001, 6000)"); // after the target: must not come back
        SwitchAndWait();

        var spool = Path.Combine(Sandbox.RootDirectory, "fetch-spool");
        Directory.CreateDirectory(spool);
        ServerAccount.Default.GiveOwnership(spool);
        var mode = prefetch ? $" --async --spool-directory \"{spool}\"" : "";
        var port = PostgresSandbox.FreeLoopbackPort();
        File.AppendAllLines(Path.Combine(copy, "postgresql.auto.conf"), new[]
        {
            $"port = {port}",
            "archive_mode = off",
            $"restore_command = '\"{ShippyarCli.Path}\" wal-fetch %f %p --repository \"{Repository}\"{mode}'",
            "recovery_target_name = 'shippyar_test_point'",
            "recovery_target_action = 'promote'",
        });
        File.WriteAllText(Path.Combine(copy, "recovery.signal"), "");
        ServerAccount.Default.GiveOwnership(copy);
        var log = Path.Combine(Sandbox.RootDirectory, "copy.log");
        var pgCtl = PgToolLocator.Find("pg_ctl", Sandbox.MajorVersion);
        try
        {
            RunAsServer(pgCtl.Path, "-D", copy, "-l", log, "-w", "-t", "120", "start");
            var recovered = new Connection.PgConnectionInfo("127.0.0.1", port, "postgres", Sandbox.GetPassword());
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (Query(recovered, "SELECT pg_is_in_recovery()::text") != "false")
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException("Recovery did not end:\n" + ArchivingCluster.Tail(log));
                Thread.Sleep(200);
            }
            Assert.Equal("5000", Query(recovered, "SELECT count(*) FROM after_copy"));
            var text = File.ReadAllText(log);
            output.WriteLine(ArchivingCluster.Tail(log));
            Assert.Contains("restored log file", text);
            Assert.Contains("recovery stopping at restore point \"shippyar_test_point\"", text);
            if (prefetch) Assert.True(File.Exists(Path.Combine(spool, ClusterIdentity.FromDataDirectory(DataDirectory).SystemIdentifier, "fetch.lock")), "the prefetcher never ran");
        }
        finally
        {
            try { RunAsServer(pgCtl.Path, "-D", copy, "-m", "immediate", "-w", "stop"); }
            catch (InvalidOperationException) { /* not running */ }
            Directory.Delete(copy, true);
            Directory.Delete(spool, true);
        }
    }

    private static string? Query(Connection.PgConnectionInfo connection, string sql)
    {
        try
        {
            using var conn = Connection.PgSession.Open(connection, "postgres");
            using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
            return Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Diagnostics.ShippyarException)
        {
            return null; // still starting up
        }
    }

    private static void RunAsServer(string program, params string[] args)
    {
        ServerAccount.Default.RunAs(program, args);
    }
}
