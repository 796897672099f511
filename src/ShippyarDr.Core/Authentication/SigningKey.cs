using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;
using ShippyarDr.Repository;

namespace ShippyarDr.Authentication;

/// <summary>
/// An OpenPGP secret key that signs manifests: a detached, binary-document signature (SHA-256) as gpg makes with
/// `gpg --detach-sign`, so `gpg --verify manifest.json.sig manifest.json` checks it. The backup host holds this key
/// and only public keys to encrypt to, so it can prove what it wrote without being able to read it back.
/// </summary>
public sealed class SigningKey : IManifestSealer
{
    private readonly PgpPrivateKey _key;
    private readonly PgpPublicKey _public;

    private SigningKey(PgpPrivateKey key, PgpPublicKey publicKey, string fingerprint)
    {
        _key = key;
        _public = publicKey;
        Fingerprint = fingerprint;
    }

    /// <summary>The fingerprint of the key's primary key, as gpg prints it.</summary>
    public string Fingerprint { get; }

    public string FileName => BackupLayout.SignatureName;

    /// <summary>The first signing-capable key in a secret key file (`gpg --export-secret-keys [--armor]`).</summary>
    public static SigningKey Load(string keyFile, char[]? passphrase, IOperationReporter? reporter = null)
        => From(OpenPgpKeys.LoadSecretKeys(keyFile, reporter), passphrase, keyFile);

    internal static SigningKey? TryFrom(PgpSecretKeyRingBundle keys, char[]? passphrase)
    {
        try { return From(keys, passphrase, "the secret key file"); }
        catch (ShippyarException) { return null; }
    }

    private static SigningKey From(PgpSecretKeyRingBundle keys, char[]? passphrase, string where)
    {
        foreach (PgpSecretKeyRing ring in keys.GetKeyRings())
        {
            var secret = ring.GetSecretKeys().Cast<PgpSecretKey>().FirstOrDefault(k => k.IsSigningKey && OpenPgpKeys.IsUsable(k.PublicKey)
                && OpenPgpKeys.HasFlag(k.PublicKey, OpenPgpKeys.SignFlag, whenNoFlags: k.IsMasterKey));
            if (secret is null) continue;
            PgpPrivateKey key;
            try { key = secret.ExtractPrivateKey(passphrase ?? Array.Empty<char>()); }
            catch (PgpException e)
            {
                throw new ShippyarException(ShippyarErrorKind.AuthenticationError, ErrorIds.SigningKeyPassphraseWrong,
                    $"The passphrase of signing key {OpenPgpKeys.Fingerprint(ring.GetPublicKey())} in {where} is wrong or missing.", where, e);
            }
            return new SigningKey(key, secret.PublicKey, OpenPgpKeys.Fingerprint(ring.GetPublicKey()));
        }
        throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.KeyCannotSign, $"No key in {where} can sign (no valid key with the sign flag).", where);
    }

    public byte[] Seal(ReadOnlySpan<byte> manifest)
    {
        var generator = new PgpSignatureGenerator(_public.Algorithm, HashAlgorithmTag.Sha256);
        generator.InitSign(PgpSignature.BinaryDocument, _key);
        var subpackets = new PgpSignatureSubpacketGenerator();
        subpackets.SetSignatureCreationTime(false, DateTime.UtcNow);
        subpackets.SetIssuerKeyID(false, _public.KeyId);
        generator.SetHashedSubpackets(subpackets.Generate());
        generator.Update(manifest.ToArray());
        using var ms = new MemoryStream();
        using (var bcpg = new BcpgOutputStream(ms)) generator.Generate().Encode(bcpg);
        return ms.ToArray();
    }
}
