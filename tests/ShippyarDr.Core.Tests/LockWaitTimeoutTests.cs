using System.Diagnostics;
using Npgsql;
using ShippyarDr.Backup;
using ShippyarDr.Connection;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Restore;

namespace ShippyarDr.Core.Tests;

/// <summary>A table another session holds in ACCESS EXCLUSIVE mode, against the real sandbox PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class LockWaitTimeoutTests(SandboxFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(2);

    /// <summary>An open transaction holding orders in ACCESS EXCLUSIVE mode until disposed.</summary>
    private NpgsqlConnection LockOrders(string database)
    {
        var conn = PgSession.Open(fixture.Sandbox.Connection, database);
        using var cmd = new NpgsqlCommand("BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", conn);
        cmd.ExecuteNonQuery();
        return conn;
    }

    [Fact]
    public void A_table_locked_by_another_session_fails_the_backup_after_the_lock_wait_timeout_and_no_backup_is_listed()
    {
        var database = fixture.CloneSample("locked");
        using var dir = new TempDirectory();
        var repository = new FileSystemRepository(dir.Path);
        var clock = Stopwatch.StartNew();
        ShippyarException e;
        using (LockOrders(database))
        {
            e = Assert.Throws<ShippyarException>(() => new BackupEngine().Run(new BackupRequest
            {
                Database = database, Connection = fixture.Sandbox.Connection, LockWaitTimeout = Wait,
            }, repository));
        }

        Assert.Equal(("PgDumpLockTimeout", ShippyarErrorKind.ResourceUnavailable), (e.ErrorId, e.Kind));
        Assert.Contains($"'{database}'", e.Message);
        Assert.Contains("orders", e.Message);
        Assert.Contains("2 s", e.Message);
        Assert.InRange(clock.Elapsed, Wait, Wait + TimeSpan.FromSeconds(20));
        Assert.Empty(new BackupCatalog(repository).List());
        Assert.Empty(Directory.EnumerateFiles(dir.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Without_a_conflicting_lock_the_timeout_changes_nothing_and_pg_dump_gets_it_in_milliseconds()
    {
        using var dir = new TempDirectory();
        var backup = new BackupEngine().Run(new BackupRequest
        {
            Database = SandboxFixture.SampleDatabase, Connection = fixture.Sandbox.Connection, LockWaitTimeout = TimeSpan.FromSeconds(1.5),
        }, new FileSystemRepository(dir.Path));
        Assert.True(backup.Tables.Single(t => t.Name == "orders").Rows > 0);
        Assert.Equal("InvalidLockWaitTimeout", Assert.Throws<ShippyarException>(() => new BackupRequest
        {
            Connection = fixture.Sandbox.Connection, LockWaitTimeout = TimeSpan.FromSeconds(-1),
        }).ErrorId);
    }

    [Fact]
    public void The_safety_backup_of_a_restore_gives_up_on_a_locked_table_and_the_target_stays_as_it_was()
    {
        using var dir = new TempDirectory();
        var repository = new FileSystemRepository(dir.Path);
        var backup = new BackupEngine().Run(new BackupRequest { Database = SandboxFixture.SampleDatabase, Connection = fixture.Sandbox.Connection }, repository);
        var target = fixture.CloneSample("locked_target");
        fixture.Sandbox.Execute(target, "CREATE TABLE only_in_target AS SELECT 42 AS answer");

        ShippyarException e;
        using (LockOrders(target))
        {
            e = Assert.Throws<ShippyarException>(() => new RestoreEngine().Run(new RestoreRequest
            {
                Backup = backup, TargetDatabase = target, Connection = fixture.Sandbox.Connection, ReplaceExisting = true,
                SafetyLockWaitTimeout = Wait,
            }, repository));
        }

        Assert.Equal("PgDumpLockTimeout", e.ErrorId);
        Assert.Equal("42", fixture.Sandbox.QueryScalar(target, "SELECT answer FROM only_in_target"));
        // Only the backup restored from is listed: no safety backup, complete or partial.
        Assert.Equal(backup.Id, Assert.Single(new BackupCatalog(repository).List()).Id);
        var targetDir = Path.Combine(dir.Path, target);
        Assert.False(Directory.Exists(targetDir) && Directory.EnumerateFiles(targetDir, "*", SearchOption.AllDirectories).Any(), "files of a safety backup remain");
    }
}
