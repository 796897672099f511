using ShippyarDr.Diagnostics;

namespace ShippyarDr.Verification;

/// <summary>
/// The Recovery level of a base backup's verification: after everything the Restore level checks, the scratch copy
/// replays the WAL archive to its end, proving the chain of archived segments usable and not merely present, and the
/// result reports the point reached. Its place in the flow is <see cref="ScratchClusterCheck"/>: the scratch data
/// directory gets recovery.signal, restore_command (fetching from the repository's wal/ archive),
/// recovery_target_timeline = 'latest' and recovery_target_action = 'promote' before its server starts
/// (Cluster/ServerSettings), then LocalServer.WaitForRecoveryEnd and the point reached (pg_last_wal_replay_lsn, the last
/// replayed transaction's time) become a check. Until the WAL archive exists, the level is refused before anything is
/// restored: a verification that says Recovery must have replayed the archive.
/// </summary>
internal static class ArchiveReplay
{
    public static void RequireAvailable(BackupInfo backup)
        => throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.ArchiveReplayUnavailable,
            $"Replaying the WAL archive after backup {backup.Id} needs the WAL archive, which this version does not have yet; verify up to the Restore level, which replays the backup's own WAL.", backup.Id);
}
