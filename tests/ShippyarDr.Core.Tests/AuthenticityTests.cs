using System.Text;
using System.Text.Json.Nodes;
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

/// <summary>
/// The forgery a hostile tester showed: someone who can write to the repository and holds the recipients' public key
/// (the backup host itself) makes a Weekly backup whose globals create a superuser. Signed manifests stop it; so do
/// the downgrade rules when the signature is stripped; the globals check stops psql meta-commands independently.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AuthenticityTests(ClusterSandbox cluster, GpgHome gpg) : IClassFixture<ClusterSandbox>, IClassFixture<GpgHome>, IDisposable
{
    private const string Passphrase = "weekly-Secret-42";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The backup host signs with the "Vault" key; backups are encrypted to the DR team's "Backup" key.</summary>
    private SigningKey HostKey => SigningKey.Load(gpg.EcSecretKeyFile, GpgHome.KeyPassphrase.ToCharArray());

    private BackupKeys DrTeam(bool allowUnauthenticated = false, string? signers = null) => BackupKeys.Load(
        secretKeyFile: gpg.SecretKeyFile, secretKeyPassphrase: GpgHome.KeyPassphrase.ToCharArray(),
        signerKeyFile: signers ?? gpg.EcPublicKeyFile, allowUnauthenticated: allowUnauthenticated);

    private static BackupInfo Weekly(PostgresSandbox server, IBackupRepository repo, string recipientKeys, SigningKey? signing) => new BackupEngine().Run(new BackupRequest
    {
        Connection = server.Connection, Tier = BackupTier.Weekly, Signing = signing,
        Storage = new StorageOptions { Encryption = OpenPgpEncryption.ToRecipients(recipientKeys, new string?[] { null }) },
    }, repo);

    /// <summary>Mallory's own signing key, made with gpg like any other.</summary>
    private (SigningKey Key, string Fingerprint) MalloryKey()
    {
        var file = Path.Combine(gpg.Home, "mallory.sec.asc");
        if (!File.Exists(file))
        {
            gpg.Run("--passphrase", "", "--quick-gen-key", "Mallory <mallory@evil.example>", "default", "default", "never");
            gpg.Run("--passphrase", "", "--armor", "--output", file, "--export-secret-keys", "mallory@evil.example");
        }
        var key = SigningKey.Load(file, null);
        return (key, key.Fingerprint);
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }

    [Fact]
    public void A_forged_weekly_backup_is_refused_signed_by_another_key_or_with_its_signature_stripped()
    {
        var victim = new FileSystemRepository(_dir.Path);
        var legit = Weekly(cluster.Sandbox, victim, gpg.PublicKeyFile, HostKey);
        Assert.Equal(ManifestAuthentication.Signature, legit.Authentication);

        // Mallory's cluster has a superuser; her backup of it, encrypted to the DR team's public key, signed by her.
        using var attacker = PostgresSandbox.Start();
        attacker.Execute("postgres", "CREATE ROLE evil SUPERUSER LOGIN PASSWORD 'evil-pw'");
        using var workshop = new TempDirectory();
        var (mallory, malloryFingerprint) = MalloryKey();
        var forged = Weekly(attacker, new FileSystemRepository(workshop.Path), gpg.PublicKeyFile, mallory);
        CopyFolder(Path.Combine(workshop.Path, forged.Prefix!), Path.Combine(_dir.Path, forged.Prefix!));
        var planted = new BackupCatalog(victim).Get(forged.Id);

        var good = new BackupVerifier().Run(new VerificationRequest { Backup = new BackupCatalog(victim).Get(legit.Id), Level = VerificationLevel.Catalog, Keys = DrTeam() }, victim);
        Assert.True(good.Passed, string.Join("\n", good.Checks));
        Assert.True(good.Authenticated);
        Assert.Equal(HostKey.Fingerprint, good.Authenticity!.SignerFingerprint);

        var bad = new BackupVerifier().Run(new VerificationRequest { Backup = planted, Level = VerificationLevel.Restore, Connection = cluster.Sandbox.Connection, Keys = DrTeam() }, victim);
        Assert.False(bad.Passed);
        var check = Assert.Single(bad.Checks);   // nothing else ran: no scratch restore of a forged backup
        Assert.Equal("Authenticity", check.Name);
        Assert.Contains("not one of the signers' keys given", check.Detail);
        Assert.Contains(malloryFingerprint[^16..], check.Detail);

        using var target = PostgresSandbox.Start();
        var refused = Assert.Throws<ShippyarException>(() => new ClusterRestoreEngine().Run(new ClusterRestoreRequest { Backup = planted, Connection = target.Connection, Keys = DrTeam() }, victim));
        Assert.Equal("BackupNotAuthentic", refused.ErrorId);
        Assert.Equal("0", target.QueryScalar("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'evil'"));

        // Stripped of its signature it is unauthenticated, and refused: signers were given, the repository holds
        // authenticated backups, and an encrypted backup of this layout is always sealed.
        File.Delete(Path.Combine(_dir.Path, forged.Prefix!, BackupLayout.SignatureName));
        planted = new BackupCatalog(victim).Get(forged.Id);
        Assert.Equal("BackupNotAuthentic", Assert.Throws<ShippyarException>(() => new ClusterRestoreEngine().Run(
            new ClusterRestoreRequest { Backup = planted, Connection = target.Connection, Keys = DrTeam() }, victim)).ErrorId);
        var stripped = new BackupVerifier().Run(new VerificationRequest { Backup = planted, Level = VerificationLevel.Checksum, Keys = BackupKeys.None }, victim);
        Assert.False(stripped.Passed);
        Assert.Contains("unauthenticated", stripped.Checks[0].Detail);
        // Only an explicit allowance lets it through, and it is reported for what it is.
        var allowed = new BackupVerifier().Run(new VerificationRequest { Backup = planted, Level = VerificationLevel.Catalog, Keys = DrTeam(allowUnauthenticated: true, signers: null) }, victim);
        Assert.True(allowed.Checks[0].Passed);
        Assert.False(allowed.Authenticated);
        Assert.Contains("unauthenticated", allowed.Checks[0].Detail);
        Assert.Equal("0", target.QueryScalar("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'evil'"));
    }

    [Fact]
    public void Gpg_verifies_the_manifest_signature_and_a_changed_manifest_fails_it()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var backup = Weekly(cluster.Sandbox, repo, gpg.PublicKeyFile, HostKey);
        var folder = Path.Combine(_dir.Path, backup.Prefix!);
        gpg.Run("--verify", Path.Combine(folder, "manifest.json.sig"), Path.Combine(folder, "manifest.json"));
        var changed = Path.Combine(_dir.Path, "changed.json");
        File.WriteAllText(changed, File.ReadAllText(Path.Combine(folder, "manifest.json")).Replace("\"Weekly\"", "\"Daily\""));
        Assert.Throws<InvalidOperationException>(() => gpg.Run("--verify", Path.Combine(folder, "manifest.json.sig"), changed));
        // The recipients' public keys travel in the (signed) manifest, for the safety backup of a later restore.
        Assert.Contains("BEGIN PGP PUBLIC KEY BLOCK", backup.RecipientKeys);
        Assert.True(RepositoryDescriptor.Read(repo)!.Authenticated);
    }

    [Fact]
    public void Encrypting_to_public_keys_without_a_signing_key_is_refused_before_anything_is_written()
    {
        var repo = new FileSystemRepository(_dir.Path);
        Assert.Equal("SigningKeyRequired", Assert.Throws<ShippyarException>(() => Weekly(cluster.Sandbox, repo, gpg.PublicKeyFile, null)).ErrorId);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void A_passphrase_backup_carries_a_MAC_that_catches_a_changed_manifest_and_a_wrong_passphrase_is_named_as_such()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var backup = new BackupEngine().Run(new BackupRequest
        {
            Connection = cluster.Sandbox.Connection, Database = SandboxFixture.SampleDatabase,
            Storage = new StorageOptions { Encryption = OpenPgpEncryption.WithPassphrase(Passphrase.ToCharArray()) },
        }, repo);
        Assert.Equal(ManifestAuthentication.Mac, backup.Authentication);
        var ok = new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Catalog, Keys = BackupKeys.WithPassphrase(Passphrase) }, repo);
        Assert.True(ok.Passed, string.Join("\n", ok.Checks));
        Assert.Contains("MAC matches", ok.Checks[0].Detail);

        var wrong = Assert.Throws<ShippyarException>(() => new RestoreEngine().Run(new RestoreRequest
        {
            Backup = backup, TargetDatabase = "never_created", Connection = cluster.Sandbox.Connection, Keys = BackupKeys.WithPassphrase("not-the-passphrase"),
        }, repo));
        Assert.Equal("DecryptionKeyWrong", wrong.ErrorId);

        // Somebody edits the manifest (a row count, to hide a truncated table): the MAC no longer matches.
        var path = Path.Combine(_dir.Path, backup.Prefix!, "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(path))!;
        manifest["Tables"]![0]!["Rows"] = 1;
        File.WriteAllText(path, manifest.ToJsonString());
        var changed = new BackupCatalog(repo).Get(backup.Id);
        var result = new BackupVerifier().Run(new VerificationRequest { Backup = changed, Level = VerificationLevel.Catalog, Keys = BackupKeys.WithPassphrase(Passphrase) }, repo);
        Assert.False(result.Passed);
        Assert.Contains("MAC does not match", result.Checks[0].Detail);
        Assert.Equal("BackupNotAuthentic", Assert.Throws<ShippyarException>(() => new RestoreEngine().Run(new RestoreRequest
        {
            Backup = changed, TargetDatabase = "never_created", Connection = cluster.Sandbox.Connection, Keys = BackupKeys.WithPassphrase(Passphrase),
        }, repo)).ErrorId);
        Assert.Equal("0", cluster.Sandbox.QueryScalar("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'never_created'"));
    }

    [Fact]
    public void An_unsealed_backup_is_not_written_into_a_repository_that_holds_authenticated_ones()
    {
        var repo = new FileSystemRepository(_dir.Path);
        new BackupEngine().Run(new BackupRequest
        {
            Connection = cluster.Sandbox.Connection, Database = SandboxFixture.SampleDatabase,
            Storage = new StorageOptions { Encryption = OpenPgpEncryption.WithPassphrase(Passphrase.ToCharArray()) },
        }, repo);
        var e = Assert.Throws<ShippyarException>(() => new BackupEngine().Run(new BackupRequest { Connection = cluster.Sandbox.Connection, Database = SandboxFixture.SampleDatabase }, repo));
        Assert.Equal("AuthenticationRequired", e.ErrorId);
        // Signed, a plain one is welcome.
        var signed = new BackupEngine().Run(new BackupRequest { Connection = cluster.Sandbox.Connection, Database = SandboxFixture.SampleDatabase, Signing = HostKey }, repo);
        Assert.Equal(ManifestAuthentication.Signature, signed.Authentication);
        // Nor is an unsealed one copied in from elsewhere.
        using var plainDir = new TempDirectory();
        var plainRepo = new FileSystemRepository(plainDir.Path);
        var plain = new BackupEngine().Run(new BackupRequest { Connection = cluster.Sandbox.Connection, Database = SandboxFixture.SampleDatabase }, plainRepo);
        Assert.Equal("UnsealedCopyRefused", Assert.Throws<ShippyarException>(() => new BackupCopier().Copy(plain, plainRepo, repo)).ErrorId);
        Assert.Equal(2, new BackupCatalog(repo).List().Count);
        Assert.Empty(new BackupCatalog(repo).Incomplete());
    }

    [Fact]
    public void A_changed_chunk_stops_a_restore_before_pg_restore_sees_it()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var database = "chunked_" + Guid.NewGuid().ToString("n")[..6];
        cluster.Sandbox.Execute("postgres", $"CREATE DATABASE {database}");
        // Random hex compresses to about half: ~20 MB of it makes several 4 MiB chunks.
        cluster.Sandbox.Execute(database, "CREATE TABLE blobs AS SELECT g AS id, (SELECT string_agg(md5(random()::text || g.g || k), '') FROM generate_series(1, 32) k) AS body FROM generate_series(1, 20000) g");
        var backup = new BackupEngine().Run(new BackupRequest { Connection = cluster.Sandbox.Connection, Database = database, Signing = HostKey }, repo);
        Assert.True(backup.Files[0].Chunks!.Count >= 3);
        cluster.Sandbox.Execute("postgres", $"DROP DATABASE {database}");

        var data = Path.Combine(_dir.Path, backup.Prefix!, backup.Files[0].Name);
        using (var f = new FileStream(data, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = StoredObject.ChunkSize + 12345;   // in the second chunk
            var b = f.ReadByte();
            f.Position--;
            f.WriteByte((byte)(b ^ 0x40));
        }
        var e = Assert.Throws<ShippyarException>(() => new RestoreEngine().Run(new RestoreRequest
        {
            Backup = backup, TargetDatabase = database, Connection = cluster.Sandbox.Connection, Keys = BackupKeys.Load(signerKeyFile: gpg.EcPublicKeyFile),
        }, repo));
        Assert.Equal("BackupCorrupt", e.ErrorId);
        Assert.Contains("chunk 2 of", e.Message);
        Assert.Equal("0", cluster.Sandbox.QueryScalar("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{database}'"));
    }

    [Fact]
    public void A_globals_script_with_a_psql_meta_command_is_refused_whole_even_where_unauthenticated_backups_are_allowed()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var storage = new StorageOptions { Compression = CompressionCodec.Zstd(), Encryption = OpenPgpEncryption.WithPassphrase(Passphrase.ToCharArray()) };
        var backup = new BackupEngine().Run(new BackupRequest { Connection = cluster.Sandbox.Connection, Tier = BackupTier.Weekly, Storage = storage }, repo);

        // A globals script that creates a role, then runs a shell command through psql.
        var marker = Path.Combine(Path.GetTempPath(), "shippyar-pwned-" + Guid.NewGuid().ToString("n"));
        var script = $"CREATE ROLE meta_evil SUPERUSER;\n\\! touch {marker}\n";
        var globals = backup.Files.Single(f => f.Format == "globals");
        File.Delete(Path.Combine(_dir.Path, backup.Prefix!, globals.Name));
        File.Delete(Path.Combine(_dir.Path, backup.Prefix!, globals.Chunks!.File));
        var written = StoredObjectWriter.Write(new MemoryStream(Encoding.UTF8.GetBytes(script)), new IBackupRepository[] { repo }, BackupLayout.Key(backup, globals.Name),
            "globals", storage, scanDump: false, progress: null, CancellationToken.None);
        backup.Files[backup.Files.IndexOf(globals)] = written.File;
        File.WriteAllBytes(Path.Combine(_dir.Path, backup.Prefix!, "manifest.json"), ManifestSerializer.Serialize(backup));
        File.Delete(Path.Combine(_dir.Path, backup.Prefix!, BackupLayout.MacName));

        using var target = PostgresSandbox.Start();
        var e = Assert.Throws<ShippyarException>(() => new ClusterRestoreEngine().Run(new ClusterRestoreRequest
        {
            Backup = new BackupCatalog(repo).Get(backup.Id), Connection = target.Connection, Keys = BackupKeys.WithPassphrase(Passphrase, allowUnauthenticated: true),
        }, repo));
        Assert.Equal("GlobalsScriptRefused", e.ErrorId);
        Assert.Contains("line 2", e.Message);
        Assert.False(File.Exists(marker));
        Assert.Equal("0", target.QueryScalar("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'meta_evil'"));
    }
}
