using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Security;
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
    private const int BufferSize = 1 << 16;
    private readonly char[]? _passphrase;
    private readonly IReadOnlyList<(PgpPublicKey Key, string Fingerprint)> _recipients;

    private OpenPgpEncryption(char[]? passphrase, IReadOnlyList<(PgpPublicKey, string)> recipients)
    {
        _passphrase = passphrase;
        _recipients = recipients;
    }

    /// <summary>Encrypts with a passphrase; the array is the caller's (clear it when done).</summary>
    public static OpenPgpEncryption WithPassphrase(char[] passphrase)
    {
        if (passphrase.Length == 0) throw new Diagnostics.ShippyarException(Diagnostics.ShippyarErrorKind.InvalidArgument, "EmptyPassphrase", "The passphrase is empty.");
        return new(passphrase, Array.Empty<(PgpPublicKey, string)>());
    }

    /// <summary>Encrypts to recipients: each selector (e-mail, user id or fingerprint) picks a key from the key file.</summary>
    public static OpenPgpEncryption ToRecipients(string keyFile, IEnumerable<string?> selectors)
        => new(null, selectors.Select(s => OpenPgpKeys.FindRecipient(keyFile, s)).ToList());

    public EncryptionInfo Describe() => new()
    {
        Algorithm = "OpenPGP AES256",
        Mode = _passphrase is not null ? "passphrase" : "public-key",
        KeyFingerprints = _recipients.Select(r => r.Fingerprint).ToList(),
    };

    public Stream Encrypt(Stream output, string fileName)
    {
        var generator = new PgpEncryptedDataGenerator(SymmetricKeyAlgorithmTag.Aes256, withIntegrityPacket: true, new SecureRandom());
        if (_passphrase is not null) generator.AddMethodUtf8(_passphrase, HashAlgorithmTag.Sha256);
        foreach (var (key, _) in _recipients) generator.AddMethod(key);
        // The interface promises to leave the output open, whatever the generator does on close.
        var encrypted = generator.Open(new NonClosingStream(output), new byte[BufferSize]);
        var literal = new PgpLiteralDataGenerator().Open(encrypted, PgpLiteralData.Binary, fileName, DateTime.UtcNow, new byte[BufferSize]);
        return new OpenPgpMessageStream(literal, encrypted);
    }
}

/// <summary>The writable end of an OpenPGP message; disposing closes the literal packet, then the encrypted packet (writing the MDC).</summary>
internal sealed class OpenPgpMessageStream : WriteOnlyStreamBase
{
    private readonly Stream _literal;
    private readonly Stream _encrypted;
    private bool _closed;

    public OpenPgpMessageStream(Stream literal, Stream encrypted)
    {
        _literal = literal;
        _encrypted = encrypted;
    }

    public override void Write(byte[] buffer, int offset, int count) => _literal.Write(buffer, offset, count);
    public override void Write(ReadOnlySpan<byte> buffer) => _literal.Write(buffer);
    public override void Flush() => _literal.Flush();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            _literal.Dispose();
            _encrypted.Dispose();
        }
        base.Dispose(disposing);
    }

}
