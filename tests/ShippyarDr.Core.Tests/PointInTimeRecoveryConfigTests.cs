using ShippyarDr.Cluster;
using System.Diagnostics;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Recovery;
using ShippyarDr.Sandbox;
using ShippyarDr.Tools;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// The recovery settings RecoveryConfiguration writes, proven on a real server: a physical copy (pg_basebackup) of a
/// cluster that archives with cp, recovered to a time between committed rows and a destructive DELETE, keeps the rows
/// and undoes the DELETE, and promotes by itself.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PointInTimeRecoveryConfigTests : IDisposable
{
    private readonly TempDirectory _work = new("shippyar-pitr-");
    private readonly PostgresSandbox _server;
    private readonly string _archive;

    public PointInTimeRecoveryConfigTests()
    {
        _archive = Path.Combine(_work.Path, "archive");
        Directory.CreateDirectory(_archive);
        Chmod(_work.Path, "755");
        ServerAccount.Default.GiveOwnership(_work.Path);
        _server = PostgresSandbox.Start(settings: new Dictionary<string, string>
        {
            ["archive_mode"] = "on", ["archive_command"] = $"'test ! -f {_archive}/%f && cp %p {_archive}/%f'", ["wal_level"] = "replica",
        });
    }

    public void Dispose()
    {
        _server.Dispose();
        _work.Dispose();
    }

    [Fact]
    public void A_copy_recovered_to_a_time_keeps_what_was_committed_before_it_and_not_the_delete_after_it()
    {
        _server.Execute("postgres", "CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 100)");
        var copy = Path.Combine(_work.Path, "copy");
        // Over the sandbox's socket, where the server account is trusted: no password to pass, -w never prompts for one.
        AsServer(PgToolLocator.Find("pg_basebackup").Path, "-h", _server.RootDirectory, "-p", _server.Port.ToString(), "-U", "postgres", "-w",
            "-D", copy, "-X", "stream", "-c", "fast", "--no-sync");
        _server.Execute("postgres", "INSERT INTO orders SELECT generate_series(101, 150)");
        Thread.Sleep(1100);
        var target = DateTimeOffset.Parse(_server.QueryScalar("postgres", "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")!);
        Thread.Sleep(1100);
        _server.Execute("postgres", "DELETE FROM orders");
        var last = _server.QueryScalar("postgres", "SELECT pg_walfile_name(pg_switch_wal())")!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(Path.Combine(_archive, last)) && DateTime.UtcNow < deadline) Thread.Sleep(100);

        RecoveryConfiguration.Write(copy, $"cp {_archive}/%f %p", RecoveryTarget.AtTime(target), DateTimeOffset.UtcNow);
        ServerAccount.Default.GiveOwnership(copy);
        var port = PostgresSandbox.FreeLoopbackPort();
        var pgCtl = PgToolLocator.Find("pg_ctl").Path;
        AsServer(pgCtl, "-D", copy, "-l", Path.Combine(_work.Path, "copy.log"), "-o", $"-p {port} -k {_work.Path} -c listen_addresses=127.0.0.1", "-w", "-t", "60", "start");
        try
        {
            var copyConnection = _server.Connection.WithServer("127.0.0.1", port);
            string? inRecovery = "t";
            deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                using var conn = Connection.PgSession.Open(copyConnection, "postgres");
                using var cmd = new Npgsql.NpgsqlCommand("SELECT pg_is_in_recovery()", conn);
                if (cmd.ExecuteScalar() is false) { inRecovery = "f"; break; }
                Thread.Sleep(200);
            }
            Assert.Equal("f", inRecovery);
            using var check = Connection.PgSession.Open(copyConnection, "postgres");
            using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM orders", check);
            Assert.Equal(150L, count.ExecuteScalar());
            // Promoted on a new timeline, and never archiving into the production archive.
            using var mode = new Npgsql.NpgsqlCommand("SELECT current_setting('archive_mode'), (SELECT timeline_id FROM pg_control_checkpoint())", check);
            using var r = mode.ExecuteReader();
            r.Read();
            Assert.Equal("off", r.GetString(0));
        }
        finally
        {
            AsServer(pgCtl, "-D", copy, "-m", "immediate", "-w", "stop");
        }
        Assert.DoesNotContain(Directory.EnumerateFiles(_archive), f => f.EndsWith(".history", StringComparison.Ordinal));
    }

    private static void AsServer(string program, params string[] args)
    {
        ServerAccount.Default.RunAs(program, args);
    }

    private static void Chmod(string path, string mode) => Process.Start("chmod", new[] { mode, path })!.WaitForExit();
}
