using System.Text.Json;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Verification;

/// <summary>
/// The verification records of a repository: verification/&lt;the backup's folder&gt;/&lt;level&gt;.json, one per level,
/// replaced by the next verification at that level. Retention reads them (the newest backup that passed is never
/// deleted). Records are a report, not a proof: they are not sealed, so a forged one can at most make retention keep
/// a backup longer.
/// </summary>
public static class VerificationRecords
{
    public static string Key(BackupInfo backup, VerificationLevel level) => $"{BackupLayout.VerificationPrefix(backup)}{level}.json";

    /// <summary>Stores the outcome of a verification; a failure to store it is a warning, never the verification's failure.</summary>
    public static void Write(IBackupRepository repository, BackupInfo backup, VerificationResult result, IOperationReporter reporter)
    {
        var record = new VerificationRecord
        {
            BackupId = backup.Id, Database = backup.Database, Tier = backup.Tier, Level = result.Level, Passed = result.Passed,
            VerifiedAt = result.StartTime + result.Duration, Host = Environment.MachineName,
            FailedChecks = result.Checks.Where(c => !c.Passed).Select(c => c.Name).ToList(),
        };
        try
        {
            repository.WriteAtomically(Key(backup, result.Level), JsonSerializer.SerializeToUtf8Bytes(record, RepositoryJson.Default.VerificationRecord), replace: true);
        }
        catch (Exception e) when (e is ShippyarException or IOException or UnauthorizedAccessException)
        {
            reporter.Warning($"The verification of backup {backup.Id} was not recorded in {repository.Location} ({e.Message}): retention will not know it passed.");
        }
    }

    /// <summary>The newest record of each backup folder (by the record's time), keyed by the backup's folder. One listing.</summary>
    public static IReadOnlyDictionary<string, VerificationRecord> Newest(IBackupRepository repository, IEnumerable<BackupInfo> backups, IOperationReporter? reporter = null)
    {
        var byFolder = backups.ToDictionary(BackupLayout.VerificationPrefix, b => b.Prefix ?? BackupLayout.PrefixOf(b), StringComparer.Ordinal);
        var result = new Dictionary<string, VerificationRecord>(StringComparer.Ordinal);
        foreach (var key in repository.List(BackupLayout.VerificationRoot))
        {
            var folder = key[..(key.LastIndexOf('/') + 1)];
            if (!key.EndsWith(".json", StringComparison.Ordinal) || !byFolder.TryGetValue(folder, out var prefix)) continue;
            if (Read(repository, key, reporter) is not { } record) continue;
            if (!result.TryGetValue(prefix, out var seen) || record.VerifiedAt > seen.VerifiedAt) result[prefix] = record;
        }
        return result;
    }

    /// <summary>Removes a backup's records (after the backup itself).</summary>
    public static void Remove(IBackupRepository repository, BackupInfo backup) => repository.DeletePrefix(BackupLayout.VerificationPrefix(backup));

    private static VerificationRecord? Read(IBackupRepository repository, string key, IOperationReporter? reporter)
    {
        try
        {
            return JsonSerializer.Deserialize(repository.ReadAllBytes(key), RepositoryJson.Default.VerificationRecord);
        }
        catch (Exception e) when (e is ShippyarException or JsonException or IOException)
        {
            reporter?.Warning($"Verification record {repository.Location}/{key} cannot be read ({e.Message}); it is ignored.");
            return null;
        }
    }
}
