using System.Diagnostics;
using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Repository;
using ShippyarDr.Verification;

namespace ShippyarDr.Core.Tests;

/// <summary>Physical base backups of a cluster with a real tablespace, streamed into repositories.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BaseBackupTests(TablespaceSandbox cluster) : IClassFixture<TablespaceSandbox>, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private BackupInfo BaseBackup(IBackupRepository repo) => new BackupEngine().Run(new BackupRequest
    {
        Connection = cluster.Sandbox.Connection, Tier = BackupTier.Base, Checkpoint = CheckpointMode.Fast,
    }, repo);

    [Fact]
    public void Base_backup_holds_every_tablespace_the_wal_and_the_backup_manifest()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var backup = BaseBackup(repo);

        Assert.Equal(BackupKind.Physical, backup.Kind);
        var physical = backup.Physical!;
        var folder = Path.Combine(_dir.Path, backup.Prefix!);
        Assert.Equal(new[] { $"{cluster.TablespaceOid}.tar.zst", "backup_manifest.zst", "base.tar.zst", "pg_wal.tar.zst" }.Order(), backup.Files.Select(f => f.Name).Order());
        var listing = Shell($"zstd -dc {folder}/base.tar.zst | tar -t");
        Assert.Contains("backup_label", listing);
        Assert.Contains("tablespace_map", listing);
        Assert.Contains("global/pg_control", listing);
        var wal = Shell($"zstd -dc {folder}/pg_wal.tar.zst | tar -t");
        Assert.Contains($"pg_wal/{physical.FirstWalSegment}", wal);
        Assert.DoesNotContain("pg_wal/0", listing);
        var ts = Shell($"zstd -dc {folder}/{cluster.TablespaceOid}.tar.zst | tar -t");
        Assert.StartsWith("PG_15_", ts);
        Assert.Contains("\"Manifest-Checksum\"", Shell($"zstd -dc {folder}/backup_manifest.zst"));
        Assert.Single(physical.Tablespaces);
        Assert.Equal(cluster.TablespaceDirectory, physical.Tablespaces[0].Location);
        Assert.Equal(TablespaceSandbox.TablespaceName, physical.Tablespaces[0].Name);
    }

    [Fact]
    public void Base_backup_passes_catalog_and_restore_and_the_scratch_cluster_is_gone_afterwards()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var backup = BaseBackup(repo);

        var catalog = new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Catalog }, repo);
        Assert.True(catalog.Passed, string.Join("\n", catalog.Checks));
        Assert.Contains(catalog.Checks, c => c.Name == "Files base.tar.zst" && c.Detail.Contains("match the backup manifest", StringComparison.Ordinal));
        Assert.Contains(catalog.Checks, c => c.Name == "Backup manifest complete" && c.Passed);

        var restore = new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Restore }, repo);
        Assert.True(restore.Passed, string.Join("\n", restore.Checks));
        Assert.Contains(restore.Checks, c => c.Name == $"pg_amcheck {SandboxFixture.SampleDatabase}" && c.Passed);
        Assert.Contains(restore.Checks, c => c.Name == $"pg_amcheck {TablespaceSandbox.TablespaceDatabase}" && c.Passed);
        Assert.NotNull(restore.RestoreDuration);
        Assert.False(Directory.Exists(restore.ScratchDataDirectory));
        Assert.DoesNotContain(restore.ScratchDataDirectory!, Shell("ps -eo args"));
    }

    private static string Shell(string command)
    {
        var psi = new ProcessStartInfo("bash", new[] { "-c", "set -o pipefail; " + command }) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{command}: {error}");
        return output;
    }
}
