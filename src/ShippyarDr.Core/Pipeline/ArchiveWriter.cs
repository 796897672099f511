using ShippyarDr.Archive;
using ShippyarDr.Repository;
using ShippyarDr.Streams;

namespace ShippyarDr.Pipeline;

/// <summary>
/// One pass from a source (pg_dump's stdout) to every repository: optional archive scan (row counts) →
/// plain SHA-256 → compression → encryption → stored SHA-256 → each repository's object. Memory is bounded by
/// the stages' buffers, whatever the size. Objects are completed only after every stage finished; on any
/// failure every copy is abandoned.
/// </summary>
public static class ArchiveWriter
{
    public static (BackupFile File, ArchiveSummary? Summary) Write(Stream source, IReadOnlyList<IBackupRepository> repositories,
        string key, string format, ArchiveWriteOptions options, bool scanArchive, Action<long>? progress, CancellationToken cancel)
    {
        var targets = new List<Stream>();
        FanOutWriteStream? fan = null;
        HashingWriteStream? plain = null;
        try
        {
            foreach (var repository in repositories) targets.Add(repository.Create(key));
            fan = new FanOutWriteStream(targets);
            var stored = new HashingWriteStream(new NonClosingStream(fan));
            var encrypted = options.Encryption?.Encrypt(stored, Path.GetFileName(key)) ?? new NonClosingStream(stored);
            plain = new HashingWriteStream(options.Compression.Compress(encrypted));

            var tee = new TeeReadStream(source, plain, progress);
            var summary = scanArchive ? CustomArchiveScanner.Scan(tee, cancel) : null;
            tee.Drain();
            cancel.ThrowIfCancellationRequested();

            var plainSha = plain.FinishHash();
            var plainSize = plain.BytesWritten;
            plain.Dispose(); // ends the compressed frame and the encrypted message
            plain = null;
            var file = new BackupFile
            {
                Name = Path.GetFileName(key), Format = format, Size = stored.BytesWritten, Sha256 = stored.FinishHash(),
                PlainSize = plainSize, PlainSha256 = plainSha, Compression = options.Compression.Name,
                CompressionLevel = options.Compression.Name == "none" ? null : options.Compression.Level,
                Encryption = options.Encryption?.Describe(),
            };
            fan.Complete();
            return (file, summary);
        }
        catch
        {
            if (fan is not null) fan.Abort();
            else foreach (var t in targets) t.Dispose();
            try { plain?.Dispose(); }
            catch (Exception) { /* the stages' tails go nowhere after Abort; the original failure is what matters */ }
            throw;
        }
    }
}
