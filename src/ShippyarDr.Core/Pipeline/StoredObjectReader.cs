using ShippyarDr.Compression;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Streams;

namespace ShippyarDr.Pipeline;

/// <summary>
/// A stored object read back as its plain content: repository (chunk digests checked, see StoredObject) → stored
/// SHA-256 → decryption → decompression → plain SHA-256. <see cref="CheckIntegrity"/> reads to the end and compares
/// both checksums with the manifest; <see cref="Damage"/> tells a damaged object from a tool's own failure.
/// </summary>
public sealed class StoredObjectReader : ReadOnlyStreamBase
{
    private readonly BackupFile _file;
    private readonly string _where;
    private readonly HashingWriteStream _storedHash = new(Stream.Null);
    private readonly HashingWriteStream _plainHash = new(Stream.Null);
    private readonly Stream _stored;
    private readonly TeeReadStream _storedTee;
    private readonly Stream _chain;
    private readonly TeeReadStream _plain;

    public StoredObjectReader(IBackupRepository repository, BackupInfo backup, BackupFile file, IDecryptionStage? decryption)
        : this(() => StoredObject.OpenRead(repository, backup, file), file, $"{repository.Location.TrimEnd('/')}/{BackupLayout.Key(backup, file.Name)}", decryption)
    {
    }

    /// <summary>An object opened by the caller (already checked chunk by chunk, e.g. a WAL segment whose digests its
    /// manifest holds); <paramref name="where"/> names it in messages.</summary>
    public StoredObjectReader(Func<Stream> openStored, BackupFile file, string where, IDecryptionStage? decryption)
    {
        _file = file;
        _where = where;
        RequireKey(file, decryption);
        _stored = openStored();
        try
        {
            _storedTee = new TeeReadStream(_stored, _storedHash);
            Stream current = _storedTee;
            if (file.Encryption is not null) current = decryption!.Decrypt(current);
            _chain = CompressionCodec.Parse(file.Compression, file.CompressionLevel).Decompress(current);
            _plain = new TeeReadStream(_chain, _plainHash);
        }
        catch
        {
            // A wrong key or a damaged header fails here, before anyone holds this stream to dispose it.
            _stored.Dispose();
            throw;
        }
    }

