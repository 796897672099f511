using Org.BouncyCastle.Bcpg.OpenPgp;
using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Streams;

namespace ShippyarDr.Encryption;

/// <summary>
/// Reads OpenPGP messages: ours, and gpg's (`--symmetric` or `--encrypt`, armored or binary, with gpg's default
/// compression packet inside). A wrong passphrase or key fails when the stream is opened, before any plaintext;
/// the integrity code (MDC) is checked when the content ends, so a tampered message never reads as complete.
/// </summary>
public sealed class OpenPgpDecryption : IDecryptionStage
{
    private readonly char[]? _passphrase;
    private readonly PgpSecretKeyRingBundle? _secretKeys;
    private readonly char[]? _secretKeyPassphrase;

    public OpenPgpDecryption(char[]? passphrase, PgpSecretKeyRingBundle? secretKeys = null, char[]? secretKeyPassphrase = null)
    {
        if (passphrase is null && secretKeys is null)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.DecryptionKeyRequired, "Give a passphrase or a secret key to decrypt.");
        _passphrase = passphrase;
        _secretKeys = secretKeys;
        _secretKeyPassphrase = secretKeyPassphrase;
    }

    /// <summary>From what a host was given (any may be null); null when no key source was given at all.</summary>
    public static OpenPgpDecryption? FromSources(char[]? passphrase, string? secretKeyFile, char[]? secretKeyPassphrase, IOperationReporter? reporter = null)
    {
        var secretKeys = secretKeyFile is null ? null : OpenPgpKeys.LoadSecretKeys(secretKeyFile, reporter);
        return passphrase is null && secretKeys is null ? null : new OpenPgpDecryption(passphrase, secretKeys, secretKeyPassphrase);
    }

    public Stream Decrypt(Stream input)
    {
        try
        {
            var factory = new PgpObjectFactory(Unarmored(input));
            var list = NextOf<PgpEncryptedDataList>(factory)
                ?? throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.NotEncrypted, "This is not an OpenPGP encrypted message.");
            var (data, clear) = OpenEncryptedData(list);
            var content = new PgpObjectFactory(clear).NextPgpObject();
            if (content is PgpCompressedData compressed) content = new PgpObjectFactory(compressed.GetDataStream()).NextPgpObject();
            if (content is not PgpLiteralData literal)
                throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.EncryptedDataUnexpected, $"The decrypted message holds {content?.GetType().Name ?? "nothing"}, not data.");
            return new IntegrityCheckedStream(literal.GetInputStream(), data);
        }
        catch (Exception e) when (e is PgpException or IOException && e is not ShippyarException)
        {
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.EncryptedDataTampered, $"The encrypted data cannot be read: {e.Message}", inner: e);
        }
    }

    /// <summary>Binary OpenPGP packets start with a byte whose high bit is set; anything else is taken as ASCII armor.
    /// (BouncyCastle's own detection needs a seekable stream, and a backup arrives as a pipe.)</summary>
    private static Stream Unarmored(Stream input)
    {
        var (head, whole) = PrefixedReadStream.Peek(input, 1);
        return head.Length == 1 && (head[0] & 0x80) == 0 ? new Org.BouncyCastle.Bcpg.ArmoredInputStream(whole) : whole;
    }

    private (PgpEncryptedData Data, Stream Clear) OpenEncryptedData(PgpEncryptedDataList list)
    {
        foreach (var candidate in list.GetEncryptedDataObjects())
        {
            if (candidate is PgpPbeEncryptedData pbe && _passphrase is not null)
            {
                // BouncyCastle checks the session key's quick-check bytes here: a wrong passphrase fails now.
                try { return (pbe, pbe.GetDataStreamUtf8(_passphrase)); }
                catch (PgpException e) { throw WrongKey("the passphrase does not open it", e); }
            }
            if (candidate is PgpPublicKeyEncryptedData pk && _secretKeys?.GetSecretKey(pk.KeyId) is { } secret)
            {
                PgpPrivateKey privateKey;
                try { privateKey = secret.ExtractPrivateKey(_secretKeyPassphrase ?? Array.Empty<char>()); }
                catch (PgpException e) { throw new ShippyarException(ShippyarErrorKind.AuthenticationError, ErrorIds.SecretKeyPassphraseWrong, $"The passphrase of secret key {pk.KeyId:X16} is wrong.", inner: e); }
                try { return (pk, pk.GetDataStream(privateKey)); }
                catch (PgpException e) { throw WrongKey($"key {pk.KeyId:X16} does not open it", e); }
            }
        }
        var keyIds = list.GetEncryptedDataObjects().OfType<PgpPublicKeyEncryptedData>().Select(p => p.KeyId.ToString("X16")).ToList();
        throw WrongKey(keyIds.Count > 0 ? $"it is encrypted to key(s) {string.Join(", ", keyIds)}, and no given key matches" : "it needs a passphrase", null);
    }

    private static ShippyarException WrongKey(string why, Exception? inner)
        => new(ShippyarErrorKind.AuthenticationError, ErrorIds.DecryptionKeyWrong, $"Cannot decrypt: {why}.", inner: inner);

    private static T? NextOf<T>(PgpObjectFactory factory) where T : class
    {
        // gpg may put a marker packet first.
        for (var o = factory.NextPgpObject(); o is not null; o = factory.NextPgpObject())
            if (o is T t) return t;
        return null;
    }
}

/// <summary>The plaintext of a message; at its end the MDC is verified, and a mismatch is an error, not an end.</summary>
internal sealed class IntegrityCheckedStream : ReadOnlyStreamBase
{
    private readonly Stream _inner;
    private readonly PgpEncryptedData _data;
    private bool _verified;

    public IntegrityCheckedStream(Stream inner, PgpEncryptedData data)
    {
        _inner = inner;
        _data = data;
    }

    public override int Read(Span<byte> buffer)
    {
        int n;
        try { n = _inner.Read(buffer); }
        catch (Exception e) when (e is PgpException or IOException)
        {
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.EncryptedDataTampered, $"The encrypted data is damaged: {e.Message}", inner: e);
        }
        if (n == 0 && buffer.Length > 0 && !_verified)
        {
            _verified = true;
            bool ok;
            try { ok = !_data.IsIntegrityProtected() || _data.Verify(); }
            catch (Exception e) when (e is PgpException or IOException) { ok = false; }
            if (!ok) throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.EncryptedDataTampered,
                "The encrypted data fails its integrity check (MDC): it was changed or cut after it was written.");
        }
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

}
