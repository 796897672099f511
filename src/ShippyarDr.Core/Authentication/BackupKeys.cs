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

    /// <summary>From what a host was given; every argument may be null (not given). Key files are read here.</summary>
    public static BackupKeys Load(char[]? passphrase = null, string? secretKeyFile = null, char[]? secretKeyPassphrase = null,
        string? signerKeyFile = null, string? signingKeyFile = null, char[]? signingKeyPassphrase = null, bool allowUnauthenticated = false,
        IOperationReporter? reporter = null) => new()
    {
        Passphrase = passphrase,
        SecretKeys = secretKeyFile is null ? null : OpenPgpKeys.LoadSecretKeys(secretKeyFile, reporter),
        SecretKeyPassphrase = secretKeyPassphrase,
        Signers = signerKeyFile is null ? null : SignerKeys.Load(signerKeyFile),
        Signing = signingKeyFile is null ? null : SigningKey.Load(signingKeyFile, signingKeyPassphrase, reporter),
        AllowUnauthenticated = allowUnauthenticated,
    };

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
