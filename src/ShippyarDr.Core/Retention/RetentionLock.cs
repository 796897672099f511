using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Retention;

/// <summary>
/// One retention (or backup removal) at a time per repository: retention/lock.json, created only if absent (on a
/// directory, a link that fails when the name exists), holding the holder's lease (host, process, run). A lock whose
/// holder on this host is gone is taken over; one held by a live run, or from another host, makes the next run wait
/// up to its limit and then fail with RetentionInProgress. On S3 the write is conditional (If-None-Match), so of two
/// runs one gets ObjectExists; on a store that ignores the condition the run whose lease is read back after writing
/// holds it, and two runs that both read their own back in the same instant remain possible.
/// </summary>
public sealed class RetentionLock : IDisposable
{
    private const string LockName = "lock.json";
    public const string Key = BackupLayout.RetentionRoot + LockName;
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    private readonly IBackupRepository _repository;
    private readonly BackupLease _lease;
    private readonly IDisposable _hold;

    private RetentionLock(IBackupRepository repository, BackupLease lease, IDisposable hold)
    {
        _repository = repository;
        _lease = lease;
        _hold = hold;
    }

    public static RetentionLock Acquire(IBackupRepository repository, TimeSpan? wait = null, CancellationToken cancel = default)
    {
        var lease = BackupLease.ForThisProcess();
        var hold = lease.Hold();
        var deadline = DateTime.UtcNow + (wait ?? DefaultWait);
        try
        {
            while (true)
            {
                try
                {
                    repository.WriteAtomically(Key, lease.Serialize());
                    // S3 can only check, then write: of two runs that both wrote, the one whose lease is there now holds it.
                    if (BackupLease.Read(repository, BackupLayout.RetentionRoot, LockName)?.RunId == lease.RunId)
                        return new RetentionLock(repository, lease, hold);
                    throw new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.ObjectExists, $"{Key} was written by another run meanwhile.", Key);
                }
                catch (ShippyarException e) when (e.ErrorId == ErrorIds.ObjectExists || repository.Exists(Key))
                {
                    var holder = BackupLease.Read(repository, BackupLayout.RetentionRoot, LockName);
                    if (holder is not null && holder.WriterIsGone())
                    {
                        repository.Delete(Key);
                        continue;
                    }
                    if (DateTime.UtcNow >= deadline)
                        throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.RetentionInProgress,
                            $"Another retention run holds {repository.Location}/{Key}"
                            + (holder is null ? "" : $" (process {holder.ProcessId} on {holder.Host}, since {holder.Started:u})")
                            + ": nothing was deleted. Run again when it has finished; a lock left by a crashed run on another host must be deleted by hand.", repository.Location, e);
                    cancel.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(250));
                    cancel.ThrowIfCancellationRequested();
                }
            }
        }
        catch
        {
            hold.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            if (BackupLease.Read(_repository, BackupLayout.RetentionRoot, LockName) is { } current && current.RunId == _lease.RunId) _repository.Delete(Key);
        }
        finally
        {
            _hold.Dispose();
        }
    }
}
