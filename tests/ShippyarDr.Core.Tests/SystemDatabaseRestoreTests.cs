using ShippyarDr.Backup;
using ShippyarDr.Compression;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Restore;
using ShippyarDr.Sandbox;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// template0 and template1 are never restored over; postgres only when asked for explicitly. Refusals come before
/// anything is touched: no safety backup, no staging database, no roles.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SystemDatabaseRestoreTests(SandboxFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string OurDatabases(PostgresSandbox sandbox)
        => sandbox.QueryScalar("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'shippyar\\_re%'")!;

    [Theory]
    [InlineData("template0")]
    [InlineData("template1")]
    public void A_template_is_never_restored_over_even_when_replacement_is_allowed(string template)
    {
        var repo = new FileSystemRepository(_dir.Path);
        var backup = new BackupEngine().Run(new BackupRequest { Database = SandboxFixture.SampleDatabase, Connection = fixture.Sandbox.Connection }, repo);
        var e = Assert.Throws<ShippyarException>(() => new RestoreEngine().Run(new RestoreRequest
        {
            Backup = backup, TargetDatabase = template, Connection = fixture.Sandbox.Connection, ReplaceExisting = true, ReplacePostgresDatabase = true,
        }, repo));
        Assert.Equal("TemplateDatabaseTarget", e.ErrorId);
        Assert.Equal(ShippyarErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("nothing was changed", e.Message);
        Assert.DoesNotContain(new BackupCatalog(repo).List(), b => b.Tier == BackupTier.Safety);
        Assert.Equal("0", OurDatabases(fixture.Sandbox));
        Assert.Equal("0", fixture.Sandbox.QueryScalar("template1", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
    }

    [Fact]
    public void A_database_marked_as_template_is_not_replaced()
    {
        var db = fixture.CloneSample("user_template");
        fixture.Sandbox.Execute("postgres", $"ALTER DATABASE {db} IS_TEMPLATE true");
        try
        {
            var repo = new FileSystemRepository(_dir.Path);
            var backup = new BackupEngine().Run(new BackupRequest { Database = SandboxFixture.SampleDatabase, Connection = fixture.Sandbox.Connection }, repo);
            var e = Assert.Throws<ShippyarException>(() => new RestoreEngine().Run(new RestoreRequest
            {
                Backup = backup, TargetDatabase = db, Connection = fixture.Sandbox.Connection, ReplaceExisting = true,
            }, repo));
            Assert.Equal("TemplateDatabaseTarget", e.ErrorId);
            Assert.DoesNotContain(new BackupCatalog(repo).List(), b => b.Tier == BackupTier.Safety);
        }
        finally { fixture.Sandbox.Execute("postgres", $"ALTER DATABASE {db} IS_TEMPLATE false"); }
    }

    [Fact]
    public void Postgres_is_replaced_only_when_asked_for_explicitly_and_cluster_backups_hold_no_template()
    {
        using var server = PostgresSandbox.Start();
        server.CreateSampleDatabase(SandboxFixture.SampleDatabase, 0.01);
        server.Execute("postgres", "CREATE TABLE dba_notes (id int); INSERT INTO dba_notes VALUES (1)");
        // template1 unmarked as a template is still template1: no cluster backup takes it.
        server.Execute("postgres", "ALTER DATABASE template1 IS_TEMPLATE false");
        var repo = new FileSystemRepository(_dir.Path);
        var single = new BackupEngine().Run(new BackupRequest { Database = SandboxFixture.SampleDatabase, Connection = server.Connection }, repo);

        var refused = Assert.Throws<ShippyarException>(() => new RestoreEngine().Run(new RestoreRequest
        {
            Backup = single, TargetDatabase = "postgres", Connection = server.Connection, ReplaceExisting = true,
        }, repo));
        Assert.Equal("PostgresDatabaseTarget", refused.ErrorId);
        Assert.DoesNotContain("-Force", refused.Message);
        Assert.DoesNotContain(new BackupCatalog(repo).List(), b => b.Tier == BackupTier.Safety);
        Assert.Equal("1", server.QueryScalar("postgres", "SELECT count(*) FROM dba_notes"));
        Assert.Equal("0", OurDatabases(server));

        var replaced = new RestoreEngine().Run(new RestoreRequest
        {
            Backup = single, TargetDatabase = "postgres", Connection = server.Connection, ReplaceExisting = true, ReplacePostgresDatabase = true,
        }, repo);
        Assert.True(replaced.ReplacedExisting);
        Assert.NotNull(replaced.SafetyBackupId);
        Assert.Equal("0", server.QueryScalar("postgres", "SELECT count(*) FROM pg_tables WHERE tablename = 'dba_notes'"));
        Assert.Equal(server.QueryScalar(SandboxFixture.SampleDatabase, "SELECT count(*) FROM orders"), server.QueryScalar("postgres", "SELECT count(*) FROM orders"));

        // A cluster backup of that server, restored into one whose postgres is not empty.
        var passphrase = "cluster-Secret-7".ToCharArray();
        var weekly = new BackupEngine().Run(new BackupRequest
        {
            Connection = server.Connection, Tier = BackupTier.Weekly,
            Storage = new StorageOptions { Compression = CompressionCodec.Zstd(), Encryption = OpenPgpEncryption.WithPassphrase(passphrase) },
        }, repo);
        Assert.Equal(new[] { "postgres", SandboxFixture.SampleDatabase }, weekly.Databases.Select(d => d.Name).Order(StringComparer.Ordinal));

        using var other = PostgresSandbox.Start();
        other.Execute("postgres", "CREATE TABLE monitoring (id int)");
        var notEmpty = Assert.Throws<ShippyarException>(() => new ClusterRestoreEngine().Run(new ClusterRestoreRequest
        {
            Backup = weekly, Connection = other.Connection, Keys = Authentication.BackupKeys.Load(passphrase), ReplaceExisting = true,
        }, repo));
        Assert.Equal("PostgresDatabaseTarget", notEmpty.ErrorId);
        Assert.Equal("1", other.QueryScalar("postgres", "SELECT count(*) FROM pg_tables WHERE tablename = 'monitoring'"));
        Assert.Equal("0", other.QueryScalar("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{SandboxFixture.SampleDatabase}'"));

        var forced = new ClusterRestoreEngine().Run(new ClusterRestoreRequest
        {
            Backup = weekly, Connection = other.Connection, Keys = Authentication.BackupKeys.Load(passphrase), ReplaceExisting = true, ReplacePostgresDatabase = true,
        }, repo);
        Assert.True(forced.Passed);
        Assert.Equal("0", other.QueryScalar("postgres", "SELECT count(*) FROM pg_tables WHERE tablename = 'monitoring'"));
        Assert.Equal("0", other.QueryScalar("template1", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
    }
}
