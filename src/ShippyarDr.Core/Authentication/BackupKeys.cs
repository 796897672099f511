using Org.BouncyCastle.Bcpg.OpenPgp;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;
using ShippyarDr.Pipeline;

namespace ShippyarDr.Authentication;

/// <summary>
/// The keys a reader of backups holds: to decrypt (a passphrase, secret keys), to check authenticity (the signers'
/// public keys; the passphrase for MACs), to sign what it writes itself (the safety backup of a restore), and whether
/// it accepts backups whose authenticity cannot be established. Hosts build it from files and secrets they were given.
/// </summary>
public sealed class BackupKeys
{
    public static readonly BackupKeys None = new();

    public char[]? Passphrase { get; private init; }
    internal PgpSecretKeyRingBundle? SecretKeys { get; private init; }
    public char[]? SecretKeyPassphrase { get; private init; }
    public SignerKeys? Signers { get; private init; }
    /// <summary>Signs manifests this reader writes; without one, the secret key used to decrypt signs, when it can.</summary>
    public SigningKey? Signing { get; private init; }
    /// <summary>Backups whose authenticity cannot be established (unsigned, or signed by a key not given) are accepted, reported as such.</summary>
    public bool AllowUnauthenticated { get; private init; }
    public bool HasSecretKeys => SecretKeys is not null;

    /// <summary>
    /// How the repository encrypts what is written into it by default (a registered repository's encryption), asked
    /// only when needed: a restore of a plain backup encrypts its safety backup like this, not plain.
    /// </summary>
    public Func<IEncryptionStage?>? RepositoryEncryption { get; private init; }

    /// <summary>From what a host was given; every argument may be null (not given). Key files are read here.
    /// <paramref name="signerKeyFiles"/> adds more files of signers' keys to <paramref name="signerKeyFile"/>.</summary>
    public static BackupKeys Load(char[]? passphrase = null, string? secretKeyFile = null, char[]? secretKeyPassphrase = null,
        string? signerKeyFile = null, string? signingKeyFile = null, char[]? signingKeyPassphrase = null, bool allowUnauthenticated = false,
        IOperationReporter? reporter = null, IReadOnlyList<string>? signerKeyFiles = null, Func<IEncryptionStage?>? repositoryEncryption = null)
    {
        var signers = (signerKeyFile is null ? Array.Empty<string>() : new[] { signerKeyFile }).Concat(signerKeyFiles ?? Array.Empty<string>()).ToList();
        return new()
        {
            Passphrase = passphrase,
            SecretKeys = secretKeyFile is null ? null : OpenPgpKeys.LoadSecretKeys(secretKeyFile, reporter),
            SecretKeyPassphrase = secretKeyPassphrase,
            Signers = signers.Count == 0 ? null : SignerKeys.Load(signers),
            Signing = signingKeyFile is null ? null : SigningKey.Load(signingKeyFile, signingKeyPassphrase, reporter),
            AllowUnauthenticated = allowUnauthenticated,
            RepositoryEncryption = repositoryEncryption,
        };
    }

    /// <summary>These keys, each part that is missing taken from <paramref name="fallback"/>; what decrypts (a passphrase, or
    /// secret keys with their passphrase) counts as one part. Whether unauthenticated backups are accepted stays this one's.</summary>
    internal BackupKeys Or(BackupKeys fallback)
    {
        var decrypts = Passphrase is not null || SecretKeys is not null;
        return new()
        {
            Passphrase = decrypts ? Passphrase : fallback.Passphrase,
            SecretKeys = decrypts ? SecretKeys : fallback.SecretKeys,
            SecretKeyPassphrase = decrypts ? SecretKeyPassphrase : fallback.SecretKeyPassphrase,
            Signers = Signers ?? fallback.Signers,
            Signing = Signing ?? fallback.Signing,
            AllowUnauthenticated = AllowUnauthenticated,
            RepositoryEncryption = RepositoryEncryption ?? fallback.RepositoryEncryption,
        };
    }

    public static BackupKeys WithPassphrase(string passphrase, bool allowUnauthenticated = false)
        => Load(passphrase.ToCharArray(), allowUnauthenticated: allowUnauthenticated);

    /// <summary>The decryption stage these keys give; null when they hold nothing to decrypt with.</summary>
    public IDecryptionStage? Decryption => Passphrase is null && SecretKeys is null ? null : new OpenPgpDecryption(Passphrase, SecretKeys, SecretKeyPassphrase);

    /// <summary>The key that signs what this reader writes: the one given, else a signing-capable secret key it decrypts with.</summary>
    internal SigningKey? SignerOfOwnWrites => Signing ?? (SecretKeys is null ? null : SigningKey.TryFrom(SecretKeys, SecretKeyPassphrase));

    /// <summary>The public keys of the secret keys held, for fingerprints among <paramref name="fingerprints"/>.</summary>
    internal IEnumerable<PgpPublicKeyRing> PublicRingsOf(IEnumerable<string> fingerprints)
    {
        if (SecretKeys is null) yield break;
        var wanted = fingerprints.ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (PgpSecretKeyRing ring in SecretKeys.GetKeyRings())
        {
            using var encoded = new MemoryStream();
            foreach (PgpPublicKey key in ring.GetPublicKeys()) key.Encode(encoded);
            var publicRing = new PgpPublicKeyRing(encoded.ToArray());
            if (wanted.Contains(OpenPgpKeys.Fingerprint(publicRing.GetPublicKey()))) yield return publicRing;
        }
    }
}
