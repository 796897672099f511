using System.Globalization;
using System.Text.Json;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Audit;

/// <summary>
/// The audit log kept in the repository itself when no catalog database is registered. Neither a directory nor S3
/// can append to an object, so each record is one small object that is never replaced:
/// <c>audit/&lt;yyyy&gt;/&lt;mm&gt;/&lt;yyyyMMddTHHmmssfffffffZ&gt;-&lt;id&gt;.json</c> (one JSON line each). Concurrent writers never
/// meet (the id is in the key), and a reader lists only the months a time range needs.
/// </summary>
public sealed class RepositoryAuditStore : IAuditStore
{
    private readonly IBackupRepository _repository;

    public RepositoryAuditStore(IBackupRepository repository) => _repository = repository;

    public string Key => $"the audit log of repository {_repository.Location}";

    public static string KeyOf(AuditRecord record)
    {
        var at = record.CreatedAt.UtcDateTime;
        return $"{BackupLayout.AuditRoot}{at:yyyy}/{at:MM}/{at.ToString("yyyyMMdd'T'HHmmssfffffff'Z'", CultureInfo.InvariantCulture)}-{record.Id:N}.json";
    }

    public void Append(AuditRecord record, CancellationToken cancel = default)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(record with { Store = null }, AuditJson.Default.AuditRecord);
        try
        {
            _repository.WriteAtomically(KeyOf(record), [.. line, (byte)'\n']);
        }
        catch (ShippyarException e) when (e.ErrorId == ErrorIds.ObjectExists)
        {
            // Sent before (a spooled record whose first attempt arrived after all): it is there.
        }
    }

    public IReadOnlyList<AuditRecord> Read(AuditQuery query, IOperationReporter? reporter = null, CancellationToken cancel = default)
    {
        var records = new List<AuditRecord>();
        foreach (var prefix in Months(query))
            foreach (var key in _repository.List(prefix))
            {
                cancel.ThrowIfCancellationRequested();
                if (!key.EndsWith(".json", StringComparison.Ordinal)) continue;
                AuditRecord record;
                try { record = Parse(key); }
                catch (ShippyarException e) when (e.ErrorId == ErrorIds.AuditRecordInvalid)
                {
                    // One damaged object must not hide the rest of the trail.
                    (reporter ?? NullReporter.Instance).Warning(e.Message);
                    continue;
                }
                if (query.Matches(record)) records.Add(record with { Store = Key });
            }
        var newest = records.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id);
        return (query.Last is { } last ? newest.Take(last) : newest).ToList();
    }

    private AuditRecord Parse(string key)
    {
        try
        {
            return JsonSerializer.Deserialize(RepositoryReads.ReadAllBytes(_repository, key), AuditJson.Default.AuditRecord)
                   ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.AuditRecordInvalid,
                $"Audit record {key} in {_repository.Location} is not a valid record: {e.Message}", key, e);
        }
    }

    /// <summary>The month folders a query's time range touches; the whole log without one.</summary>
    private static IEnumerable<string> Months(AuditQuery query)
    {
        if (query.Since is not { } since) return [BackupLayout.AuditRoot];
        var first = new DateTime(since.UtcDateTime.Year, since.UtcDateTime.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var end = (query.Until ?? DateTimeOffset.UtcNow.AddDays(1)).UtcDateTime;
        var months = new List<string>();
        for (var m = first; m <= end && months.Count < 1200; m = m.AddMonths(1))
            months.Add($"{BackupLayout.AuditRoot}{m:yyyy}/{m:MM}/");
        return months;
    }
}