    /// <summary>Throws DecryptionKeyRequired when <paramref name="file"/> is encrypted and no key was given.</summary>
    public static void RequireKey(BackupFile file, IDecryptionStage? decryption)
    {
        if (file.Encryption is not null && decryption is null)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.DecryptionKeyRequired,
                $"{file.Name} is encrypted ({file.Encryption.Mode}{(file.Encryption.KeyFingerprints.Count > 0 ? ", key " + string.Join(", ", file.Encryption.KeyFingerprints) : "")}): give the passphrase or secret key to read it.", file.Name);
    }

    /// <summary>Where the object is: repository and key, for messages.</summary>
    public string Where => _where;

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return _plain.Read(buffer);
        }
        catch (Exception e) when (CompressionCodec.IsCorruptInput(e))
        {
            throw CompressedDataCorrupt(e);
        }
    }

    /// <summary>Reads whatever is left and compares sizes and checksums with the manifest.</summary>
    public StoredObjectIntegrity CheckIntegrity(CancellationToken cancel = default)
    {
        ShippyarException? contentError = null;
        string? storedProblem = null;
        try
        {
            Drain(_plain, cancel);
        }
        catch (ShippyarException e) when (e.ErrorId == ErrorIds.BackupCorrupt)
        {
            storedProblem = e.Message; // a chunk digest failed: the stored bytes changed
        }
        catch (Exception e) when (CompressionCodec.IsCorruptInput(e) || e is ShippyarException { Kind: ShippyarErrorKind.InvalidData })
        {
            // The content cannot be decoded; the stored bytes can still be hashed to say whether storage changed them.
            contentError = e as ShippyarException ?? CompressedDataCorrupt(e);
            try { Drain(_storedTee, cancel); }
            catch (ShippyarException s) when (s.ErrorId == ErrorIds.BackupCorrupt) { storedProblem = s.Message; }
        }
        var unreadable = contentError?.Message;
        var storedSha = _storedHash.FinishHash();
        var plainSha = _plainHash.FinishHash();
        var storedOk = storedProblem is null && _storedHash.BytesWritten == _file.Size && storedSha == _file.Sha256;
        var plainOk = storedProblem is null && unreadable is null
                      && (_file.PlainSha256 is null || (_plainHash.BytesWritten == _file.PlainSize && plainSha == _file.PlainSha256));
        var storedDetail = storedProblem ?? (storedOk ? $"SHA-256 matches ({_file.Size / 1048576.0:F1} MB stored)"
            : $"{_storedHash.BytesWritten} bytes with SHA-256 {storedSha}; the manifest says {_file.Size} with {_file.Sha256}");
        var plainDetail = storedProblem is not null ? "not checked: the stored bytes were changed"
            : unreadable is not null ? $"content cannot be decoded: {unreadable}"
            : plainOk ? $"SHA-256 matches ({_plainHash.BytesWritten / 1048576.0:F1} MB after decryption and decompression)"
            : $"{_plainHash.BytesWritten} bytes with SHA-256 {plainSha} after decryption and decompression; the manifest says {_file.PlainSize} with {_file.PlainSha256}";
        return new StoredObjectIntegrity(contentError, storedOk, storedDetail, plainOk, plainDetail);
    }

    /// <summary>
    /// Why a read of this object, or the program fed from it, failed, when the object itself is damaged: reads the rest
    /// and checks it. BackupCorrupt when the stored bytes differ from the manifest (storage or someone changed them);
    /// otherwise the content's own error (CompressedDataCorrupt, EncryptedDataTampered) or BackupCorrupt. Null when the
    /// object is intact, so the caller's own error stands. Call once, instead of <see cref="CheckIntegrity"/>.
    /// </summary>
    public ShippyarException? Damage(string backupId, Exception? failure = null, CancellationToken cancel = default)
    {
        var integrity = CheckIntegrity(cancel);
        if (integrity.Problem is null) return null;
        var (id, what) = integrity switch
        {
            { StoredMatches: false } => (ErrorIds.BackupCorrupt, $"{_where} differs from its manifest: {integrity.StoredDetail}"),
            { ContentError: { } content } => (content.ErrorId, content.Message.Contains(_where, StringComparison.Ordinal) ? content.Message : $"{_where}: {content.Message}"),
            _ => (ErrorIds.BackupCorrupt, $"{_where}: {integrity.PlainDetail}"),
        };
        return new ShippyarException(ShippyarErrorKind.InvalidData, id, $"Backup {backupId} is damaged: {what.TrimEnd('.')}.", backupId, failure ?? integrity.ContentError);
    }

    private ShippyarException CompressedDataCorrupt(Exception e) => new(ShippyarErrorKind.InvalidData, ErrorIds.CompressedDataCorrupt,
        $"{_where} cannot be decompressed ({_file.Compression}): {e.Message}", _where, e);

    private static void Drain(Stream stream, CancellationToken cancel)
    {
        var buffer = new byte[1 << 16];
        while (stream.Read(buffer) > 0) cancel.ThrowIfCancellationRequested();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _chain.Dispose();
            _stored.Dispose();
            _storedHash.Dispose();
            _plainHash.Dispose();
        }
        base.Dispose(disposing);
    }

    public override long Position { get => _plain.BytesRead; set => throw new NotSupportedException(); }
}

/// <summary>Whether the stored bytes and the plain content both match the manifest; <paramref name="ContentError"/> is why the
/// content could not be decoded, if it could not.</summary>
public sealed record StoredObjectIntegrity(ShippyarException? ContentError, bool StoredMatches, string StoredDetail, bool PlainMatches, string PlainDetail)
{
    public string? Problem => StoredMatches ? PlainMatches ? null : PlainDetail : StoredDetail;
}
