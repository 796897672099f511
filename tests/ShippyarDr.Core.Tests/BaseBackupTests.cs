using System.Diagnostics;
using ShippyarDr.Authentication;
using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;
using ShippyarDr.Physical.Tar;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;
using ShippyarDr.Verification;

namespace ShippyarDr.Core.Tests;

/// <summary>Physical base backups of a cluster with a real tablespace, streamed into repositories, and verified.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BaseBackupTests(TablespaceSandbox cluster, S3Server s3, GpgHome gpg) : IClassFixture<TablespaceSandbox>, IClassFixture<S3Server>, IClassFixture<GpgHome>, IDisposable
{
    private const string Passphrase = "base-Backup-Passphrase-93";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private BackupInfo BaseBackup(IBackupRepository repo, StorageOptions? storage = null, SigningKey? signing = null) => new BackupEngine().Run(new BackupRequest
    {
        Connection = cluster.Sandbox.Connection, Tier = BackupTier.Base, Checkpoint = CheckpointMode.Fast, Storage = storage ?? new StorageOptions(), Signing = signing,
    }, repo);

    private FileSystemRepository NewRepository() => new(Directory.CreateDirectory(Path.Combine(_dir.Path, Guid.NewGuid().ToString("n"))).FullName);

    private static VerificationResult Verify(BackupInfo backup, IBackupRepository repo, VerificationLevel level, BackupKeys? keys = null)
        => new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = level, Keys = keys ?? BackupKeys.None }, repo);

    [Fact]
    public void Base_backup_holds_every_tablespace_the_wal_and_the_backup_manifest()
    {
        var repo = NewRepository();
        var backup = BaseBackup(repo);

        Assert.Equal(BackupKind.Physical, backup.Kind);
        Assert.True(backup.IsCluster);
        Assert.Equal(BackupEngine.ClusterScope, backup.Database);
        Assert.Equal(("30d", "STANDARD"), (backup.Retention, backup.StorageClass));
        Assert.StartsWith(BackupLayout.ClusterPrefix, backup.Prefix);
        var physical = backup.Physical!;
        var folder = Path.Combine(repo.Root, backup.Prefix!);
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
        Assert.Equal(cluster.TablespaceOid, physical.Tablespaces[0].Oid);

        // What the manifest records, and what it reads back as.
        Assert.Equal(1, physical.Timeline);
        Assert.True(Wal.WalPosition.Parse(physical.StopLsn) > Wal.WalPosition.Parse(physical.StartLsn));
        Assert.Equal(Wal.WalFileName.ForLsn(1, Wal.WalPosition.Parse(physical.StartLsn), (int)physical.WalSegmentSize).Name, physical.FirstWalSegment);
        Assert.Equal(physical.LastWalSegment, physical.ArchiveNeededFrom);
        Assert.Equal(16L * 1024 * 1024, physical.WalSegmentSize);
        Assert.Equal("postgres", physical.BootstrapSuperuser);
        Assert.Contains($"START WAL LOCATION: {physical.StartLsn}", physical.BackupLabel);
        Assert.True(physical.StartTime <= physical.StopTime);
        Assert.Equal(("base.tar.zst", "pg_wal.tar.zst", "backup_manifest.zst"), (physical.BaseFile, physical.WalFile, physical.ManifestFile));
        Assert.Equal(cluster.Sandbox.QueryScalar("postgres", "SELECT system_identifier::text FROM pg_control_system()"), backup.SystemIdentifier);
        var listed = new BackupCatalog(repo).Get(backup.Id);
        Assert.Equal(BackupKind.Physical, listed.Kind);
        Assert.Equal(physical.StopLsn, listed.Physical!.StopLsn);
        Assert.Equal(physical.Tablespaces[0].File, listed.Physical.Tablespaces[0].File);
        Assert.Contains("libpq", backup.ToolVersions.Keys);
        // The temporary slot that held the WAL went with the session.
        Assert.Equal("0", cluster.Sandbox.QueryScalar("postgres", "SELECT count(*) FROM pg_replication_slots"));
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

    [Fact]
    public void A_damaged_file_inside_a_tar_fails_catalog_even_with_consistent_checksums()
    {
        var repo = NewRepository();
        var backup = BaseBackup(repo);
        // Someone rewrote base.tar with one byte of PG_VERSION changed, and fixed every checksum ShippyarDr keeps: only the
        // server's backup_manifest can tell.
        var forged = Reforge(repo, backup, backup.Physical!.BaseFile, tar => ChangeMember(tar, "PG_VERSION", data => data[0] ^= 0x01));
        Assert.True(Verify(forged, repo, VerificationLevel.Checksum).Passed);
        var catalog = Verify(forged, repo, VerificationLevel.Catalog);
        Assert.False(catalog.Passed);
        var files = catalog.Checks.Single(c => c.Name == "Files base.tar.zst");
        Assert.False(files.Passed);
        Assert.Contains("PG_VERSION has SHA-256", files.Detail);
        Assert.True(catalog.Checks.Single(c => c.Name == "Content checksum base.tar.zst").Passed);
        // And a restore verification stops at the catalog: nothing is restored from it.
        var restore = Verify(forged, repo, VerificationLevel.Restore);
        Assert.False(restore.Passed);
        Assert.DoesNotContain(restore.Checks, c => c.Name.StartsWith("Restore into", StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_the_backup_manifest_lists_but_the_tars_lack_fails_catalog()
    {
        var repo = NewRepository();
        var backup = BaseBackup(repo);
        var tablespaceTar = backup.Physical!.Tablespaces[0].File;
        string? removed = null;
        var forged = Reforge(repo, backup, tablespaceTar, tar => RemoveMember(tar, m => m.IsFile && m.Name.EndsWith("_fsm", StringComparison.Ordinal), out removed));
        var catalog = Verify(forged, repo, VerificationLevel.Catalog);
        Assert.False(catalog.Passed);
        var complete = catalog.Checks.Single(c => c.Name == "Backup manifest complete");
        Assert.False(complete.Passed);
        Assert.Contains($"pg_tblspc/{backup.Physical.Tablespaces[0].Oid}/{removed}", complete.Detail);
        Assert.True(catalog.Checks.Single(c => c.Name == $"Files {tablespaceTar}").Passed);
    }

    [Fact]
    public void A_wal_segment_that_is_not_the_one_named_fails_catalog()
    {
        var repo = NewRepository();
        var backup = BaseBackup(repo);
        var segment = $"pg_wal/{backup.Physical!.FirstWalSegment}";
        // Its page header claims another position (bytes 8..15 are xlp_pageaddr).
        var forged = Reforge(repo, backup, backup.Physical.WalFile, tar => ChangeMember(tar, segment, data => data[10] ^= 0x10));
        var catalog = Verify(forged, repo, VerificationLevel.Catalog);
        var files = catalog.Checks.Single(c => c.Name == $"Files {backup.Physical.WalFile}");
        Assert.False(files.Passed);
        Assert.Contains($"{segment} does not begin with its own page header", files.Detail);
    }

    [Fact]
    public void Stored_bytes_changed_in_a_tar_fail_checksum_and_catalog_at_their_chunk()
    {
        var repo = NewRepository();
        var backup = BaseBackup(repo);
        var stored = Path.Combine(repo.Root, backup.Prefix!, backup.Physical!.BaseFile);
        using (var f = new FileStream(stored, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = f.Length / 2;
            var b = f.ReadByte();
            f.Position = f.Length / 2;
            f.WriteByte((byte)(b ^ 0xFF));
        }
        Assert.False(Verify(backup, repo, VerificationLevel.Checksum).Passed);
        var catalog = Verify(backup, repo, VerificationLevel.Catalog);
        Assert.False(catalog.Checks.Single(c => c.Name == "Checksum base.tar.zst").Passed);
        Assert.False(catalog.Checks.Single(c => c.Name == "Files base.tar.zst").Passed);
    }

    [Fact]
    public void Encrypted_and_signed_into_s3_the_backup_authenticates_and_restores_from_there()
    {
        using var repo = new S3Repository(s3.Url($"base-{Guid.NewGuid():n}"), s3.Options());
        var signing = SigningKey.Load(gpg.EcSecretKeyFile, GpgHome.KeyPassphrase.ToCharArray());
        var backup = BaseBackup(repo, new StorageOptions { Encryption = OpenPgpEncryption.WithPassphrase(Passphrase.ToCharArray()) }, signing);
        Assert.Equal(ManifestAuthentication.Signature | ManifestAuthentication.Mac, backup.Authentication);
        Assert.All(backup.Files, f => Assert.EndsWith(".zst.gpg", f.Name));

        var keys = BackupKeys.Load(passphrase: Passphrase.ToCharArray(), signerKeyFile: gpg.EcPublicKeyFile);
        var restore = Verify(new BackupCatalog(repo).Get(backup.Id), repo, VerificationLevel.Restore, keys);
        Assert.True(restore.Passed, string.Join("\n", restore.Checks));
        Assert.True(restore.Authenticated);
        Assert.Contains("signed by", restore.Authenticity!.Detail);

        // Copied to a directory, it is the same backup, still signed.
        var local = NewRepository();
        var copy = new BackupCopier().Copy(backup, repo, local);
        Assert.True(Verify(new BackupCatalog(local).Get(copy.Id), local, VerificationLevel.Catalog, keys).Passed);

        // A manifest changed in the copy (its stop moved, say) no longer matches its seals.
        var manifestPath = Path.Combine(local.Root, copy.Prefix!, BackupLayout.ManifestName);
        File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace(backup.Physical!.StopLsn, "0/FFFFFFFF"));
        var forged = Verify(new BackupCatalog(local).Get(copy.Id), local, VerificationLevel.Catalog, keys);
        Assert.False(forged.Passed);
        Assert.False(forged.Checks.Single(c => c.Name == "Authenticity").Passed);

        // A signer nobody trusts is refused before anything is read.
        var strangers = BackupKeys.Load(passphrase: Passphrase.ToCharArray(), signerKeyFile: gpg.PublicKeyFile);
        var refused = Verify(backup, repo, VerificationLevel.Catalog, strangers);
        Assert.False(refused.Passed);
        Assert.Single(refused.Checks);
    }

    [Fact]
    public void A_role_without_replication_is_told_so()
    {
        cluster.Sandbox.Execute("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'plain_reader') THEN CREATE ROLE plain_reader LOGIN PASSWORD 'reader-Pw-51'; END IF; END $$");
        var repo = NewRepository();
        var e = Assert.Throws<ShippyarException>(() => new BackupEngine().Run(new BackupRequest
        {
            Connection = new Connection.PgConnectionInfo("127.0.0.1", cluster.Sandbox.Port, "plain_reader", "reader-Pw-51"), Tier = BackupTier.Base,
        }, repo));
        Assert.Equal(ErrorIds.ReplicationNotAllowed, e.ErrorId);
        Assert.Contains("REPLICATION", e.Message);
        Assert.DoesNotContain(Directory.EnumerateFiles(repo.Root, "*", SearchOption.AllDirectories), f => !f.EndsWith("repository.json", StringComparison.Ordinal));
    }

    [Fact]
    public void A_checkpoint_mode_belongs_to_base_backups_only()
    {
        var e = Assert.Throws<ShippyarException>(() => new BackupEngine().Run(new BackupRequest
        {
            Connection = cluster.Sandbox.Connection, Database = SandboxFixture.SampleDatabase, Checkpoint = CheckpointMode.Fast,
        }, NewRepository()));
        Assert.Equal(ErrorIds.CheckpointNotApplicable, e.ErrorId);
    }

    [Fact]
    public void Cancelling_during_a_spread_checkpoint_stops_the_backup_and_leaves_nothing()
    {
        var repo = NewRepository();
        using var cancel = new CancellationTokenSource();
        // Thousands of dirty pages make the spread checkpoint pace itself over minutes (checkpoint_completion_target), so the
        // backup is still waiting for it when cancelled.
        cluster.Sandbox.Execute("postgres", "CREATE TABLE ballast AS SELECT g, repeat('x', 200) AS filler FROM generate_series(1, 100000) g");
        try { CancelDuringCheckpoint(repo, cancel); }
        finally { cluster.Sandbox.Execute("postgres", "DROP TABLE ballast"); }
    }

    private void CancelDuringCheckpoint(FileSystemRepository repo, CancellationTokenSource cancel)
    {
        var clock = Stopwatch.StartNew();
        var run = Task.Run(() => new BackupEngine().Run(new BackupRequest
        {
            Connection = cluster.Sandbox.Connection, Tier = BackupTier.Base, Checkpoint = CheckpointMode.Spread,
        }, repo, cancel.Token));
        Assert.True(SpinWait.SpinUntil(() => cluster.Sandbox.QueryScalar("postgres", "SELECT count(*) FROM pg_stat_progress_basebackup") == "1", 20_000), "the base backup never started");
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => run.GetAwaiter().GetResult());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"cancelling took {clock.Elapsed}");
        Assert.True(SpinWait.SpinUntil(() => cluster.Sandbox.QueryScalar("postgres", "SELECT count(*) FROM pg_stat_replication") == "0"
                                             && cluster.Sandbox.QueryScalar("postgres", "SELECT count(*) FROM pg_replication_slots") == "0", 10_000));
        Assert.Empty(new BackupCatalog(repo).Scan().Backups);
        Assert.DoesNotContain(Directory.EnumerateFiles(repo.Root, "*", SearchOption.AllDirectories), f => !f.EndsWith("repository.json", StringComparison.Ordinal));
    }

    /// <summary>Replaces one stored object of an unsealed backup with other plain content, stored and checksummed as a writer would.</summary>
    private static BackupInfo Reforge(FileSystemRepository repo, BackupInfo backup, string fileName, Func<byte[], byte[]> change)
    {
        var index = backup.Files.FindIndex(f => f.Name == fileName);
        var file = backup.Files[index];
        byte[] plain;
        using (var reader = new StoredObjectReader(repo, backup, file, null))
        using (var buffer = new MemoryStream())
        {
            reader.CopyTo(buffer);
            plain = buffer.ToArray();
        }
        var key = BackupLayout.Key(backup, fileName);
        File.Delete(Path.Combine(repo.Root, key));
        File.Delete(Path.Combine(repo.Root, key + BackupLayout.ChunksSuffix));
        var written = StoredObjectWriter.Write(new MemoryStream(change(plain)), new[] { repo }, key, file.Format, new StorageOptions(), false, null, default);
        backup.Files[index] = written.File;
        File.Delete(Path.Combine(repo.Root, BackupLayout.Key(backup, BackupLayout.ManifestName)));
        new BackupCatalog(repo).Save(backup);
        return new BackupCatalog(repo).Get(backup.Id);
    }

    /// <summary>The members of a tar as (header offset, header) pairs.</summary>
    private static IEnumerable<(int Offset, TarHeader Header)> Members(byte[] tar)
    {
        var offset = 0;
        while (offset + TarHeader.BlockSize <= tar.Length && !TarHeader.IsZeroBlock(tar.AsSpan(offset, TarHeader.BlockSize)))
        {
            var header = TarHeader.Parse(tar.AsSpan(offset, TarHeader.BlockSize).ToArray(), "test");
            yield return (offset, header);
            offset += TarHeader.BlockSize + (int)header.Size + header.Padding;
        }
    }

    private static byte[] ChangeMember(byte[] tar, string name, Action<Span<byte>> change)
    {
        var (offset, header) = Members(tar).Single(m => m.Header.Name == name);
        change(tar.AsSpan(offset + TarHeader.BlockSize, (int)header.Size));
        return tar;
    }

    private static byte[] RemoveMember(byte[] tar, Func<TarHeader, bool> which, out string? removed)
    {
        var (offset, header) = Members(tar).First(m => which(m.Header));
        removed = header.Name;
        var length = TarHeader.BlockSize + (int)header.Size + header.Padding;
        return tar[..offset].Concat(tar[(offset + length)..]).ToArray();
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
