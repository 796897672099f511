using ShippyarDr.Authentication;
using ShippyarDr.Backup;
using ShippyarDr.Compression;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Restore;
using ShippyarDr.Sandbox;
using ShippyarDr.Verification;

namespace ShippyarDr.Core.Tests;

/// <summary>Weekly cluster backups: globals and every database, encrypted; verified; restored into another, empty cluster.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterBackupTests(ClusterSandbox cluster) : IClassFixture<ClusterSandbox>, IDisposable
{
    private const string Passphrase = "weekly-Secret-42";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private BackupInfo WeeklyBackup(IBackupRepository repo) => new BackupEngine().Run(new BackupRequest
    {
        Connection = cluster.Sandbox.Connection, Tier = BackupTier.Weekly,
        Storage = new StorageOptions { Compression = CompressionCodec.Zstd(), Encryption = OpenPgpEncryption.WithPassphrase(Passphrase.ToCharArray()) },
    }, repo);

    [Fact]
    public void Weekly_requires_encryption()
    {
        var e = Assert.Throws<ShippyarException>(() => new BackupEngine().Run(new BackupRequest { Connection = cluster.Sandbox.Connection, Tier = BackupTier.Weekly },
            new FileSystemRepository(_dir.Path)));
        Assert.Equal("EncryptionRequired", e.ErrorId);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void Weekly_holds_globals_and_every_database_encrypted_and_gpg_psql_and_pg_restore_load_it_by_hand()
    {
        cluster.Sandbox.Execute("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shippyar_app') THEN CREATE ROLE shippyar_app LOGIN PASSWORD 'app-pw'; END IF; END $$");
        var repo = new FileSystemRepository(_dir.Path);
        var backup = WeeklyBackup(repo);

        Assert.True(backup.IsCluster);
        Assert.Equal(BackupEngine.ClusterScope, backup.Database);
        Assert.Equal(("365d", "GLACIER"), (backup.Retention, backup.StorageClass));
        Assert.Contains(backup.Databases, d => d.Name == SandboxFixture.SampleDatabase && d.Tables.Count == 4);
        Assert.Contains(backup.Databases, d => d.Name == "postgres");
        Assert.DoesNotContain(backup.Databases, d => d.Name.StartsWith("template", StringComparison.Ordinal));
        Assert.All(backup.Files, f => Assert.Equal("passphrase", f.Encryption!.Mode));
        var globals = backup.Files.Single(f => f.Format == "globals");
        Assert.EndsWith(".sql.zst.gpg", globals.Name);

        // A DBA without ShippyarDr: gpg, then zstd, gives the globals script with our role in it.
        var stored = Path.Combine(_dir.Path, backup.Prefix!, globals.Name);
        var pass = Path.Combine(_dir.Path, "pass");
        File.WriteAllText(pass, Passphrase);
        var script = Shell($"gpg --batch --pinentry-mode loopback --passphrase-file {pass} --decrypt {stored} 2>/dev/null | zstd -d");
        Assert.Contains("CREATE ROLE shippyar_app;", script);

        // And the same by hand into an empty cluster: psql loads the globals (keeping the target's own superuser
        // password, as a DBA would), pg_restore a database.
        using (var empty = PostgresSandbox.Start())
        {
            var env = empty.Connection.ToEnvironment("postgres");
            var sample = backup.Databases.Single(d => d.Name == SandboxFixture.SampleDatabase).File;
            Shell($"gpg --batch --pinentry-mode loopback --passphrase-file {pass} --decrypt {stored} 2>/dev/null | zstd -d | grep -v '^ALTER ROLE postgres ' | psql -q -X -d postgres", env);
            Shell($"gpg --batch --pinentry-mode loopback --passphrase-file {pass} --decrypt {Path.Combine(_dir.Path, backup.Prefix!, sample)} 2>/dev/null"
                + $" | zstd -d | /usr/lib/postgresql/15/bin/pg_restore --create -d postgres", env);
            Assert.Equal("1", empty.QueryScalar("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'shippyar_app'"));
            Assert.Equal(cluster.Sandbox.QueryScalar(SandboxFixture.SampleDatabase, "SELECT count(*) FROM order_items"),
                empty.QueryScalar(SandboxFixture.SampleDatabase, "SELECT count(*) FROM order_items"));
        }

        var verified = new BackupVerifier().Run(new VerificationRequest
        {
            Backup = backup, Level = VerificationLevel.Restore, Connection = cluster.Sandbox.Connection,
            Keys = BackupKeys.WithPassphrase(Passphrase),
        }, repo);
        Assert.True(verified.Passed, string.Join("\n", verified.Checks));
        Assert.Contains(verified.Checks, c => c.Name == "shippyar: Rows public.orders" && c.Passed);
    }

    [Fact]
    public void Restore_cluster_into_an_empty_cluster_brings_roles_and_databases()
    {
        cluster.Sandbox.Execute("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shippyar_app') THEN CREATE ROLE shippyar_app LOGIN PASSWORD 'app-pw'; END IF; END $$");
        var owned = "owned_" + Guid.NewGuid().ToString("n")[..8];
        cluster.Sandbox.Execute("postgres", $"CREATE DATABASE {owned} OWNER shippyar_app");
        cluster.Sandbox.Execute(owned, "CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes SELECT g, 'n' || g FROM generate_series(1, 250) g; ALTER TABLE notes OWNER TO shippyar_app;");
        var repo = new FileSystemRepository(_dir.Path);
        var backup = WeeklyBackup(repo);

        using var target = PostgresSandbox.Start();
        var noKey = Assert.Throws<ShippyarException>(() => new ClusterRestoreEngine().Run(new ClusterRestoreRequest { Backup = backup, Connection = target.Connection }, repo));
        Assert.Equal("DecryptionKeyRequired", noKey.ErrorId);

        var result = new ClusterRestoreEngine().Run(new ClusterRestoreRequest
        {
            Backup = backup, Connection = target.Connection, Keys = BackupKeys.WithPassphrase(Passphrase),
        }, repo);
        Assert.True(result.Passed);
        Assert.True(result.GlobalsRestored);
        Assert.Equal("1", target.QueryScalar("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'shippyar_app'"));
        Assert.Equal("shippyar_app", target.QueryScalar("postgres", $"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '{owned}'"));
        Assert.Equal("250", target.QueryScalar(owned, "SELECT count(*) FROM notes"));
        Assert.Equal("shippyar_app", target.QueryScalar(owned, "SELECT tableowner FROM pg_tables WHERE tablename = 'notes'"));
        Assert.Equal(cluster.Sandbox.QueryScalar(SandboxFixture.SampleDatabase, "SELECT count(*) FROM order_items"),
            target.QueryScalar(SandboxFixture.SampleDatabase, "SELECT count(*) FROM order_items"));
        // The restoring role kept its own password: the restore could go on connecting.
        Assert.Contains(result.GlobalsNotices, n => n.Contains("kept its definition", StringComparison.Ordinal));

        // A second run meets existing databases and refuses without -Force.
        var again = Assert.Throws<ShippyarException>(() => new ClusterRestoreEngine().Run(new ClusterRestoreRequest
        {
            Backup = backup, Connection = target.Connection, Keys = BackupKeys.WithPassphrase(Passphrase),
        }, repo));
        Assert.Equal("TargetExists", again.ErrorId);
    }

    [Fact]
    public void A_database_marked_as_a_template_is_backed_up_and_restored_as_one_and_a_closed_one_is_named_as_left_out()
    {
        var template = "template_gis_" + Guid.NewGuid().ToString("n")[..6];
        var closed = "closed_" + Guid.NewGuid().ToString("n")[..6];
        cluster.Sandbox.Execute("postgres", $"CREATE DATABASE {template}");
        cluster.Sandbox.Execute(template, "CREATE TABLE spatial_ref (srid int PRIMARY KEY); INSERT INTO spatial_ref SELECT generate_series(1, 42)");
        cluster.Sandbox.Execute("postgres", $"ALTER DATABASE {template} IS_TEMPLATE true");
        cluster.Sandbox.Execute("postgres", $"CREATE DATABASE {closed}");
        cluster.Sandbox.Execute("postgres", $"ALTER DATABASE {closed} ALLOW_CONNECTIONS false");
        try
        {
            var repo = new FileSystemRepository(_dir.Path);
            var backup = WeeklyBackup(repo);
            Assert.True(Assert.Single(backup.Databases, d => d.Name == template).IsTemplate);
            Assert.DoesNotContain(backup.Databases, d => d.Name == closed);
            Assert.Contains(backup.ExcludedDatabases, e => e.StartsWith(closed + ":", StringComparison.Ordinal));
            Assert.DoesNotContain(backup.Databases, d => d.Name is "template0" or "template1");

            using var target = PostgresSandbox.Start();
            var result = new ClusterRestoreEngine().Run(new ClusterRestoreRequest { Backup = backup, Connection = target.Connection, Keys = BackupKeys.WithPassphrase(Passphrase) }, repo);
            Assert.True(result.Passed);
            Assert.Equal("42", target.QueryScalar(template, "SELECT count(*) FROM spatial_ref"));
            Assert.Equal("True", target.QueryScalar("postgres", $"SELECT datistemplate FROM pg_database WHERE datname = '{template}'"));
        }
        finally
        {
            cluster.Sandbox.Execute("postgres", $"ALTER DATABASE {template} IS_TEMPLATE false");
            cluster.Sandbox.Execute("postgres", $"DROP DATABASE {template}");
            cluster.Sandbox.Execute("postgres", $"DROP DATABASE {closed}");
        }
    }

    private static string Shell(string command, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }
}
