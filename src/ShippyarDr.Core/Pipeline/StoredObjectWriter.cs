using ShippyarDr.DumpFormat;
using ShippyarDr.Repository;
using ShippyarDr.Streams;

namespace ShippyarDr.Pipeline;

/// <summary>
/// One pass from a source (pg_dump's stdout) to every repository: optional archive scan (row counts) →
/// plain SHA-256 → compression → encryption → stored SHA-256 and chunk digests → each repository's object, then the
/// chunk digests beside it. The reading thread
/// scans and hashes; a second thread compresses (with a zstd worker), encrypts and stores, so pg_dump never waits
/// for the slow stages. Memory is bounded by the stages' buffers, whatever the size. Objects are completed only
/// after every stage finished. A repository that fails midway is abandoned while the others go on (its failure is
/// returned, by position); any other failure abandons every copy.
/// </summary>
public static class StoredObjectWriter
{
    public static StoredObjectWriteResult Write(Stream source, IReadOnlyList<IBackupRepository> repositories,
        string key, string format, StorageOptions options, bool scanDump, Action<long>? progress, CancellationToken cancel)
    {
        var targets = new List<Stream>();
        FanOutWriteStream? fan = null;
        BackgroundWriteStream? storing = null;
        HashingWriteStream? plain = null;
        try
        {
            foreach (var repository in repositories) targets.Add(repository.Create(key));
            fan = new FanOutWriteStream(targets);
            var stored = new HashingWriteStream(new NonClosingStream(fan), StoredObject.ChunkSize);
            var encrypted = options.Encryption?.Encrypt(stored, Path.GetFileName(key)) ?? new NonClosingStream(stored);
            storing = new BackgroundWriteStream(options.Compression.Compress(encrypted));
            plain = new HashingWriteStream(storing);

            var tee = new TeeReadStream(source, plain, progress);
            var summary = scanDump ? CustomDumpScanner.Scan(tee, cancel) : null;
            tee.Drain();
            cancel.ThrowIfCancellationRequested();

            var plainSha = plain.FinishHash();
            var plainSize = plain.BytesWritten;
            plain.Dispose(); // waits for the storing thread, then ends the compressed frame and the encrypted message
            plain = null;
            storing = null;
            var digests = stored.FinishChunkDigests();
            var file = Describe(Path.GetFileName(key), format, options, stored, plainSize, plainSha, digests);
            fan.Complete();
            var failures = fan.Failures.ToArray();
            StoreDigests(repositories, key + BackupLayout.ChunksSuffix, digests, failures);
            return new StoredObjectWriteResult(file, summary, failures);
        }
        catch
        {
            // The storing thread stops first: it must not write into copies being abandoned.
            storing?.Abort();
            // Copies opened before the fan-out existed are abandoned the same way (an S3 upload aborted, not completed).
            (fan ?? new FanOutWriteStream(targets)).Abort();
            try { plain?.Dispose(); }
            catch (Exception) { /* the stages' tails go nowhere after Abort; the original failure is what matters */ }
            throw;
        }
    }

    /// <summary>
    /// The same stages into one pending object (<see cref="IBackupRepository.CreateAtomically"/>), published only once
    /// every stage finished; the chunk digests are returned for the caller's own manifest rather than stored beside
    /// the object (a WAL segment's manifest holds its few digests itself). A failure leaves nothing published.
    /// </summary>
    public static (BackupFile File, byte[] ChunkDigests) WriteOne(Stream source, IPendingObject target, string fileName, string format,
        StorageOptions options, CancellationToken cancel)
    {
        BackgroundWriteStream? storing = null;
        HashingWriteStream? plain = null;
        try
        {
            var stored = new HashingWriteStream(new NonClosingStream(target.Content), StoredObject.ChunkSize);
            var encrypted = options.Encryption?.Encrypt(stored, fileName) ?? new NonClosingStream(stored);
            storing = new BackgroundWriteStream(options.Compression.Compress(encrypted));
            plain = new HashingWriteStream(storing);
            source.CopyTo(plain);
            cancel.ThrowIfCancellationRequested();
            var plainSha = plain.FinishHash();
            var plainSize = plain.BytesWritten;
            plain.Dispose();
            plain = null;
            storing = null;
            var digests = stored.FinishChunkDigests();
            var file = Describe(fileName, format, options, stored, plainSize, plainSha, digests);
            target.Publish();
            return (file, digests);
        }
        catch
        {
            storing?.Abort();
            try { plain?.Dispose(); }
            catch (Exception) { /* the original failure is what matters */ }
            throw;
        }
    }

    private static BackupFile Describe(string fileName, string format, StorageOptions options, HashingWriteStream stored, long plainSize, string plainSha,
        byte[] digests) => new()
    {
        Name = fileName, Format = format, Size = stored.BytesWritten, Sha256 = stored.FinishHash(),
        PlainSize = plainSize, PlainSha256 = plainSha, Compression = options.Compression.Name,
        CompressionLevel = options.Compression.Name == "none" ? null : options.Compression.Level,
        Encryption = options.Encryption?.Describe(),
        Chunks = new ChunkList
        {
            Size = StoredObject.ChunkSize, Count = digests.Length / ChunkVerifyingReadStream.DigestSize,
            File = BackupLayout.ChunksName(fileName), Sha256 = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(digests)).ToLowerInvariant(),
        },
    };

    /// <summary>The chunk digests go beside the object in every repository that holds it; one that fails here is abandoned like one
    /// that failed midway, and when none is left the write fails.</summary>
    private static void StoreDigests(IReadOnlyList<IBackupRepository> repositories, string key, byte[] digests, Exception?[] failures)
    {
        for (var i = 0; i < repositories.Count; i++)
        {
            if (failures[i] is not null) continue;
            try { repositories[i].WriteAtomically(key, digests); }
            catch (Exception e) when (e is Diagnostics.ShippyarException or IOException or UnauthorizedAccessException) { failures[i] = e; }
        }
        if (failures.All(f => f is not null)) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures[^1]!);
    }
}

/// <summary>What one pass stored: the file as every surviving repository holds it, the archive's summary when it was
/// scanned, and for each repository (by position) why it failed, or null.</summary>
public sealed record StoredObjectWriteResult(BackupFile File, DumpSummary? Summary, IReadOnlyList<Exception?> Failures);
