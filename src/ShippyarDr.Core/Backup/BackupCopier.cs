using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Streams;

namespace ShippyarDr.Backup;

/// <summary>
/// Replicates a complete backup to another repository (local → S3, S3 → another region…): every stored object is
/// streamed across as is (still compressed and encrypted: no key needed) and its SHA-256 checked against the
/// manifest while it travels; the manifest goes last, so the copy is complete in the target only when all of it is.
/// </summary>
public sealed class BackupCopier
{
    private readonly IOperationReporter _reporter;

    public BackupCopier(IOperationReporter? reporter = null) => _reporter = reporter ?? NullReporter.Instance;

    public BackupInfo Copy(BackupInfo backup, IBackupRepository source, IBackupRepository target, CancellationToken cancel = default)
    {
        var targetCatalog = new BackupCatalog(target);
        if (target.Exists(BackupLayout.ManifestKey(backup.Database, backup.Id)))
        {
            _reporter.Verbose($"Backup {backup.Id} is already complete in {target.Location}.");
            return targetCatalog.Get(backup.Id, backup.Database);
        }
        var activity = $"Copying backup {backup.Id} to {target.Location}";
        var total = backup.Files.Sum(f => f.Size);
        long done = 0;
        try
        {
            foreach (var file in backup.Files)
            {
                var key = BackupLayout.Key(backup.Database, backup.Id, file.Name);
                var before = done;
                var progress = new ProgressThrottle(b => _reporter.Progress(activity, $"{file.Name}: {(before + b) / 1048576.0:F0} of {total / 1048576.0:F0} MB",
                    total > 0 ? (int)((before + b) * 100 / total) : -1));
                using var input = source.OpenRead(key);
                var fan = new FanOutWriteStream(new[] { target.Create(key) });
                using var hashing = new HashingWriteStream(new NonClosingStream(fan));
                try
                {
                    var tee = new TeeReadStream(input, hashing, progress.Report);
                    var buffer = new byte[1 << 20];
                    while (tee.Read(buffer) > 0) cancel.ThrowIfCancellationRequested();
                    var sha = hashing.FinishHash();
                    if (hashing.BytesWritten != file.Size || sha != file.Sha256)
                        throw new ShippyarException(ShippyarErrorKind.InvalidData, "BackupCorrupt",
                            $"{file.Name} in {source.Location} does not match its manifest ({hashing.BytesWritten} bytes, SHA-256 {sha}; expected {file.Size}, {file.Sha256}): not copied.", file.Name);
                    fan.Complete();
                }
                catch
                {
                    fan.Abort();
                    throw;
                }
                done += file.Size;
            }
            cancel.ThrowIfCancellationRequested();
            targetCatalog.Save(backup);
        }
        catch
        {
            try { target.DeletePrefix(BackupLayout.Prefix(backup.Database, backup.Id)); }
            catch (Exception e) when (e is IOException or ShippyarException) { _reporter.Warning($"Could not remove the partial copy from {target.Location}: {e.Message}"); }
            throw;
        }
        return backup.InRepository(target.Location);
    }
}
