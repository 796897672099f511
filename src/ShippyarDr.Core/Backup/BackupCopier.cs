using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Streams;

namespace ShippyarDr.Backup;

/// <summary>
/// Replicates a complete backup to another repository (local → S3, S3 → another region…): every stored object is
/// streamed across as is (still compressed and encrypted: no key needed), its chunks and SHA-256 checked against the
/// manifest while it travels. The manifest and its seals are copied byte for byte, so a signature or MAC still verifies
/// in the copy, and the manifest goes last: the copy is complete in the target only when all of it is. A backup from a
/// format 1 repository lands in the format 2 layout. A failed copy removes what it wrote, nothing else. A backup still
/// under S3 Object Lock is locked the same way (mode, until) in an S3 target; a target that cannot lock gets a warning.
/// </summary>
public sealed class BackupCopier
{
    private readonly IOperationReporter _reporter;

    public BackupCopier(IOperationReporter? reporter = null) => _reporter = reporter ?? NullReporter.Instance;

    public BackupInfo Copy(BackupInfo backup, IBackupRepository source, IBackupRepository target, CancellationToken cancel = default)
    {
        var sourceCatalog = new BackupCatalog(source);
        var manifest = sourceCatalog.ReadManifestBytes(backup);
        // What is copied and checked is what the copied bytes say, not what was listed earlier.
        backup = sourceCatalog.FromBytes(backup, manifest);
        var copy = backup.InRepository(target.Location);
        copy.Prefix = BackupLayout.NewPrefix(backup.IsCluster, backup.Database, backup.Id);
        // Readers there would refuse an unsealed copy: say so now rather than at the restore that needs it.
        if (RepositoryDescriptor.CheckWritable(target)?.Authenticated == true && backup.Authentication == ManifestAuthentication.None)
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.UnsealedCopyRefused,
                $"Repository {target.Location} holds authenticated backups, and backup {backup.Id} is not sealed: readers there would refuse it. Copy it into a repository without sealed backups.", target.Location);
        if (target.Exists(BackupLayout.Key(copy, BackupLayout.ManifestName)))
        {
            _reporter.Verbose($"Backup {backup.Id} is already complete in {target.Location}.");
            return new BackupCatalog(target).Get(backup.Id, backup.Database);
        }
        var activity = $"Copying backup {backup.Id} to {target.Location}";
        var total = backup.Files.Sum(f => f.Size);
        long done = 0;
        var objectLock = LockToKeep(backup, target);
        var recording = new RecordingRepository(objectLock is null ? target : ((IObjectLockingRepository)target).WithObjectLock(objectLock));
        var lease = BackupLease.ForThisProcess();
        using var running = lease.Hold();
        try
        {
            recording.WriteAtomically(BackupLayout.Key(copy, BackupLayout.LeaseName), lease.Serialize());
            foreach (var file in backup.Files)
            {
                var before = done;
                var progress = new ProgressThrottle(b => _reporter.Progress(activity, $"{file.Name}: {(before + b) / 1048576.0:F0} of {total / 1048576.0:F0} MB",
                    total > 0 ? (int)((before + b) * 100 / total) : -1));
                CopyObject(source, backup, file, recording, copy, progress.Report, cancel);
                if (file.Chunks is { } chunks) recording.WriteAtomically(BackupLayout.Key(copy, chunks.File), StoredObject.ReadChunkDigests(source, backup, file, chunks));
                done += file.Size;
            }
            cancel.ThrowIfCancellationRequested();
            var seals = new List<(string, byte[])>();
            if (backup.Authentication.HasFlag(ManifestAuthentication.Signature)) seals.Add((BackupLayout.SignatureName, source.ReadAllBytes(BackupLayout.Key(backup, BackupLayout.SignatureName))));
            if (backup.Authentication.HasFlag(ManifestAuthentication.Mac)) seals.Add((BackupLayout.MacName, source.ReadAllBytes(BackupLayout.Key(backup, BackupLayout.MacName))));
            objectLock?.ConfirmKeptBy(recording, BackupLayout.Key(copy, backup.Files[0].Name));
            new BackupCatalog(recording).Save(copy, manifest, seals);
        }
        catch
        {
            if (recording.DeleteCreated() is { } problem) _reporter.Warning($"Could not remove all of the partial copy from {target.Location}: {problem}");
            throw;
        }
        recording.Keep();
        try { target.Delete(BackupLayout.Key(copy, BackupLayout.LeaseName)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ShippyarException) { _reporter.Verbose($"The lease of the copy stays in {target.Location}: {e.Message}"); }
        return copy;
    }

    /// <summary>The lock of a backup whose lock has not ended, for a target that can keep it; null otherwise.</summary>
    private ObjectLock? LockToKeep(BackupInfo backup, IBackupRepository target)
    {
        if (backup.ObjectLockUntil is not { } until || until <= DateTimeOffset.UtcNow) return null;
        if (target is IObjectLockingRepository) return new ObjectLock(backup.ObjectLockMode ?? ObjectLockMode.Compliance, until);
        _reporter.Warning($"Backup {backup.Id} is under S3 Object Lock until {until.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z, but {target.Location} cannot lock objects: " +
            "its copy there can be deleted at any time, although its manifest records the lock.");
        return null;
    }

    /// <summary>One object, checked chunk by chunk on the way (StoredObject) and as a whole at the end; completed only if it matches.</summary>
    private static void CopyObject(IBackupRepository source, BackupInfo backup, BackupFile file, IBackupRepository target, BackupInfo copy,
        Action<long> progress, CancellationToken cancel)
    {
        using var input = StoredObject.OpenRead(source, backup, file);
        var fan = new FanOutWriteStream(new[] { target.Create(BackupLayout.Key(copy, file.Name)) });
        using var hashing = new HashingWriteStream(new NonClosingStream(fan));
        try
        {
            var tee = new TeeReadStream(input, hashing, progress);
            var buffer = new byte[1 << 20];
            while (tee.Read(buffer) > 0) cancel.ThrowIfCancellationRequested();
            var sha = hashing.FinishHash();
            if (hashing.BytesWritten != file.Size || sha != file.Sha256)
                throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.BackupCorrupt,
                    $"{file.Name} in {source.Location} does not match its manifest ({hashing.BytesWritten} bytes, SHA-256 {sha}; expected {file.Size}, {file.Sha256}): not copied.", file.Name);
            fan.Complete();
        }
        catch
        {
            fan.Abort();
            throw;
        }
    }
}
