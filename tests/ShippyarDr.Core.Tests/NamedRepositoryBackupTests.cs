using ShippyarDr.Authentication;
using ShippyarDr.Backup;
using ShippyarDr.Configuration;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Restore;
using ShippyarDr.Verification;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// Backups written, listed, verified and restored through registered repositories, as both hosts do it (Resolve, then
/// the settings): directory and s3rver, registered encryption, signing and signer keys, credentials by reference.
/// </summary>
[Collection(PostgresCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NamedRepositoryBackupTests(SandboxFixture fixture, GpgHome gpg, S3Server s3) : IClassFixture<GpgHome>, IClassFixture<S3Server>, IDisposable
{
    private const string Passphrase = "named-Repo-Pass-31";
    private readonly TempDirectory _dir = new("shippyar-named-");
    private readonly RecordingReporter _reporter = new();

    public void Dispose() => _dir.Dispose();

    private RepositoryRegistry Registry() => RepositoryRegistry.Load(new ConfigurationPaths(Path.Combine(_dir.Path, "machine.json"), Path.Combine(_dir.Path, "user.json")));

    private string NewDirectory(string name) => Directory.CreateDirectory(Path.Combine(_dir.Path, name)).FullName;

    private string SecretFile(string name, string content)
    {
        var path = Path.Combine(_dir.Path, name);
        File.WriteAllText(path, content + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private BackupInfo Backup(string database, IReadOnlyList<RepositorySettings> targets, StorageOptions? storage = null, SigningKey? signing = null)
        => new BackupEngine(_reporter).Run(new BackupRequest
        {
            Database = database, Connection = fixture.Sandbox.Connection,
            Storage = storage ?? new StorageOptions { Encryption = RepositorySettings.RegisteredEncryption(targets, _reporter) },
            Signing = signing ?? RepositorySettings.RegisteredSigningKey(targets, _reporter),
        }, targets.Select(t => t.Open()).ToList())[0];

    [Fact]
    public void A_directory_registered_with_a_passphrase_file_is_backed_up_verified_and_restored_by_name_with_it()
    {
        var registry = Registry();
        registry.Register(new RepositoryRegistration
        {
            Name = "local", Location = NewDirectory("local"), Encryption = new EncryptionReference { PassphraseFile = SecretFile("pass.txt", Passphrase) },
        }, ConfigurationScope.Machine, reporter: _reporter);
        var database = fixture.CloneSample("named_pass");
        var local = registry.Resolve("local");
        var backup = Backup(database, new[] { local });
        Assert.Equal(local.Location, backup.Repository);
        Assert.All(backup.Files, f => Assert.Equal("passphrase", f.Encryption?.Mode));
        Assert.Equal(ManifestAuthentication.Mac, backup.Authentication);

        // Read back as a piped BackupInfo is: by its location, which finds the registration and its passphrase.
        var again = Registry().Resolve(backup.Repository);
        Assert.Equal("local", again.Name);
        var repository = again.Open();
        var listed = new BackupCatalog(repository).Get(backup.Id);
        var keys = again.ReadingKeys(null, _reporter, writes: true);
        var verified = new BackupVerifier().Run(new VerificationRequest { Backup = listed, Level = VerificationLevel.Catalog, Keys = keys }, repository);
        Assert.True(verified.Passed && verified.Authenticated, string.Join("\n", verified.Checks));

        var restored = new RestoreEngine(_reporter).Run(new RestoreRequest
        {
            Backup = listed, TargetDatabase = database, Connection = fixture.Sandbox.Connection, ReplaceExisting = true, Keys = keys,
        }, repository);
        var safety = new BackupCatalog(repository).Get(restored.SafetyBackupId!);
        Assert.All(safety.Files, f => Assert.Equal("passphrase", f.Encryption?.Mode));
    }

    [Fact]
    public void Registered_recipients_signing_and_signer_keys_apply_and_a_plain_backups_safety_backup_is_encrypted_like_the_repository()
    {
        var registry = Registry();
        registry.Register(new RepositoryRegistration
        {
            Name = "vault", Location = NewDirectory("vault"),
            Encryption = new EncryptionReference { Recipients = new[] { "backup@shippyar.example" }, RecipientKeyFile = gpg.PublicKeyFile },
            Signing = new SigningReference { KeyFile = gpg.EcSecretKeyFile, PassphraseFile = gpg.PassphraseFile },
            SignerKeyFiles = new[] { gpg.EcPublicKeyFile, gpg.PublicKeyFile },
            Decryption = new DecryptionReference { SecretKeyFile = gpg.SecretKeyFile, PassphraseFile = gpg.PassphraseFile },
        }, reporter: _reporter);
        var vault = registry.Resolve("vault");
        var database = fixture.CloneSample("named_keys");
        var encrypted = Backup(database, new[] { vault });
        Assert.All(encrypted.Files, f => Assert.Equal(new[] { gpg.Fingerprint }, f.Encryption?.KeyFingerprints));
        Assert.Equal(ManifestAuthentication.Signature, encrypted.Authentication);

        var repository = vault.Open();
        var keys = vault.ReadingKeys(null, _reporter, writes: true);
        var verified = new BackupVerifier().Run(new VerificationRequest { Backup = encrypted, Level = VerificationLevel.Catalog, Keys = keys }, repository);
        Assert.True(verified.Passed && verified.Authenticated, string.Join("\n", verified.Checks));

        // A plain backup (signed, as the repository is sealed) restored over the database: its safety backup is not left
        // readable, but encrypted to the registered recipients and signed with the registered key.
        var plain = Backup(database, new[] { vault }, new StorageOptions());
        var restored = new RestoreEngine(_reporter).Run(new RestoreRequest
        {
            Backup = plain, TargetDatabase = database, Connection = fixture.Sandbox.Connection, ReplaceExisting = true, Keys = keys,
        }, repository);
        var safety = new BackupCatalog(repository).Get(restored.SafetyBackupId!);
        Assert.All(safety.Files, f => Assert.Equal(new[] { gpg.Fingerprint }, f.Encryption?.KeyFingerprints));
        Assert.Equal(ManifestAuthentication.Signature, safety.Authentication);
        var safetyVerified = new BackupVerifier().Run(new VerificationRequest { Backup = safety, Level = VerificationLevel.Checksum, Keys = keys }, repository);
        Assert.True(safetyVerified.Passed && safetyVerified.Authenticated, string.Join("\n", safetyVerified.Checks));
    }

    [Fact]
    public void A_reader_that_writes_nothing_never_reads_the_registered_signing_key()
    {
        var registry = Registry();
        registry.Register(new RepositoryRegistration
        {
            Name = "host", Location = NewDirectory("host"),
            Signing = new SigningReference { KeyFile = gpg.EcSecretKeyFile, PassphraseVariable = "SHIPPYAR_TEST_UNSET_PASSPHRASE" },
            SignerKeyFiles = new[] { gpg.EcPublicKeyFile },
        }, reporter: _reporter);
        var host = registry.Resolve("host");
        // A verification on the backup host: the signers apply, the signing key (its passphrase not set here) is not touched.
        var keys = host.ReadingKeys(null, _reporter);
        Assert.Null(keys.Signing);
        Assert.NotNull(keys.Signers);
        var e = Assert.Throws<ShippyarException>(() => host.ReadingKeys(null, _reporter, writes: true));
        Assert.Equal(ErrorIds.PassphraseVariableEmpty, e.ErrorId);
    }

    [Fact]
    public void Keys_a_host_gives_win_over_the_registered_ones()
    {
        var registry = Registry();
        registry.Register(new RepositoryRegistration
        {
            Name = "local", Location = NewDirectory("override"), Encryption = new EncryptionReference { PassphraseFile = SecretFile("p2.txt", Passphrase) },
        }, reporter: _reporter);
        var local = registry.Resolve("local");
        var backup = Backup(fixture.CloneSample("named_override"), new[] { local });
        var wrong = local.ReadingKeys(BackupKeys.WithPassphrase("not-the-Right-one-9"), _reporter);
        Assert.Equal("not-the-Right-one-9", new string(wrong.Passphrase));
        var result = new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Checksum, Keys = wrong }, local.Open());
        Assert.False(result.Passed);
    }

    [Fact]
    public void Two_repositories_registered_with_different_encryption_cannot_share_one_backup()
    {
        var registry = Registry();
        registry.Register(new RepositoryRegistration { Name = "a", Location = NewDirectory("a"), Encryption = new EncryptionReference { PassphraseFile = SecretFile("pa.txt", Passphrase) } });
        registry.Register(new RepositoryRegistration { Name = "b", Location = NewDirectory("b"), Encryption = new EncryptionReference { PassphraseVariable = "SHIPPYAR_TEST_B" } });
        registry.Register(new RepositoryRegistration { Name = "c", Location = NewDirectory("c") });
        var e = Assert.Throws<ShippyarException>(() => RepositorySettings.RegisteredEncryption(new[] { registry.Resolve("a"), registry.Resolve("b") }, _reporter));
        Assert.Equal(ErrorIds.RegisteredSettingsConflict, e.ErrorId);
        Assert.Contains("a and b", e.Message);
        // A repository registered without encryption has no say: the registered one applies to both.
        Assert.NotNull(RepositorySettings.RegisteredEncryption(new[] { registry.Resolve("a"), registry.Resolve("c") }, _reporter));
    }

    [Fact]
    public void An_s3_repository_registered_with_credential_variables_is_backed_up_listed_and_verified_by_name()
    {
        var prefix = "named-" + Guid.NewGuid().ToString("n")[..8];
        var registry = Registry();
        registry.Register(new RepositoryRegistration
        {
            Name = "offsite", Location = s3.Url(prefix),
            S3 = new S3Settings
            {
                Endpoint = s3.Endpoint, Timeout = TimeSpan.FromSeconds(20),
                Credentials = new S3CredentialReference { AccessKeyVariable = "SHIPPYAR_TEST_S3_KEY", SecretKeyVariable = "SHIPPYAR_TEST_S3_SECRET" },
            },
            Encryption = new EncryptionReference { PassphraseVariable = "SHIPPYAR_TEST_PASSPHRASE" },
        }, reporter: _reporter);
        var offsite = registry.Resolve("offsite");
        var missing = Assert.Throws<ShippyarException>(() => offsite.Open());
        Assert.Equal(ErrorIds.PassphraseVariableEmpty, missing.ErrorId);
        Assert.Contains("SHIPPYAR_TEST_S3_KEY", missing.Message);
        try
        {
            Environment.SetEnvironmentVariable("SHIPPYAR_TEST_S3_KEY", "S3RVER");
            Environment.SetEnvironmentVariable("SHIPPYAR_TEST_S3_SECRET", "S3RVER");
            Environment.SetEnvironmentVariable("SHIPPYAR_TEST_PASSPHRASE", Passphrase);
            var options = offsite.S3Options()!;
            Assert.Equal((s3.Endpoint, true, TimeSpan.FromSeconds(20), "S3RVER"), (options.Endpoint, options.ForcePathStyle, options.Timeout, options.AccessKey));
            var backup = Backup(fixture.CloneSample("named_s3"), new[] { offsite });
            Assert.Equal(s3.Url(prefix), backup.Repository);
            var byLocation = Registry().Resolve(backup.Repository);
            var repository = byLocation.Open();
            var listed = Assert.Single(new BackupCatalog(repository).List());
            var verified = new BackupVerifier().Run(new VerificationRequest
            {
                Backup = listed, Level = VerificationLevel.Restore, Connection = fixture.Sandbox.Connection, Keys = byLocation.ReadingKeys(null, _reporter),
            }, repository);
            Assert.True(verified.Passed && verified.Authenticated, string.Join("\n", verified.Checks));
            // A host's own settings win one by one: an endpoint that does not answer replaces the registered one.
            Assert.Equal("http://127.0.0.1:9", byLocation.S3Options(new S3Settings { Endpoint = "http://127.0.0.1:9" })!.Endpoint);
        }
        finally
        {
            foreach (var v in new[] { "SHIPPYAR_TEST_S3_KEY", "SHIPPYAR_TEST_S3_SECRET", "SHIPPYAR_TEST_PASSPHRASE" }) Environment.SetEnvironmentVariable(v, null);
        }
    }

    [Fact]
    public void An_s3_repository_registered_with_an_aws_profile_reads_its_credentials_from_the_shared_file()
    {
        var credentials = Path.Combine(_dir.Path, "aws-credentials");
        File.WriteAllText(credentials, "[shippyar-test]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n");
        var saved = Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE");
        try
        {
            Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", credentials);
            var registry = Registry();
            registry.Register(new RepositoryRegistration
            {
                Name = "profiled", Location = s3.Url("profiled-" + Guid.NewGuid().ToString("n")[..8]),
                S3 = new S3Settings { Endpoint = s3.Endpoint, Credentials = new S3CredentialReference { Profile = "shippyar-test" } },
            });
            var repository = registry.Resolve("profiled").Open();
            repository.WriteAtomically("probe.txt", "hello"u8);
            Assert.True(repository.Exists("probe.txt"));

            registry.Register(new RepositoryRegistration
            {
                Name = "unknown-profile", Location = s3.Url("nope"),
                S3 = new S3Settings { Endpoint = s3.Endpoint, Credentials = new S3CredentialReference { Profile = "no-such-profile" } },
            });
            var e = Assert.Throws<ShippyarException>(() => registry.Resolve("unknown-profile").Open().Exists("x"));
            Assert.Equal(ErrorIds.S3ProfileNotFound, e.ErrorId);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", saved);
        }
    }
}
