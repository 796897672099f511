using ShippyarDr.Authentication;
using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Restore;
using ShippyarDr.Verification;

namespace ShippyarDr.Core.Tests;

/// <summary>The safety backup a restore takes of what it replaces is protected like the backup it restores, never plain.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SafetyBackupTests(SandboxFixture fixture, GpgHome gpg) : IClassFixture<GpgHome>, IDisposable
{
    private const string Passphrase = "safety-Secret-7";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static bool LooksPlain(string path)
    {
        var head = new byte[4];
        using (var f = File.OpenRead(path)) f.ReadExactly(head);
        // zstd frames start 28 B5 2F FD; an OpenPGP message starts with a packet tag (high bit set).
        return head.AsSpan().SequenceEqual(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }) || (head[0] & 0x80) == 0;
    }

    [Fact]
    public void Restoring_a_passphrase_backup_over_a_database_takes_a_safety_backup_with_the_same_passphrase_and_a_MAC()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var database = fixture.CloneSample("safety_pass");
        var backup = new BackupEngine().Run(new BackupRequest
        {
            Database = database, Connection = fixture.Sandbox.Connection,
            Storage = new StorageOptions { Encryption = OpenPgpEncryption.WithPassphrase(Passphrase.ToCharArray()) },
        }, repo);
        var result = new RestoreEngine().Run(new RestoreRequest
        {
            Backup = backup, TargetDatabase = database, Connection = fixture.Sandbox.Connection, ReplaceExisting = true, Keys = BackupKeys.WithPassphrase(Passphrase),
        }, repo);
        var safety = new BackupCatalog(repo).Get(result.SafetyBackupId!);
        Assert.Equal(BackupTier.Safety, safety.Tier);
        Assert.All(safety.Files, f => Assert.Equal("passphrase", f.Encryption?.Mode));
        Assert.Equal(ManifestAuthentication.Mac, safety.Authentication);
        Assert.False(LooksPlain(Path.Combine(_dir.Path, safety.Prefix!, safety.Files[0].Name)));
        var verified = new BackupVerifier().Run(new VerificationRequest { Backup = safety, Level = VerificationLevel.Catalog, Keys = BackupKeys.WithPassphrase(Passphrase) }, repo);
        Assert.True(verified.Passed && verified.Authenticated, string.Join("\n", verified.Checks));
    }

    [Fact]
    public void Restoring_a_backup_encrypted_to_public_keys_encrypts_the_safety_backup_to_the_same_keys_signed_by_the_restoring_key()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var database = fixture.CloneSample("safety_keys");
        var host = SigningKey.Load(gpg.EcSecretKeyFile, GpgHome.KeyPassphrase.ToCharArray());
        var backup = new BackupEngine().Run(new BackupRequest
        {
            Database = database, Connection = fixture.Sandbox.Connection, Signing = host,
            Storage = new StorageOptions { Encryption = OpenPgpEncryption.ToRecipients(gpg.PublicKeyFile, new string?[] { null }) },
        }, repo);
        var keys = BackupKeys.Load(secretKeyFile: gpg.SecretKeyFile, secretKeyPassphrase: GpgHome.KeyPassphrase.ToCharArray(), signerKeyFile: gpg.BothPublicKeysFile);
        var result = new RestoreEngine().Run(new RestoreRequest
        {
            Backup = backup, TargetDatabase = database, Connection = fixture.Sandbox.Connection, ReplaceExisting = true, Keys = keys,
        }, repo);
        var safety = new BackupCatalog(repo).Get(result.SafetyBackupId!);
        Assert.All(safety.Files, f => Assert.Equal(new[] { gpg.Fingerprint }, f.Encryption?.KeyFingerprints));
        Assert.Equal(ManifestAuthentication.Signature, safety.Authentication);
        Assert.False(LooksPlain(Path.Combine(_dir.Path, safety.Prefix!, safety.Files[0].Name)));
        // Signed by the DR team's key, which did the restore; trusted where that key is among the signers.
        var verified = new BackupVerifier().Run(new VerificationRequest { Backup = safety, Level = VerificationLevel.Catalog, Keys = keys }, repo);
        Assert.True(verified.Passed, string.Join("\n", verified.Checks));
        Assert.Equal(gpg.Fingerprint, verified.Authenticity!.SignerFingerprint);
    }

    [Fact]
    public void A_wrong_passphrase_is_found_before_the_safety_backup_and_nothing_is_written()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var database = fixture.CloneSample("safety_wrong");
        var backup = new BackupEngine().Run(new BackupRequest
        {
            Database = database, Connection = fixture.Sandbox.Connection,
            Storage = new StorageOptions { Encryption = OpenPgpEncryption.WithPassphrase(Passphrase.ToCharArray()) },
        }, repo);
        fixture.Sandbox.Execute(database, "INSERT INTO users VALUES (77777777, 'kept@example.com', 'Kept', now(), NULL)");
        var e = Assert.Throws<ShippyarException>(() => new RestoreEngine().Run(new RestoreRequest
        {
            Backup = backup, TargetDatabase = database, Connection = fixture.Sandbox.Connection, ReplaceExisting = true, Keys = BackupKeys.WithPassphrase("wrong-one"),
        }, repo));
        Assert.Equal("DecryptionKeyWrong", e.ErrorId);
        Assert.DoesNotContain(new BackupCatalog(repo).List(), b => b.Tier == BackupTier.Safety);
        Assert.Empty(new BackupCatalog(repo).Incomplete());
        Assert.Equal("1", fixture.Sandbox.QueryScalar(database, "SELECT count(*) FROM users WHERE id = 77777777"));
    }
}
