using System.Security.Cryptography;
using ShippyarDr.Backup;
using ShippyarDr.Compression;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Restore;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// Restores and catalog reads of damaged backups fail with an error that says the backup is damaged and which file,
/// not with what pg_restore or a decompressor made of the damage.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DamagedBackupTests(SandboxFixture fixture) : IDisposable
{
    private const string Passphrase = "damaged-Passphrase-8";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (BackupInfo Backup, FileSystemRepository Repository, string DataFile) TakeBackup(CompressionCodec compression, bool encrypted)
    {
        var repo = new FileSystemRepository(Directory.CreateDirectory(Path.Combine(_dir.Path, Guid.NewGuid().ToString("n"))).FullName);
        var backup = new BackupEngine().Run(new BackupRequest
        {
            Database = SandboxFixture.SampleDatabase, Connection = fixture.Sandbox.Connection,
            Storage = new StorageOptions { Compression = compression, Encryption = encrypted ? OpenPgpEncryption.WithPassphrase(Passphrase.ToCharArray()) : null },
        }, repo);
        return (backup, repo, Path.Combine(repo.Root, BackupLayout.Key(backup, backup.Files[0].Name)));
    }

    private static void FlipByte(string file, long offset)
    {
        using var f = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        f.Position = offset;
        var b = f.ReadByte();
        f.Position = offset;
        f.WriteByte((byte)(b ^ 0xFF));
    }

    /// <summary>What an attacker (or a copy tool) that also rewrites the manifest leaves: stored checksum and size match again,
    /// and no chunk digests or MAC (a format 1 manifest has none), so the content's own checks are what is left.</summary>
    private static void MatchManifestTo(BackupInfo backup, IBackupRepository repo, string file)
    {
        backup.Files[0].Sha256 = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant();
        backup.Files[0].Size = new FileInfo(file).Length;
        DropChunkDigests(backup, repo);
    }

    /// <summary>The manifest rewritten without chunk digests (and so without its MAC): what a format 1 backup offers.</summary>
    private static void DropChunkDigests(BackupInfo backup, IBackupRepository repo)
    {
        foreach (var f in backup.Files) f.Chunks = null;
        var folder = Path.Combine(((FileSystemRepository)repo).Root, backup.Prefix!);
        File.WriteAllBytes(Path.Combine(folder, BackupLayout.ManifestName), ManifestSerializer.Serialize(backup));
        File.Delete(Path.Combine(folder, BackupLayout.MacName));
    }

    private ShippyarException Restore(BackupInfo backup, IBackupRepository repo, string target) => Assert.Throws<ShippyarException>(() =>
        new RestoreEngine().Run(new RestoreRequest
        {
            Backup = backup, TargetDatabase = fixture.UniqueName(target), Connection = fixture.Sandbox.Connection,
            Keys = Authentication.BackupKeys.WithPassphrase(Passphrase, allowUnauthenticated: true),
        }, repo));

    [Fact]
    public void A_byte_flipped_in_the_middle_of_an_encrypted_backup_is_a_damaged_backup()
    {
        var (backup, repo, file) = TakeBackup(CompressionCodec.Zstd(), encrypted: true);
        FlipByte(file, new FileInfo(file).Length / 2);
        var e = Restore(backup, repo, "flipped");
        Assert.Equal(("BackupCorrupt", ShippyarErrorKind.InvalidData), (e.ErrorId, e.Kind));
        Assert.Contains(file, e.Message);
        Assert.Contains("changed or damaged after it was written: chunk", e.Message);
    }

    [Fact]
    public void When_pg_restore_chokes_on_a_damaged_object_the_rest_is_read_and_the_damage_reported()
    {
        // Uncompressed, so nothing but pg_restore parses the garbled bytes: early in the archive they wreck its table
        // of contents and it fails with its own confused error before reading the rest.
        var (backup, repo, file) = TakeBackup(CompressionCodec.None, encrypted: true);
        DropChunkDigests(backup, repo);   // with them, the flipped chunk is refused before pg_restore sees it
        FlipByte(file, 200);
        var e = Restore(backup, repo, "choked");
        Assert.Equal("BackupCorrupt", e.ErrorId);
        Assert.Contains(file, e.Message);
        Assert.Equal("PgRestoreFailed", Assert.IsType<ShippyarException>(e.InnerException).ErrorId);
    }

    [Fact]
    public void Tampered_encrypted_data_behind_a_rewritten_manifest_fails_its_integrity_check()
    {
        var (backup, repo, file) = TakeBackup(CompressionCodec.None, encrypted: true);
        FlipByte(file, new FileInfo(file).Length / 2);
        MatchManifestTo(backup, repo, file);
        var e = Restore(backup, repo, "tampered");
        Assert.Equal(("EncryptedDataTampered", ShippyarErrorKind.InvalidData), (e.ErrorId, e.Kind));
        Assert.Contains(file, e.Message);
        Assert.Contains("integrity", e.Message);
    }

    [Fact]
    public void A_truncated_zstd_frame_behind_a_rewritten_manifest_is_compressed_data_corrupt()
    {
        var (backup, repo, file) = TakeBackup(CompressionCodec.Zstd(), encrypted: false);
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length * 6 / 10)]);
        MatchManifestTo(backup, repo, file);
        var e = Restore(backup, repo, "zstd");
        Assert.Equal(("CompressedDataCorrupt", ShippyarErrorKind.InvalidData), (e.ErrorId, e.Kind));
        Assert.Contains(file, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Garbled_zstd_content_behind_a_rewritten_manifest_fails_the_content_checksum()
    {
        // zstd frames carry no checksum of their own, so a flipped byte may decode to wrong bytes: the manifest's
        // checksum of the plain content is what catches it.
        var (backup, repo, file) = TakeBackup(CompressionCodec.Zstd(), encrypted: false);
        FlipByte(file, new FileInfo(file).Length / 2);
        MatchManifestTo(backup, repo, file);
        var e = Restore(backup, repo, "garbled");
        Assert.Equal(("BackupCorrupt", ShippyarErrorKind.InvalidData), (e.ErrorId, e.Kind));
        Assert.Contains(file, e.Message);
        Assert.Contains("after decryption and decompression", e.Message);
    }

    [Fact]
    public void A_truncated_gzip_backup_is_damaged_although_gzip_itself_reads_it_to_an_early_end()
    {
        var (backup, repo, file) = TakeBackup(CompressionCodec.Gzip(), encrypted: false);
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length * 6 / 10)]);
        var e = Restore(backup, repo, "gzip");
        Assert.Equal("BackupCorrupt", e.ErrorId);
        Assert.Contains(file, e.Message);
    }

    [Fact]
    public void Asking_for_a_backup_whose_manifest_is_unreadable_says_so_and_which_file()
    {
        var (backup, repo, _) = TakeBackup(CompressionCodec.Zstd(), encrypted: false);
        var manifest = Path.Combine(repo.Root, BackupLayout.Key(backup, BackupLayout.ManifestName));
        foreach (var content in new[] { "{ \"Id\": ", "{}", "[]", "{\"Id\": 5}", "null" })
        {
            File.WriteAllText(manifest, content);
            var e = Assert.Throws<ShippyarException>(() => new BackupCatalog(repo).Get(backup.Id));
            Assert.Equal(("ManifestCorrupt", ShippyarErrorKind.InvalidData), (e.ErrorId, e.Kind));
            Assert.Contains(manifest, e.Message);
            var reporter = new RecordingReporter();
            Assert.Empty(new BackupCatalog(repo).List(reporter: reporter));
            Assert.Contains(manifest, Assert.Single(reporter.Warnings));
        }
        Assert.Equal("BackupNotFound", Assert.Throws<ShippyarException>(() => new BackupCatalog(repo).Get("20200101-000000D-0000")).ErrorId);
    }

    [Fact]
    public void A_manifest_that_lists_no_archive_is_corrupt_when_restored()
    {
        var (backup, repo, _) = TakeBackup(CompressionCodec.Zstd(), encrypted: false);
        backup.Files.Clear();
        var e = Assert.Throws<ShippyarException>(() => DatabaseUnit.Of(backup, null));
        Assert.Equal("ManifestCorrupt", e.ErrorId);
        Assert.Contains(backup.Id, e.Message);
    }
}
