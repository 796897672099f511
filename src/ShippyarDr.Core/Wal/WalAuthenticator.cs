using ShippyarDr.Authentication;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Wal;

/// <summary>
/// Establishes that a WAL file's manifest is the one its archiver sealed, before any byte of the file is handed to
/// PostgreSQL: the signature against the signers' keys, the MAC under the passphrase. A check that fails is a
/// failure. An unsealed manifest, or one the reader holds no key for, is refused where a seal is expected: in a
/// sealed archive, for an encrypted file (this version seals all it encrypts), and whenever the reader gives a key
/// to check with; unless unauthenticated files are allowed.
/// </summary>
public static class WalAuthenticator
{
    public static AuthenticityResult Check(SealedWalManifest manifest, BackupKeys keys, bool archiveSealed)
    {
        var result = new AuthenticityResult();
        var problems = new List<string>();
        var unverifiable = new List<string>();
        var (mac, signature) = manifest.SealBytes();
        if (manifest.Seal.Signature is not null)
        {
            if (signature is null) problems.Add("its signature cannot be read");
            else if (keys.Signers is null) unverifiable.Add("it is signed, and no signer's public key was given to check the signature");
            else if (keys.Signers.Verify(manifest.ManifestBytes, signature) is var (valid, detail) && valid)
            {
                result.Verified |= ManifestAuthentication.Signature;
                result.SignerFingerprint = detail["signed by ".Length..];
                result.Detail = detail;
            }
            else problems.Add(detail);
        }
        if (manifest.Seal.Mac is not null)
        {
            if (mac is null) problems.Add("its MAC cannot be read");
            else if (keys.Passphrase is null) unverifiable.Add("it carries a MAC, and no passphrase was given to check it");
            else if (ManifestMac.Verify(manifest.ManifestBytes, mac, keys.Passphrase) is var (valid, detail) && valid)
            {
                result.Verified |= ManifestAuthentication.Mac;
                result.Detail = result.Detail.Length == 0 ? detail : $"{result.Detail}; {detail}";
            }
            else problems.Add(detail);
        }
        if (problems.Count > 0)
        {
            (result.Passed, result.Detail) = (false, "not authentic: " + string.Join("; ", problems));
            return result;
        }
        if (result.Authenticated)
        {
            result.Passed = true;
            return result;
        }
        var reasons = unverifiable.Count > 0 ? string.Join("; ", unverifiable) : "it is neither signed nor MAC'd";
        string? why = archiveSealed ? "the archive is sealed"
            : manifest.Manifest.File.Encryption is not null ? "it is encrypted, and every encrypted WAL file is sealed by its archiver"
            : keys.Signers is not null ? "signers' keys were given"
            : keys.Passphrase is not null ? "a passphrase was given"
            : null;
        result.Passed = why is null || keys.AllowUnauthenticated;
        result.Detail = why is null ? $"unauthenticated ({reasons})"
            : keys.AllowUnauthenticated ? $"unauthenticated ({reasons}), accepted because unauthenticated files were allowed although {why}"
            : $"unauthenticated: {reasons}, and {why}";
        return result;
    }

    /// <summary>Throws WalNotAuthentic unless the manifest may be used.</summary>
    public static AuthenticityResult Require(SealedWalManifest manifest, BackupKeys keys, bool archiveSealed, string where)
    {
        var result = Check(manifest, keys, archiveSealed);
        if (!result.Passed)
            throw new ShippyarException(ShippyarErrorKind.AuthenticationError, ErrorIds.WalNotAuthentic, $"WAL file {manifest.Manifest.Name} ({where}) is refused: {result.Detail}.", where);
        return result;
    }
}
