using Org.BouncyCastle.Bcpg.OpenPgp;
using ShippyarDr.Encryption;

namespace ShippyarDr.Authentication;

/// <summary>
/// The public keys whose signatures a reader trusts (`gpg --export [--armor]` of the backup hosts' signing keys, one
/// file holding one or several). A signature by any other key is a failure, not a pass.
/// </summary>
public sealed class SignerKeys
{
    private readonly PgpPublicKeyRingBundle _keys;

    private SignerKeys(PgpPublicKeyRingBundle keys) => _keys = keys;

    public static SignerKeys Load(string keyFile) => new(OpenPgpKeys.LoadPublicKeys(keyFile));

    /// <summary>The keys of several files (one per backup host, say) as one set of trusted signers.</summary>
    public static SignerKeys Load(IEnumerable<string> keyFiles)
    {
        PgpPublicKeyRingBundle? all = null;
        foreach (var file in keyFiles)
        {
            var bundle = OpenPgpKeys.LoadPublicKeys(file);
            if (all is null) { all = bundle; continue; }
            foreach (PgpPublicKeyRing ring in bundle.GetKeyRings())
                if (!all.Contains(ring.GetPublicKey().KeyId)) all = PgpPublicKeyRingBundle.AddPublicKeyRing(all, ring);
        }
        return new(all ?? throw new ArgumentException("At least one signer key file is needed.", nameof(keyFiles)));
    }

    /// <summary>Whether <paramref name="signature"/> (a detached signature, binary or armored) signs <paramref name="manifest"/>
    /// with one of these keys; the signer's primary fingerprint, or why not.</summary>
    public (bool Valid, string Detail) Verify(ReadOnlySpan<byte> manifest, byte[] signature)
    {
        PgpSignatureList? list;
        try
        {
            var factory = new PgpObjectFactory(PgpUtilities.GetDecoderStream(new MemoryStream(signature)));
            var first = factory.NextPgpObject();
            if (first is PgpCompressedData compressed) first = new PgpObjectFactory(compressed.GetDataStream()).NextPgpObject();
            list = first as PgpSignatureList;
        }
        catch (Exception e) when (e is PgpException or IOException)
        {
            return (false, $"the signature cannot be read ({e.Message})");
        }
        if (list is null || list.Count == 0) return (false, "the signature file holds no signature");
        var data = manifest.ToArray();
        var seen = new List<string>();
        for (var i = 0; i < list.Count; i++)
        {
            var signatureEntry = list[i];
            seen.Add(signatureEntry.KeyId.ToString("X16"));
            if (signatureEntry.SignatureType != PgpSignature.BinaryDocument) continue;
            var key = _keys.GetPublicKey(signatureEntry.KeyId);
            if (key is null) continue;
            var primary = OpenPgpKeys.Fingerprint(_keys.GetPublicKeyRing(signatureEntry.KeyId).GetPublicKey());
            if (!OpenPgpKeys.IsUsable(key)) return (false, $"signed by key {primary}, which is revoked or expired");
            signatureEntry.InitVerify(key);
            signatureEntry.Update(data);
            return signatureEntry.Verify()
                ? (true, $"signed by {primary}")
                : (false, $"the signature by key {primary} does not match the manifest: it was changed after it was signed");
        }
        return (false, $"signed by key {string.Join(", ", seen)}, which is not one of the signers' keys given");
    }
}
