using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Restore;
using ShippyarDr.Verification;

namespace ShippyarDr.Core.Tests;

[Collection(PostgresCollection.Name)]
public sealed class VerifyAndRestoreTests(SandboxFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (BackupInfo, IBackupRepository) TakeBackup(string database)
    {
        var repo = new FileSystemRepository(_dir.Path);
        return (new BackupEngine().Run(new BackupRequest { Database = database, Connection = fixture.Sandbox.Connection }, repo), repo);
    }

    [Theory]
    [InlineData(VerificationLevel.Checksum)]
    [InlineData(VerificationLevel.Catalog)]
    [InlineData(VerificationLevel.Restore)]
    public void A_good_backup_passes_every_level(VerificationLevel level)
    {
        var (backup, repo) = TakeBackup(SandboxFixture.SampleDatabase);
        var result = new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = level, Connection = fixture.Sandbox.Connection }, repo);
        Assert.True(result.Passed, string.Join("\n", result.Checks));
        if (level == VerificationLevel.Restore)
        {
            Assert.NotNull(result.RestoreDuration);
            Assert.Contains(result.Checks, c => c.Name == "Foreign key public.order_items order_items_order_id_fkey" && c.Passed);
            Assert.Equal("0", fixture.Sandbox.QueryScalar("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{result.ScratchDatabase}'"));
        }
    }

    [Fact]
    public void A_broken_foreign_key_in_the_data_fails_the_restore_check_and_the_scratch_database_is_still_dropped()
    {
        // Orphan rows behind a NOT VALID constraint: pg_dump keeps the constraint NOT VALID, the check finds them.
        var db = fixture.CloneSample("orphans");
        fixture.Sandbox.Execute(db, """
            ALTER TABLE shipments DROP CONSTRAINT shipments_order_id_fkey;
            INSERT INTO shipments VALUES (99999999, 424242424, 'dhl', 'X', now(), NULL, NULL);
            ALTER TABLE shipments ADD CONSTRAINT shipments_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders(id) NOT VALID;
            """);
        var (backup, repo) = TakeBackup(db);
        var result = new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Restore, Connection = fixture.Sandbox.Connection }, repo);
        Assert.False(result.Passed);
        var fk = Assert.Single(result.Checks, c => c.Name == "Foreign key public.shipments shipments_order_id_fkey");
        Assert.False(fk.Passed);
        Assert.Contains("1 rows", fk.Detail);
        Assert.True(result.Checks.Single(c => c.Name == "Scratch database dropped").Passed);
    }

    [Fact]
    public void Restore_into_a_new_database_then_over_it_takes_a_safety_backup_first()
    {
        var source = fixture.CloneSample("restore_src");
        var (backup, repo) = TakeBackup(source);
        var target = fixture.UniqueName("restore_dst");
        var engine = new RestoreEngine();

        var first = engine.Run(new RestoreRequest { Backup = backup, TargetDatabase = target, Connection = fixture.Sandbox.Connection }, repo);
        Assert.True(first.Passed);
        Assert.Null(first.SafetyBackupId);

        fixture.Sandbox.Execute(target, "DELETE FROM order_items WHERE order_id < 100");
        var refused = Assert.Throws<ShippyarException>(() =>
            engine.Run(new RestoreRequest { Backup = backup, TargetDatabase = target, Connection = fixture.Sandbox.Connection }, repo));
        Assert.Equal("TargetExists", refused.ErrorId);

        var second = engine.Run(new RestoreRequest { Backup = backup, TargetDatabase = target, Connection = fixture.Sandbox.Connection, ReplaceExisting = true }, repo);
        Assert.True(second.ReplacedExisting);
        var safety = new BackupCatalog(repo).Get(second.SafetyBackupId!);
        Assert.Equal(BackupTier.Safety, safety.Tier);
        Assert.Equal(backup.Tables.Single(t => t.Name == "order_items").Rows - 99 * 3, safety.Tables.Single(t => t.Name == "order_items").Rows);
        Assert.Equal(backup.Tables.Single(t => t.Name == "order_items").Rows.ToString(), fixture.Sandbox.QueryScalar(target, "SELECT count(*) FROM order_items"));
    }
}
