using ShippyarDr.Compression;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Streams;

namespace ShippyarDr.Pipeline;

/// <summary>
/// A stored object read back as its plain content: repository (chunk digests checked, see StoredObject) → stored
/// SHA-256 → decryption → decompression → plain SHA-256. <see cref="CheckIntegrity"/> reads to the end and compares both checksums with the manifest.
/// </summary>
public sealed class ArchiveReadStream : ReadOnlyStreamBase
{
    private readonly BackupFile _file;
    private readonly HashingWriteStream _storedHash = new(Stream.Null);
    private readonly HashingWriteStream _plainHash = new(Stream.Null);
    private readonly Stream _stored;
    private readonly TeeReadStream _storedTee;
    private readonly Stream _chain;
    private readonly TeeReadStream _plain;

    public ArchiveReadStream(IBackupRepository repository, BackupInfo backup, BackupFile file, IDecryptionStage? decryption)
    {
        _file = file;
        RequireKey(file, decryption);
        _stored = StoredObject.OpenRead(repository, backup, file);
        _storedTee = new TeeReadStream(_stored, _storedHash);
        Stream current = _storedTee;
        if (file.Encryption is not null) current = decryption!.Decrypt(current);
        _chain = CompressionCodec.Parse(file.Compression, file.CompressionLevel).Decompress(current);
        _plain = new TeeReadStream(_chain, _plainHash);
    }

    /// <summary>Throws DecryptionKeyRequired when <paramref name="file"/> is encrypted and no key was given.</summary>
    public static void RequireKey(BackupFile file, IDecryptionStage? decryption)
    {
        if (file.Encryption is not null && decryption is null)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, "DecryptionKeyRequired",
                $"{file.Name} is encrypted ({file.Encryption.Mode}{(file.Encryption.KeyFingerprints.Count > 0 ? ", key " + string.Join(", ", file.Encryption.KeyFingerprints) : "")}): give the passphrase or secret key to read it.", file.Name);
    }

    public override int Read(Span<byte> buffer) => _plain.Read(buffer);

    /// <summary>Reads whatever is left and compares sizes and checksums with the manifest.</summary>
    public ArchiveIntegrity CheckIntegrity()
    {
        string? unreadable = null;
        string? storedProblem = null;
        try
        {
            _plain.Drain();
        }
        catch (ShippyarException e) when (e.ErrorId == "BackupCorrupt")
        {
            storedProblem = e.Message; // a chunk digest failed: the stored bytes changed
        }
        catch (Exception e) when (e is InvalidDataException or ShippyarException { Kind: ShippyarErrorKind.InvalidData })
        {
            // The content cannot be decoded; the stored bytes can still be hashed to say whether storage changed them.
            unreadable = e.Message;
            try { _storedTee.Drain(); }
            catch (ShippyarException s) when (s.ErrorId == "BackupCorrupt") { storedProblem = s.Message; }
        }
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
        return new ArchiveIntegrity(storedOk, storedDetail, plainOk, plainDetail);
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

/// <summary>Whether the stored bytes and the plain content both match the manifest.</summary>
public sealed record ArchiveIntegrity(bool StoredMatches, string StoredDetail, bool PlainMatches, string PlainDetail)
{
    public string? Problem => StoredMatches ? PlainMatches ? null : PlainDetail : StoredDetail;
}
