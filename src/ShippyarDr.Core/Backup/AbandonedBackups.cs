using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Backup;

/// <summary>
/// Removes what killed runs left: folders of one database (or the cluster) with data but no manifest, whose lease names
/// this host and a writer process that is gone. Anything else without a manifest may still be being written (another
/// host, a live process) and stays; status reports it.
/// </summary>
internal static class AbandonedBackups
{
    public static void RemoveFrom(IBackupRepository repository, string database, IOperationReporter reporter)
    {
        foreach (var incomplete in new BackupCatalog(repository).Incomplete(database))
        {
            var lease = BackupLease.Read(repository, incomplete.Prefix);
            if (lease is null || !lease.WriterIsGone()) continue;
            try
            {
                repository.DeletePrefix(incomplete.Prefix);
                reporter.Verbose($"Removed the partial backup {incomplete.Id} from {repository.Location}: process {lease.ProcessId} on {lease.Host}, which was writing it, is gone.");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ShippyarException)
            {
                reporter.Warning($"Could not remove the partial backup {incomplete.Id} left by a killed run from {repository.Location}: {e.Message}");
            }
        }
    }
}
