using System.Diagnostics;
using System.Text;
using ShippyarDr.DumpFormat;
using ShippyarDr.Authentication;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Leftovers;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Restore;
using ShippyarDr.Streams;
using ShippyarDr.Tools;

namespace ShippyarDr.Verification;

/// <summary>
/// Proves a backup. First, at every level, that its manifest is authentic (BackupAuthenticator): a backup that fails
/// goes no further, since every other check would trust what a forged manifest says, and a restore would run its SQL.
/// Checksum: re-hashes what is stored, chunk by chunk (no decryption key needed, even for encrypted backups).
/// Catalog: one pass per archive that decrypts and decompresses it, checks both checksums, parses it (its
/// per-table row counts must equal the manifest's) and feeds pg_restore --list (which must name every table).
/// Restore: also restores into a scratch database, checks row counts, foreign keys and the DBA's own checks,
/// and always drops the scratch database. Base backups have their own Catalog (PhysicalCatalogCheck: every file of every
/// tar against the server's backup_manifest) and Restore (ScratchClusterCheck: a scratch data directory and server,
/// pg_amcheck); Recovery, for them only, replays the WAL archive too (ArchiveReplay).
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

        var physical = backup.Kind == BackupKind.Physical;
        if (request.Level == VerificationLevel.Recovery)
        {
            if (!physical)
                throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RecoveryNeedsBaseBackup,
                    $"Backup {backup.Id} is a logical backup: replaying the WAL archive (the Recovery level) applies to base backups; its deepest level is Restore.", backup.Id);
            ArchiveReplay.RequireAvailable(backup, request);
        }
        var decryption = request.Keys.Decryption;
        if (request.Level > VerificationLevel.Checksum)
            foreach (var file in backup.Files) StoredObjectReader.RequireKey(file, decryption);
        _reporter.Progress(activity, "Authenticity");
        var (authentic, authenticity) = BackupAuthenticator.Check(repository, backup, request.Keys,
            keysOptional: request.Level == VerificationLevel.Checksum);
        result.Authenticity = authenticity;
        checks.Add("Authenticity", authenticity.Passed, authenticity.Detail);
        if (!authenticity.Passed)
        {
            result.Checks = checks.Checks;
            result.Duration = clock.Elapsed;
            VerificationRecords.Write(repository, backup, result, _reporter);
            return result;
        }
        backup = authentic;
        var readable = request.Level == VerificationLevel.Checksum ? VerifyStoredChecksums(backup, repository, checks, activity, cancel)
            : physical ? new PhysicalCatalogCheck(backup, repository, decryption, checks, _reporter, activity).Run(cancel)
            : VerifyContents(backup, repository, decryption, checks, activity, cancel);
        if (readable && physical && request.Level >= VerificationLevel.Restore)
        {
            result.RestoreDuration = new ScratchClusterCheck(backup, repository, request, _reporter).Run(result, checks, activity, cancel);
        }
        else if (readable && request.Level >= VerificationLevel.Restore)
        {
            var connection = request.Connection ?? throw new ShippyarException(ShippyarErrorKind.InvalidArgument,
                ErrorIds.ConnectionRequired, "A restore verification needs a server to restore into.");
            result.Server = connection.DisplayName;
            result.RestoreDuration = RestoreIntoScratch(backup, repository, request, connection, result, checks, activity, cancel);
        }
        result.Checks = checks.Checks;
        result.Duration = clock.Elapsed;
        VerificationRecords.Write(repository, backup, result, _reporter);
        return result;
    }

    /// <summary>Every database of the backup through a scratch restore, under one run: one token, one session held throughout.</summary>
    private TimeSpan? RestoreIntoScratch(BackupInfo backup, IBackupRepository repository, VerificationRequest request, PgConnectionInfo connection,
        VerificationResult result, CheckRecorder checks, string activity, CancellationToken cancel)
    {
        using var run = RunSession.Open(connection, "postgres", cancel);
        // Scratch databases an interrupted verification of this backup left behind.
        LeftoverCleaner.DropDead(run.Connection, connection.DisplayName, l => l.Kind == LeftoverKind.Scratch && l.BackupId == backup.Id, _reporter);
        var units = DatabaseUnit.All(backup);
        TimeSpan? total = TimeSpan.Zero;
        for (var i = 0; i < units.Count; i++)
        {
            var scratch = run.DatabaseName(LeftoverKind.Scratch, backup.Id + (units.Count > 1 ? $"_{i}" : ""));
            result.ScratchDatabase ??= scratch;
            var restore = new UnitRestore(backup, units[i], repository, request.Keys.Decryption, connection, _reporter);
            var took = new ScratchRestoreCheck(restore, run, connection, _reporter).Run(backup, scratch, request.Checks, checks, activity, cancel);
            total = took is null || total is null ? null : total + took;
        }
        return total;
    }

    private bool VerifyStoredChecksums(BackupInfo backup, IBackupRepository repository, CheckRecorder checks, string activity, CancellationToken cancel)
    {
        var allGood = true;
        foreach (var file in backup.Files)
        {
            allGood &= checks.Run($"Checksum {file.Name}", () =>
            {
                using var stored = StoredObject.OpenRead(repository, backup, file);
                using var hashing = new HashingWriteStream(Stream.Null);
                new TeeReadStream(stored, hashing, Progress(activity, file, file.Size)).Drain();
                cancel.ThrowIfCancellationRequested();
                var sha = hashing.FinishHash();
                if (hashing.BytesWritten != file.Size) return (false, $"{hashing.BytesWritten} bytes stored, the manifest says {file.Size}");
                return sha == file.Sha256 ? (true, $"SHA-256 matches ({file.Size / 1048576.0:F1} MB)") : (false, $"SHA-256 {sha} differs from the manifest's {file.Sha256}");
            });
        }
        return allGood;
    }

    private bool VerifyContents(BackupInfo backup, IBackupRepository repository, IDecryptionStage? decryption, CheckRecorder checks,
        string activity, CancellationToken cancel)
    {
        var allGood = true;
        var units = DatabaseUnit.All(backup);
        foreach (var file in backup.Files)
        {
            StoredObjectReader archive;
            try { archive = new StoredObjectReader(repository, backup, file, decryption); }
            // Missing, forbidden, archived (GLACIER, not restored) or changed where it starts: a failed check that says so,
            // as at Checksum level.
            catch (ShippyarException e) when (e.Kind is ShippyarErrorKind.ObjectNotFound or ShippyarErrorKind.AuthenticationError or ShippyarErrorKind.ResourceUnavailable or ShippyarErrorKind.InvalidData)
            {
                checks.Add(e.ErrorId == ErrorIds.BackupCorrupt ? $"Checksum {file.Name}" : $"Read {file.Name}", false, e.Message);
                allGood = false;
                continue;
            }
            var unit = units.FirstOrDefault(u => u.File.Name == file.Name);
            using (archive)
                allGood &= unit is not null
                    ? VerifyDump(backup, unit, archive, checks, activity, cancel)
                    : VerifyIntegrity(file, archive, checks);
        }
        return allGood;
    }

    /// <summary>One pass: checksums, the archive's own row counts, and pg_restore --list fed from the same bytes.</summary>
    private bool VerifyDump(BackupInfo backup, DatabaseUnit unit, StoredObjectReader archive, CheckRecorder checks,
        string activity, CancellationToken cancel)
    {
        var (file, tables) = (unit.File, unit.Tables);
        var prefix = backup.IsCluster ? $"{unit.Database}: " : "";
        var pgRestore = PgToolLocator.Find("pg_restore", backup.ServerVersionNum / 10000);
        using var list = PgProcess.Start(pgRestore, new[] { "--list" }, new Dictionary<string, string>(), redirectInput: true, redirectOutput: true, cancel: cancel);
        var listing = Task.Run(() => new StreamReader(list.StandardOutput, Encoding.UTF8).ReadToEnd());
        var toList = new BestEffortWriteStream(list.StandardInput);
        var tee = new TeeReadStream(archive, toList, Progress(activity, file, file.PlainSize));
        DumpSummary? summary = null;
        string? unreadable = null;
        try
        {
            summary = CustomDumpScanner.Scan(tee, cancel);
        }
        catch (Exception e) when (e is ShippyarException { Kind: ShippyarErrorKind.InvalidData } or InvalidDataException or IOException)
        {
            unreadable = SecretRedactor.Redact(e.Message);
        }
        toList.Dispose();
        var integrity = archive.CheckIntegrity();
        var listExit = list.WaitForExit(cancel);
        cancel.ThrowIfCancellationRequested();

        var ok = true;
        checks.Add($"Checksum {file.Name}", integrity.StoredMatches, integrity.StoredDetail);
        checks.Add($"Content checksum {file.Name}", integrity.PlainMatches, integrity.PlainDetail);
        ok &= integrity.StoredMatches && integrity.PlainMatches;
        if (summary is null)
        {
            checks.Add(prefix + "Archive readable", false, unreadable ?? "not a custom archive");
            return false;
        }
        ok &= checks.Run(prefix + "Archive row counts", () => CompareRowCounts(tables, summary));
        ok &= checks.Run(prefix + "pg_restore --list", () =>
        {
            if (listExit != 0) return (false, $"pg_restore --list exited with {listExit}: {PgProcess.Summarize(list.Stderr)}");
            var listed = listing.GetAwaiter().GetResult().Split('\n').Where(l => l.Contains(" TABLE DATA ", StringComparison.Ordinal)).ToList();
            var missing = tables.Where(t => !listed.Any(l => l.Contains($" TABLE DATA {t.Schema} {t.Name} ", StringComparison.Ordinal)))
                .Select(t => t.QualifiedName).ToList();
            return missing.Count == 0 ? (true, $"{listed.Count} tables listed") : (false, "not listed: " + string.Join(", ", missing));
        });
        return ok;
    }

    private static bool VerifyIntegrity(BackupFile file, StoredObjectReader archive, CheckRecorder checks)
    {
        var integrity = archive.CheckIntegrity();
        checks.Add($"Checksum {file.Name}", integrity.StoredMatches, integrity.StoredDetail);
        checks.Add($"Content checksum {file.Name}", integrity.PlainMatches, integrity.PlainDetail);
        return integrity.StoredMatches && integrity.PlainMatches;
    }

    private static (bool, string) CompareRowCounts(IReadOnlyList<TableRowCount> expected, DumpSummary summary)
    {
        var inArchive = summary.Tables.ToDictionary(t => $"{t.Schema}.{t.Table}", t => t.Rows ?? 0);
        var differences = expected
            .Where(t => !inArchive.TryGetValue(t.QualifiedName, out var rows) || rows != t.Rows)
            .Select(t => $"{t.QualifiedName}: manifest {t.Rows}, archive {(inArchive.TryGetValue(t.QualifiedName, out var r) ? r : "missing")}")
            .ToList();
        return differences.Count == 0
            ? (true, $"{expected.Count} tables, {expected.Sum(t => t.Rows)} rows as in the manifest")
            : (false, string.Join("; ", differences));
    }

    private Action<long> Progress(string activity, BackupFile file, long total) => new ProgressThrottle(b => _reporter.Progress(activity,
        $"Reading {file.Name}: {b / 1048576.0:F0} of {total / 1048576.0:F0} MB", total > 0 ? (int)Math.Min(100, b * 100 / total) : -1)).Report;
}
