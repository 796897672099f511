using Org.BouncyCastle.Bcpg.OpenPgp;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Encryption;

/// <summary>
/// Loads OpenPGP keys as gpg exports them (`gpg --export [--armor]`, `gpg --export-secret-keys`). A backup host
/// needs only recipients' public keys; the secret key is needed only where backups are read.
/// </summary>
public static class OpenPgpKeys
{
    /// <summary>The encryption-capable key of the first key ring matching <paramref name="selector"/> (a user id substring such
    /// as an e-mail, or a fingerprint / key id in hex); any selector matches when null. Returns the key, the primary
    /// key's fingerprint (what gpg shows and what the manifest records) and the ring.</summary>
    public static Recipient FindRecipient(string keyFile, string? selector) => FindRecipient(LoadPublicKeys(keyFile), selector, keyFile);

    internal static Recipient FindRecipient(PgpPublicKeyRingBundle bundle, string? selector, string where)
    {
        foreach (PgpPublicKeyRing ring in bundle.GetKeyRings())
        {
            var primary = ring.GetPublicKey();
            if (selector is not null && !Matches(primary, ring.GetPublicKeys(), selector)) continue;
            // gpg puts encryption on a subkey: take the newest valid encryption key of the ring.
            var key = ring.GetPublicKeys().Where(k => k.IsEncryptionKey && IsUsable(k) && HasFlag(k, EncryptFlags, whenNoFlags: true))
                .OrderByDescending(k => k.CreationTime).FirstOrDefault();
            if (key is null)
                throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.KeyCannotEncrypt,
                    $"The key {Fingerprint(primary)} ({UserIds(primary)}) in {where} has no valid encryption key.", selector);
            return new Recipient(key, Fingerprint(primary), ring);
        }
        throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.RecipientNotFound,
            $"No key in {where} matches '{selector}' (user id or fingerprint).", selector);
    }

    /// <summary>Key rings as `gpg --export --armor` writes them.</summary>
    internal static string Armor(IEnumerable<PgpPublicKeyRing> rings)
    {
        using var ms = new MemoryStream();
        using (var armor = new Org.BouncyCastle.Bcpg.ArmoredOutputStream(ms))
            foreach (var ring in rings) ring.Encode(armor);
        return System.Text.Encoding.ASCII.GetString(ms.ToArray());
    }

    internal static PgpPublicKeyRingBundle ReadArmored(string armored)
    {
        using var decoded = PgpUtilities.GetDecoderStream(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(armored)));
        return new PgpPublicKeyRingBundle(decoded);
    }

    internal const int SignFlag = 0x02;
    private const int EncryptFlags = 0x04 | 0x08; // encrypt communications, encrypt storage

    /// <summary>An algorithm that can encrypt or sign is not enough: the key's own flags must allow it (gpg honours them).
    /// A key without flags may do what its algorithm can (<paramref name="whenNoFlags"/>).</summary>
    internal static bool HasFlag(PgpPublicKey key, int flags, bool whenNoFlags)
    {
        var found = key.GetSignatures().Cast<PgpSignature>()
            .Select(s => s.GetHashedSubPackets()).Where(p => p is not null && p.HasSubpacket(Org.BouncyCastle.Bcpg.SignatureSubpacketTag.KeyFlags))
            .Select(p => p.GetKeyFlags()).ToList();
        return found.Count == 0 ? whenNoFlags : found.Any(f => (f & flags) != 0);
    }

    /// <summary>Not revoked and not expired.</summary>
    internal static bool IsUsable(PgpPublicKey key)
        => !key.HasRevocation() && (key.GetValidSeconds() == 0 || key.CreationTime.AddSeconds(key.GetValidSeconds()) > DateTime.UtcNow);

    internal static PgpPublicKeyRingBundle LoadPublicKeys(string keyFile)
        => Load(keyFile, s => new PgpPublicKeyRingBundle(s), "public key file", "gpg --export --armor");

    /// <summary>Secret keys as `gpg --export-secret-keys` writes them; a file group or others may open gets a warning.</summary>
    public static PgpSecretKeyRingBundle LoadSecretKeys(string keyFile, IOperationReporter? reporter = null)
    {
        var bundle = Load(keyFile, s => new PgpSecretKeyRingBundle(s), "secret key file", "gpg --export-secret-keys --armor");
        KeyMaterialFile.WarnIfOpenToOthers(keyFile, "secret key file", reporter ?? NullReporter.Instance);
        return bundle;
    }

    public static string Fingerprint(PgpPublicKey key) => Convert.ToHexString(key.GetFingerprint());

    private static bool Matches(PgpPublicKey primary, IEnumerable<PgpPublicKey> keys, string selector)
    {
        var hex = selector.Replace(" ", "").TrimStart('0', 'x', 'X');
        if (keys.Any(k => Fingerprint(k).EndsWith(hex, StringComparison.OrdinalIgnoreCase) && hex.Length >= 8)) return true;
        return primary.GetUserIds().Any(u => u.Contains(selector, StringComparison.OrdinalIgnoreCase));
    }

    private static string UserIds(PgpPublicKey key) => string.Join(", ", key.GetUserIds());

    private static T Load<T>(string keyFile, Func<Stream, T> read, string what, string export) where T : class
    {
        T bundle;
        using (var file = KeyMaterialFile.OpenRead(keyFile, what, "KeyFile"))
        {
            try
            {
                using var decoded = PgpUtilities.GetDecoderStream(file);
                bundle = read(decoded);
            }
            // A parser fed arbitrary bytes fails in many ways (BouncyCastle has exception types outside PgpException);
            // each means the same thing here.
            catch (Exception e) when (e is not ShippyarException)
            {
                if (HoldsKeysOfTheOtherKind<T>(keyFile))
                    throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.KeyFileWrongKind,
                        $"{keyFile} holds {(typeof(T) == typeof(PgpSecretKeyRingBundle) ? "public keys only" : "secret keys")}, not a {what}: export one with {export}.", keyFile, e);
                throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.KeyFileUnreadable, $"{keyFile} is not an OpenPGP {what}: {e.Message}", keyFile, e);
            }
        }
        if (Count(bundle) == 0)
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.KeyFileUnreadable, $"{keyFile} holds no OpenPGP keys: a {what} is what {export} writes.", keyFile);
        return bundle;
    }

    /// <summary>Whether a file that failed to load as one kind of key holds keys of the other (public for secret, or the reverse).</summary>
    private static bool HoldsKeysOfTheOtherKind<T>(string keyFile)
    {
        try
        {
            using var file = File.OpenRead(keyFile);
            using var decoded = PgpUtilities.GetDecoderStream(file);
            return typeof(T) == typeof(PgpSecretKeyRingBundle) ? new PgpPublicKeyRingBundle(decoded).Count > 0 : new PgpSecretKeyRingBundle(decoded).Count > 0;
        }
        catch (Exception e) when (e is not ShippyarException)
        {
            return false;
        }
    }

    private static int Count(object bundle) => bundle switch { PgpPublicKeyRingBundle p => p.Count, PgpSecretKeyRingBundle s => s.Count, _ => 1 };
}

/// <summary>A recipient's encryption key, its primary key's fingerprint and the whole key ring (to record it in the manifest).</summary>
public sealed record Recipient(PgpPublicKey Key, string Fingerprint, PgpPublicKeyRing Ring);
