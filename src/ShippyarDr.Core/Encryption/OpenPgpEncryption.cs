using ShippyarDr.Diagnostics;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using System.Security.Cryptography;
using ShippyarDr.Pipeline;
using ShippyarDr.Streams;

namespace ShippyarDr.Encryption;

/// <summary>
/// OpenPGP (RFC 4880) encryption as gpg 2.2 reads it: AES-256, integrity protected (SEIPD with MDC), the
/// session key sealed by a passphrase (iterated and salted S2K, SHA-256) or by recipients' public keys, the
/// content in a streamed literal packet (partial lengths, bounded buffers). No compression packet: the stage
/// below already compressed with zstd.
/// </summary>
public sealed class OpenPgpEncryption : IEncryptionStage
{
    // gpg's usual iteration count: 65,011,712 bytes hashed per derivation.
    private const int S2kCount = 0xFF;
    private readonly char[]? _passphrase;
    private Lazy<(S2k, byte[])>? _passphraseKey;
    private readonly IReadOnlyList<Recipient> _recipients;

    private OpenPgpEncryption(char[]? passphrase, IReadOnlyList<Recipient> recipients)
    {
        _passphrase = passphrase;
        _recipients = recipients;
    }

    /// <summary>What a backup is encrypted with: a passphrase, or the recipients' keys from a key file; null for neither.</summary>
    public static OpenPgpEncryption? Choose(char[]? passphrase, IReadOnlyList<string>? recipients, string? recipientKeyFile)
    {
        if (recipients is not null && passphrase is not null)
            throw new Diagnostics.ShippyarException(Diagnostics.ShippyarErrorKind.InvalidArgument, Diagnostics.ErrorIds.EncryptionAmbiguous,
                "Encrypt with a passphrase or to recipients, not both.");
        if (recipients is null) return passphrase is null ? null : WithPassphrase(passphrase);
        if (recipientKeyFile is null)
            throw new Diagnostics.ShippyarException(Diagnostics.ShippyarErrorKind.InvalidArgument, Diagnostics.ErrorIds.RecipientKeyFileRequired,
                "Recipients need a key file holding their public keys, as `gpg --export --armor` writes them.");
        return ToRecipients(recipientKeyFile, recipients);
    }

    /// <summary>Encrypts with a passphrase; the array is the caller's (clear it when done).</summary>
    public static OpenPgpEncryption WithPassphrase(char[] passphrase)
    {
        if (passphrase.Length == 0) throw new Diagnostics.ShippyarException(Diagnostics.ShippyarErrorKind.InvalidArgument, ErrorIds.EmptyPassphrase, "The passphrase is empty.");
        return new(passphrase, Array.Empty<Recipient>());
    }

    /// <summary>Encrypts to recipients: each selector (e-mail, user id or fingerprint) picks a key from the key file.</summary>
    public static OpenPgpEncryption ToRecipients(string keyFile, IEnumerable<string?> selectors)
        => new(null, selectors.Select(s => OpenPgpKeys.FindRecipient(keyFile, s)).ToList());

    /// <summary>Encrypts to every key ring of an armored export (a backup's recorded recipient keys).</summary>
    public static OpenPgpEncryption ToRecipientKeys(string armored)
    {
        var bundle = OpenPgpKeys.ReadArmored(armored);
        return new(null, bundle.GetKeyRings().Cast<PgpPublicKeyRing>()
            .Select(r => OpenPgpKeys.FindRecipient(bundle, OpenPgpKeys.Fingerprint(r.GetPublicKey()), "the backup's recipient keys")).ToList());
    }

    /// <summary>The recipients' key rings, armored, for the manifest; null for a passphrase.</summary>
    public string? RecipientKeys => _recipients.Count == 0 ? null
        : OpenPgpKeys.Armor(_recipients.GroupBy(r => r.Fingerprint).Select(g => g.First().Ring));

    /// <summary>A passphrase authenticates the manifest too: a MAC under a key derived by the same S2K. Null for recipients
    /// (a public key lets anybody encrypt; those manifests need a signature).</summary>
    public Authentication.IManifestSealer? ManifestMac()
        => _passphrase is null ? null : new Authentication.ManifestMac(PassphraseKey.Value.S2k.GetIV(), S2kCount, PassphraseKey.Value.Key);

    public EncryptionInfo Describe() => new()
    {
        Algorithm = "OpenPGP AES256",
        Mode = _passphrase is not null ? "passphrase" : "public-key",
        KeyFingerprints = _recipients.Select(r => r.Fingerprint).ToList(),
    };

    public Stream Encrypt(Stream output, string fileName)
    {
        var sessionKey = RandomNumberGenerator.GetBytes(SessionKeyPackets.KeySize);
        try
        {
            output.Write(_passphrase is not null
                ? SessionKeyPackets.ForPassphrase(PassphraseKey.Value.S2k, PassphraseKey.Value.Key, sessionKey)
                : SessionKeyPackets.ForRecipients(_recipients.Select(r => r.Key), sessionKey));
            return new OpenPgpMessageStream(output, sessionKey, fileName, DateTimeOffset.UtcNow);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sessionKey);
        }
    }

    /// <summary>
    /// The passphrase's S2K (iterated and salted SHA-256, gpg's usual 65 MB of hashing) is derived once per backup and
    /// seals each file's own random session key, so a weekly backup of many databases pays for it once.
    /// </summary>
    private Lazy<(S2k S2k, byte[] Key)> PassphraseKey => _passphraseKey ??= new(() =>
    {
        var s2k = new S2k(HashAlgorithmTag.Sha256, RandomNumberGenerator.GetBytes(8), S2kCount);
        return (s2k, PgpUtilities.MakeKeyFromPassPhraseUtf8(SymmetricKeyAlgorithmTag.Aes256, s2k, _passphrase).GetKey());
    });
}

/// <summary>
/// The writable end of an OpenPGP message after its session key packets: a SEIPD packet (version 1) whose encrypted
/// body holds a literal packet with the data; both stream in partial-length chunks. Dispose closes the literal
/// packet, appends the MDC and closes the SEIPD packet; the output stays open.
/// </summary>
internal sealed class OpenPgpMessageStream : WriteOnlyStreamBase
{
    private readonly PartialLengthPacketStream _seipd;
    private readonly CfbEncryptStream _encrypted;
    private readonly PartialLengthPacketStream _literal;
    private bool _closed;

    public OpenPgpMessageStream(Stream output, byte[] sessionKey, string fileName, DateTimeOffset modified)
    {
        _seipd = new PartialLengthPacketStream(output, tag: 18);
        _seipd.WriteByte(1);
        _encrypted = new CfbEncryptStream(_seipd, sessionKey);
        _literal = new PartialLengthPacketStream(_encrypted, tag: 11);
        var name = System.Text.Encoding.UTF8.GetBytes(fileName);
        if (name.Length > 255) name = name[..255];
        Span<byte> header = stackalloc byte[2 + 255 + 4];
        header[0] = (byte)'b';
        header[1] = (byte)name.Length;
        name.CopyTo(header[2..]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header[(2 + name.Length)..], (uint)modified.ToUnixTimeSeconds());
        _literal.Write(header[..(2 + name.Length + 4)]);
    }

    public override void Write(ReadOnlySpan<byte> buffer) => _literal.Write(buffer);
    public override void Flush() => _literal.Flush();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            _literal.Dispose();
            _encrypted.Dispose();
            _seipd.Dispose();
        }
        base.Dispose(disposing);
    }
}
