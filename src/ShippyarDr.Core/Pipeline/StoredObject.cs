using System.Security.Cryptography;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Streams;

namespace ShippyarDr.Pipeline;

/// <summary>
/// Opens a backup's stored object for reading as stored (still compressed and encrypted). When the manifest lists the
/// object's chunk digests (version 2), the digests are loaded and checked against the manifest first, and every chunk is
/// checked before it is passed on, so nothing changed since the backup was written reaches a reader.
/// </summary>
public static class StoredObject
{
    public const int ChunkSize = 4 * 1024 * 1024;

    public static Stream OpenRead(IBackupRepository repository, BackupInfo backup, BackupFile file)
    {
        var key = BackupLayout.Key(backup, file.Name);
        if (file.Chunks is not { } chunks) return repository.OpenRead(key);
        var digests = ReadChunkDigests(repository, backup, file, chunks);
        return new ChunkVerifyingReadStream(repository.OpenRead(key), digests, chunks.Size, file.Size, $"{repository.Location.TrimEnd('/')}/{key} (backup {backup.Id})");
    }

    /// <summary>An object's chunk digests, checked against the manifest's SHA-256 of them.</summary>
    public static byte[] ReadChunkDigests(IBackupRepository repository, BackupInfo backup, BackupFile file, ChunkList chunks)
    {
        var expected = (long)chunks.Count * ChunkVerifyingReadStream.DigestSize;
        byte[]? digests;
        try { digests = repository.ReadAllBytes(BackupLayout.Key(backup, chunks.File), (int)Math.Min(expected, RepositoryReads.MaxSmallObject)); }
        catch (ShippyarException e) when (e.ErrorId == ErrorIds.ObjectTooLarge) { digests = null; }
        if (digests is null || digests.Length != expected || Convert.ToHexString(SHA256.HashData(digests)).ToLowerInvariant() != chunks.Sha256)
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.BackupCorrupt,
                $"The chunk digests of {file.Name} in backup {backup.Id} ({chunks.File}) differ from what the manifest recorded: changed or damaged after the backup was written.", file.Name);
        return digests;
    }
}
