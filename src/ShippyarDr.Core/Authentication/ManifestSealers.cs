using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;

namespace ShippyarDr.Authentication;

/// <summary>What seals a manifest a writer makes (a backup's, a WAL file's): a signature with the signing key given, a MAC
/// with a passphrase. Encrypting to public keys without signing would let anyone holding those keys (the backup host, by
/// design) forge one.</summary>
public static class ManifestSealers
{
    public static List<IManifestSealer> For(StorageOptions storage, SigningKey? signing)
    {
        var sealers = new List<IManifestSealer>();
        if (signing is not null) sealers.Add(signing);
        if (storage.Encryption?.ManifestMac() is { } mac) sealers.Add(mac);
        if (storage.Encryption?.RecipientKeys is not null && signing is null)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.SigningKeyRequired,
                "What is encrypted to public keys must be signed: anybody holding those public keys could otherwise forge it. Give a signing key (an OpenPGP secret key that can sign).");
        return sealers;
    }
}
