using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Authentication;

/// <summary>
/// Establishes that a backup's manifest is the one its writer published, before anything it says is used: its
/// signature against the signers' keys, its MAC under the passphrase. Any check made that fails is a failure. A
/// backup whose authenticity cannot be established (no seal, or a seal the reader holds no key for) is refused where
/// authentication is expected: in a repository that holds authenticated backups (its descriptor says so, or another
/// backup is sealed), when signers' keys were given, or for a backup encrypted to public keys in such a repository;
/// unless the reader allows unauthenticated backups. Everything after uses the manifest read from the verified bytes.
/// </summary>
public static class BackupAuthenticator
{
    /// <param name="keysOptional">A seal the reader holds no key for is reported, not failed (a checksum pass needs no key and runs
    /// nothing from the backup); an unsealed backup where authentication is expected still fails.</param>
    public static (BackupInfo Backup, AuthenticityResult Result) Check(IBackupRepository repository, BackupInfo backup, BackupKeys keys,
        bool keysOptional = false)
    {
        var catalog = new BackupCatalog(repository);
        var manifest = catalog.ReadManifestBytes(backup);
        // What seals the folder holds now, not when it was listed (on a copy: the caller's object stays as it was).
        backup = backup.InRepository(backup.Repository);
        backup.Authentication = (repository.Exists(BackupLayout.Key(backup, BackupLayout.SignatureName)) ? ManifestAuthentication.Signature : 0)
                                | (repository.Exists(BackupLayout.Key(backup, BackupLayout.MacName)) ? ManifestAuthentication.Mac : 0);
        backup = catalog.FromBytes(backup, manifest);
        var result = new AuthenticityResult();
        var problems = new List<string>();
        var unverifiable = new List<string>();

        if (backup.Authentication.HasFlag(ManifestAuthentication.Signature))
        {
            var signature = repository.ReadAllBytes(BackupLayout.Key(backup, BackupLayout.SignatureName));
            if (keys.Signers is null) unverifiable.Add("it is signed, and no signer's public key was given to check the signature");
            else if (keys.Signers.Verify(manifest, signature) is var (valid, detail) && valid)
            {
                result.Verified |= ManifestAuthentication.Signature;
                result.SignerFingerprint = detail["signed by ".Length..];
                result.Detail = detail;
            }
            else problems.Add(detail);
        }
        if (backup.Authentication.HasFlag(ManifestAuthentication.Mac))
        {
            var mac = repository.ReadAllBytes(BackupLayout.Key(backup, BackupLayout.MacName));
            if (keys.Passphrase is null) unverifiable.Add("it carries a MAC, and no passphrase was given to check it");
            else if (ManifestMac.Verify(manifest, mac, keys.Passphrase) is var (valid, detail) && valid)
            {
                result.Verified |= ManifestAuthentication.Mac;
                result.Detail = result.Detail.Length == 0 ? detail : $"{result.Detail}; {detail}";
            }
            else if (OpensData(repository, backup, keys)) problems.Add(detail);
            else
            {
                result.WrongPassphrase = true;
                problems.Add("the passphrase given is not this backup's: it does not open its data either");
            }
        }

        if (problems.Count > 0)
        {
            result.Detail = "not authentic: " + string.Join("; ", problems);
            result.Passed = false;
        }
        else if (result.Authenticated)
        {
            result.Passed = true;
        }
        else if (unverifiable.Count > 0 && keysOptional)
        {
            result.Passed = true;
            result.Detail = $"not checked: {string.Join("; ", unverifiable)}";
        }
        else
        {
            var expected = ExpectsAuthentication(repository, backup, keys, out var why);
            var reasons = unverifiable.Count > 0 ? string.Join("; ", unverifiable) : "it is neither signed nor MAC'd";
            result.Passed = !expected || keys.AllowUnauthenticated;
            result.Detail = !expected ? $"unauthenticated ({reasons})"
                : keys.AllowUnauthenticated ? $"unauthenticated ({reasons}), accepted because unauthenticated backups were allowed although {why}"
                : $"unauthenticated: {reasons}, and {why}";
        }
        return (backup, result);
    }

    /// <summary>Throws when the backup may not be used (no key for an encrypted one, or not authentic); returns the manifest read
    /// from the verified bytes.</summary>
    public static BackupInfo Require(IBackupRepository repository, BackupInfo backup, BackupKeys keys, IOperationReporter reporter)
    {
        var decryption = keys.Decryption;
        foreach (var file in backup.Files) Pipeline.StoredObjectReader.RequireKey(file, decryption);
        var (verified, result) = Check(repository, backup, keys);
        if (result.WrongPassphrase)
            throw new ShippyarException(ShippyarErrorKind.AuthenticationError, ErrorIds.DecryptionKeyWrong, $"Cannot decrypt backup {backup.Id}: the passphrase given does not open it.", backup.Id);
        if (!result.Passed)
            throw new ShippyarException(ShippyarErrorKind.AuthenticationError, ErrorIds.BackupNotAuthentic,
                $"Backup {backup.Id} in {repository.Location} is refused: {result.Detail}.", backup.Id);
        reporter.Verbose($"Backup {backup.Id}: {result.Detail}.");
        return verified;
    }

    /// <summary>Whether the keys open the backup's first encrypted object (its session key; nothing is decrypted past that, nothing
    /// run): tells a wrong passphrase from a changed manifest when a MAC does not match.</summary>
    private static bool OpensData(IBackupRepository repository, BackupInfo backup, BackupKeys keys)
    {
        if (backup.Files.FirstOrDefault(f => f.Encryption is not null) is not { } file || keys.Decryption is not { } decryption) return true;
        try
        {
            using var probe = new Pipeline.StoredObjectReader(repository, backup, file, decryption);
            return true;
        }
        catch (ShippyarException e) when (e.ErrorId == ErrorIds.DecryptionKeyWrong)
        {
            return false;
        }
        catch (ShippyarException)
        {
            return true; // unreadable for another reason: the MAC's verdict stands
        }
    }

    private static bool ExpectsAuthentication(IBackupRepository repository, BackupInfo backup, BackupKeys keys, out string why)
    {
        if (keys.Signers is not null) { why = "signers' keys were given"; return true; }
        // This version seals every encrypted backup it writes (a MAC, or a signature, required with public keys): an
        // unsealed one with its manifest version was made by somebody else, with nothing but the public key it is encrypted to.
        if (backup.ManifestVersion >= 2 && backup.Files.Any(f => f.Encryption is not null))
        {
            why = "it is encrypted, and every encrypted backup with a version 2 manifest is sealed by its writer";
            return true;
        }
        if (RepositoryDescriptor.Read(repository)?.Authenticated == true) { why = "the repository holds authenticated backups (its descriptor says so)"; return true; }
        if (new BackupCatalog(repository).Scan().HasAuthenticatedBackups) { why = "the repository holds authenticated backups"; return true; }
        why = "";
        return false;
    }
}
