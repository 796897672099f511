using System.Text.Json.Serialization;

namespace ShippyarDr.Configuration;

/// <summary>
/// One named repository as a configuration file holds it: where it is, how to reach it, and references to what
/// encrypts, signs, decrypts and checks its backups (files, environment variable names, an AWS profile), never a
/// secret itself. Paths are absolute: archive_command and schedulers run elsewhere than where it was registered.
/// </summary>
public sealed record RepositoryRegistration
{
    /// <summary>The name (the key of its entry in the file).</summary>
    [JsonIgnore]
    public string Name { get; init; } = "";

    /// <summary>An absolute directory path, or s3://bucket/prefix.</summary>
    public required string Location { get; init; }

    /// <summary>How to reach an s3:// location; the host's own settings override each one given.</summary>
    public S3Settings? S3 { get; init; }

    /// <summary>What backups written into it are encrypted with when the host gives no encryption of its own.</summary>
    public EncryptionReference? Encryption { get; init; }

    /// <summary>The key that signs manifests written into it (backups, and a restore's safety backups).</summary>
    public SigningReference? Signing { get; init; }

    /// <summary>Public keys of the signers whose signatures readers trust.</summary>
    public IReadOnlyList<string>? SignerKeyFiles { get; init; }

    /// <summary>A secret key that decrypts backups encrypted to public keys (on a host that restores).</summary>
    public DecryptionReference? Decryption { get; init; }

    /// <summary>The catalog database operations on it are audited in; without one, the repository's own audit log.</summary>
    public AuditCatalogReference? Audit { get; init; }
    /// <summary>How long its backups and WAL are kept, where a retention run gives no policy of its own.</summary>
    public Retention.RetentionPolicy? Retention { get; init; }
}

/// <summary>A passphrase from a file (its first line) or an environment variable; or recipients' public keys.</summary>
public sealed record EncryptionReference
{
    public string? PassphraseFile { get; init; }
    public string? PassphraseVariable { get; init; }
    /// <summary>E-mail, user id or fingerprint of each recipient, whose public key is in <see cref="RecipientKeyFile"/>.</summary>
    public IReadOnlyList<string>? Recipients { get; init; }
    public string? RecipientKeyFile { get; init; }

    public override string ToString() => PassphraseFile is not null ? $"passphrase file {PassphraseFile}"
        : PassphraseVariable is not null ? $"passphrase variable {PassphraseVariable}"
        : Recipients is { Count: > 0 } r ? $"recipients {string.Join(", ", r)}" : "none";
}

/// <summary>An OpenPGP secret key file that signs, and where its passphrase is (none for a key without one).</summary>
public sealed record SigningReference
{
    public required string KeyFile { get; init; }
    public string? PassphraseFile { get; init; }
    public string? PassphraseVariable { get; init; }
}

/// <summary>An OpenPGP secret key file that decrypts, and where its passphrase is (none for a key without one).</summary>
public sealed record DecryptionReference
{
    public required string SecretKeyFile { get; init; }
    public string? PassphraseFile { get; init; }
    public string? PassphraseVariable { get; init; }
}
