using ShippyarDr.Cluster;
using ShippyarDr.Diagnostics;
using ShippyarDr.Recovery;
using ShippyarDr.Repository;
using ShippyarDr.Wal;

namespace ShippyarDr.Verification;

/// <summary>
/// The Recovery level of a base backup's verification: after everything the Restore level checks, the scratch copy
/// replays the WAL archive to its end, proving the chain of archived segments usable and not merely present. First the
/// archive is checked for every segment from the backup on (a gap is a failed check naming it); the scratch data
/// directory then gets recovery.signal and restore_command (shippyar-dr wal-fetch from the repository), timeline
/// 'latest', promote at the end, archive_mode still off; once the server has ended recovery, the point reached (from its
/// log) must be the newest archived segment: a damaged segment fails its fetch, and a replay that stops short fails.
/// </summary>
internal sealed class ArchiveReplay(BackupInfo backup, IBackupRepository repository, VerificationRequest request, IOperationReporter reporter)
{
    private WalCoverage.Plan? _plan;
    private string? _spool;

    /// <summary>Refuses the level before anything is restored when there is no way to fetch WAL.</summary>
    public static void RequireAvailable(BackupInfo backup, VerificationRequest request)
    {
        if (request.RestoreCommand is null)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.ArchiveReplayUnavailable,
                $"Replaying the WAL archive after backup {backup.Id} needs a restore command (the shippyar-dr executable and the repository to fetch from).", backup.Id);
    }

    /// <summary>The archive check: every segment from the backup's start to the newest is there.</summary>
    public void CheckArchive(CheckRecorder checks)
        => checks.Run("WAL archive complete", () =>
        {
            var archive = new WalArchiveScanner(repository).Scan(backup.SystemIdentifier).FirstOrDefault()
                ?? throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.WalArchiveNotFound,
                    $"{repository.Location} holds no WAL archive of cluster {backup.SystemIdentifier}.", repository.Location);
            _plan = new WalCoverage(repository, archive, request.Keys, reporter).Require(backup, RecoveryTarget.Latest);
            return (true, $"{_plan.SegmentCount} segment(s) from {backup.Physical!.ArchiveNeededFrom} to {_plan.LastSegment}, none missing");
        });

    /// <summary>Before the scratch server starts: replay the archive to its end, prefetching into <paramref name="spool"/>
    /// (a new directory the scratch cluster's account is given with the rest), then promote.</summary>
    public void Configure(string dataDirectory, string spool)
    {
        Directory.CreateDirectory(spool);
        _spool = spool;
        RecoveryConfiguration.Write(dataDirectory, request.RestoreCommand!.Prefetching(spool).Build(), RecoveryTarget.Latest, DateTimeOffset.UtcNow);
    }

    /// <summary>Before the scratch directory goes: waits for a prefetcher still fetching ahead to stop.</summary>
    public void StopPrefetch()
    {
        if (_spool is not null) FetchSpool.Remove(_spool, backup.SystemIdentifier, reporter);
    }

    /// <summary>After the start: wait for the end of recovery and report the point reached as a check.</summary>
    public void Check(LocalServer server, CheckRecorder checks, TimeSpan timeout, CancellationToken cancel)
        => checks.Run("WAL archive replayed", () =>
        {
            server.WaitForRecoveryEnd(timeout, cancel);
            var point = RecoveryLog.Read(server.LogFile);
            var expected = _plan?.LastSegment;
            var reached = expected is null || (point.LastSegment is { } last && string.CompareOrdinal(last, expected) >= 0);
            return (reached, reached
                ? $"to its end, {point}"
                : $"stopped at {point.LastSegment ?? "the backup's own WAL"} short of {expected}, the newest archived segment (a segment missing or refused by wal-fetch): {point}");
        });
}
