using System.Diagnostics;
using ShippyarDr.Archive;
using ShippyarDr.Backup;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Restore;
using ShippyarDr.Streams;

namespace ShippyarDr.Verification;

/// <summary>
/// Proves a backup: Checksum re-hashes what is stored; Catalog also parses the archive (its per-table row counts
/// must equal the manifest's) and has pg_restore list it; Restore also restores into a scratch database, checks
/// row counts, foreign keys and the DBA's own checks, and always drops the scratch database.
/// </summary>
public sealed class BackupVerifier
{
    private readonly IOperationReporter _reporter;

    public BackupVerifier(IOperationReporter? reporter = null) => _reporter = reporter ?? NullReporter.Instance;

    public VerificationResult Run(VerificationRequest request, IBackupRepository repository, CancellationToken cancel = default)
    {
        var backup = request.Backup;
        var result = new VerificationResult
        {
            BackupId = backup.Id, Database = backup.Database, Repository = repository.Location,
            Level = request.Level, StartTime = DateTimeOffset.UtcNow,
        };
        var clock = Stopwatch.StartNew();
        var checks = new CheckRecorder();
        var activity = $"Verifying backup {backup.Id} ({request.Level})";

        var readable = VerifyFiles(backup, repository, request.Level >= VerificationLevel.Catalog, checks, activity, cancel);
        if (readable && request.Level >= VerificationLevel.Catalog)
            readable = VerifyCatalog(backup, repository, checks, activity, cancel);
        if (readable && request.Level >= VerificationLevel.Restore)
        {
            var connection = request.Connection ?? throw new ShippyarException(ShippyarErrorKind.InvalidArgument,
                "ConnectionRequired", "A restore verification needs a server to restore into.");
            result.Server = connection.DisplayName;
            result.ScratchDatabase = ScratchName(backup);
            result.RestoreDuration = new ScratchRestoreCheck(_reporter).Run(backup, repository, connection, result.ScratchDatabase,
                request.Checks, checks, activity, cancel);
        }
        result.Checks = checks.Checks;
        result.Duration = clock.Elapsed;
        return result;
    }

    public static string ScratchName(BackupInfo backup) => "shippyar_verify_" + BackupId.ForIdentifier(backup.Id);

    /// <summary>One pass per file: SHA-256 and size, and (Catalog) the archive's own row counts.</summary>
    private bool VerifyFiles(BackupInfo backup, IBackupRepository repository, bool scanArchive, CheckRecorder checks,
        string activity, CancellationToken cancel)
    {
        var allGood = true;
        foreach (var file in backup.Files)
        {
            ArchiveSummary? summary = null;
            allGood &= checks.Run($"Checksum {file.Name}", () =>
            {
                using var stored = repository.OpenRead(BackupLayout.Key(backup.Database, backup.Id, file.Name));
                using var hashing = new HashingWriteStream(Stream.Null);
                var throttle = new ProgressThrottle(b => _reporter.Progress(activity, $"Reading {file.Name}: {b / 1048576.0:F0} of {file.Size / 1048576.0:F0} MB",
                    file.Size > 0 ? (int)Math.Min(100, b * 100 / file.Size) : -1));
                var tee = new TeeReadStream(stored, hashing, throttle.Report);
                if (scanArchive && file.Format == "custom")
                {
                    try { summary = CustomArchiveScanner.Scan(tee, cancel); }
                    catch (ShippyarException e) when (e.Kind == ShippyarErrorKind.InvalidData) { checks.Add($"Archive {file.Name}", false, e.Message); }
                }
                tee.Drain();
                var sha = hashing.FinishHash();
                if (hashing.BytesWritten != file.Size)
                    return (false, $"size {hashing.BytesWritten} bytes, manifest says {file.Size}");
                return sha == file.Sha256 ? (true, $"SHA-256 matches ({file.Size / 1048576.0:F1} MB)") : (false, $"SHA-256 {sha} differs from the manifest's {file.Sha256}");
            });
            if (summary is not null) allGood &= CompareRowCounts(backup, summary, checks);
        }
        return allGood;
    }

    private static bool CompareRowCounts(BackupInfo backup, ArchiveSummary summary, CheckRecorder checks)
    {
        return checks.Run("Archive row counts", () =>
        {
            var inArchive = summary.Tables.ToDictionary(t => $"{t.Schema}.{t.Table}", t => t.Rows ?? 0);
            var differences = backup.Tables
                .Where(t => !inArchive.TryGetValue(t.QualifiedName, out var rows) || rows != t.Rows)
                .Select(t => $"{t.QualifiedName}: manifest {t.Rows}, archive {(inArchive.TryGetValue(t.QualifiedName, out var r) ? r : "missing")}")
                .ToList();
            return differences.Count == 0
                ? (true, $"{backup.Tables.Count} tables, {backup.TotalRows} rows as in the manifest")
                : (false, string.Join("; ", differences));
        });
    }

    /// <summary>pg_restore itself reads the archive's table of contents and names every table the manifest expects.</summary>
    private bool VerifyCatalog(BackupInfo backup, IBackupRepository repository, CheckRecorder checks,
        string activity, CancellationToken cancel)
    {
        return checks.Run("pg_restore --list", () =>
        {
            var listing = PgRestoreRunner.Run(repository, backup, null, null, new[] { "--list" }, _reporter, activity, cancel);
            var listed = listing.Split('\n').Where(l => l.Contains(" TABLE DATA ", StringComparison.Ordinal)).ToList();
            var missing = backup.Tables.Where(t => !listed.Any(l => l.Contains($" TABLE DATA {t.Schema} {t.Name} ", StringComparison.Ordinal)))
                .Select(t => t.QualifiedName).ToList();
            return missing.Count == 0
                ? (true, $"{listed.Count} tables listed")
                : (false, "not listed: " + string.Join(", ", missing));
        });
    }
}
