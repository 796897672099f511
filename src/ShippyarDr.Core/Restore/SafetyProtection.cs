using ShippyarDr.Authentication;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;
using ShippyarDr.Pipeline;

namespace ShippyarDr.Restore;

/// <summary>
/// How the safety backup of a database a restore replaces is protected: encrypted like the backup being restored (the
/// same passphrase, or the same recipients' public keys, recorded in its manifest) and sealed like it, so restoring from
/// an encrypted repository never leaves a readable copy of production in it. A plain backup gives a plain safety backup
/// (signed when a signing key was given). Decided before anything is written: a key that is missing fails the restore
/// while the target is still untouched.
/// </summary>
internal static class SafetyProtection
{
    public static (StorageOptions Storage, SigningKey? Signing) For(BackupInfo backup, BackupKeys keys)
    {
        var encryption = backup.Files.Select(f => f.Encryption).FirstOrDefault(e => e is not null);
        if (encryption is null) return ForPlain(backup, keys);
        if (encryption.Mode == "passphrase")
        {
            var passphrase = keys.Passphrase ?? throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.DecryptionKeyRequired,
                $"Backup {backup.Id} is encrypted with a passphrase: give it to restore the backup (it also encrypts the safety backup).", backup.Id);
            return (new StorageOptions { Encryption = OpenPgpEncryption.WithPassphrase(passphrase) }, keys.Signing);
        }
        var recipients = backup.RecipientKeys ?? LegacyRecipients(backup, encryption, keys);
        var signing = keys.SignerOfOwnWrites ?? throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.SigningKeyRequired,
            $"The safety backup taken before replacing with backup {backup.Id} is encrypted to its recipients' public keys and must be signed: give a signing key, or a secret key that can sign.", backup.Id);
        return (new StorageOptions { Encryption = OpenPgpEncryption.ToRecipientKeys(recipients) }, signing);
    }

    private static (StorageOptions Storage, SigningKey? Signing) ForPlain(BackupInfo backup, BackupKeys keys)
    {
        if (keys.RepositoryEncryption?.Invoke() is not { } repositoryEncryption) return (new StorageOptions(), keys.Signing);
        // Encrypted to public keys, a manifest must be signed (anybody holding them could forge one); a passphrase MACs it.
        var signing = repositoryEncryption.RecipientKeys is null ? keys.Signing : keys.SignerOfOwnWrites
            ?? throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.SigningKeyRequired,
                $"The safety backup taken before replacing with backup {backup.Id} is encrypted to the repository's recipients and must be signed: give a signing key, or register one for the repository.", backup.Id);
        return (new StorageOptions { Encryption = repositoryEncryption }, signing);
    }

    /// <summary>Manifests before version 2 name the recipients by fingerprint only: the secret keys given to decrypt hold the
    /// public half of theirs.</summary>
    private static string LegacyRecipients(BackupInfo backup, EncryptionInfo encryption, BackupKeys keys)
    {
        var rings = keys.PublicRingsOf(encryption.KeyFingerprints).ToList();
        if (rings.Count == 0)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.SafetyEncryptionUnavailable,
                $"Backup {backup.Id} is encrypted to {string.Join(", ", encryption.KeyFingerprints)}; none of the secret keys given matches, so the safety backup could not be encrypted like it.", backup.Id);
        return OpenPgpKeys.Armor(rings);
    }
}
