using System.Diagnostics;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Audit;

/// <summary>
/// One audited operation while it runs: the work tells it, as it learns them, where records go (<see cref="Into"/>),
/// which backup and server it concerns and how much it moved; <see cref="Run{T}"/> times the work and writes one record
/// per store however it ends (Succeeded, Failed with the error, Cancelled), never failing because of the audit.
/// </summary>
public sealed class AuditScope
{
    private readonly Dictionary<string, (IAuditStore Store, string? BackupFile, string? Location)> _stores = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _failedIn = new(StringComparer.Ordinal);

    private AuditScope(AuditOperation operation) => Operation = operation;

    /// <summary>May be changed by the work (a verification that restores is a Drill).</summary>
    public AuditOperation Operation { get; set; }
    public string? BackupId { get; set; }
    public string? BackupFile { get; set; }
    public long? Size { get; set; }
    public string? Server { get; set; }
    public string? Database { get; set; }
    public BackupTier? Tier { get; set; }
    /// <summary>The PostgreSQL login the operation used, if any.</summary>
    public string? Login { get; set; }
    private string? _failure;

    /// <summary>Records also go to <paramref name="store"/> (once per store however often it is named), with the
    /// backup's place in that store's repository when it differs from <see cref="BackupFile"/>.</summary>
    public AuditScope Into(IAuditStore store, string? backupFile = null)
    {
        if (!_stores.ContainsKey(store.Key)) _stores[store.Key] = (store, backupFile, null);
        return this;
    }

    /// <summary>Records also go to the audit store of this repository (<see cref="AuditStores.For"/>); <see cref="About"/>
    /// a backup in it then names the backup's folder in it.</summary>
    public AuditScope Into(Configuration.RepositorySettings? settings, Repository.IBackupRepository repository)
    {
        var store = AuditStores.For(settings, repository);
        if (!_stores.ContainsKey(store.Key)) _stores[store.Key] = (store, null, repository.Location);
        return this;
    }

    /// <summary>Takes backup id, database, tier, server and size from <paramref name="backup"/>.</summary>
    public AuditScope About(BackupInfo backup)
    {
        BackupId = backup.Id;
        BackupFile ??= FileOf(backup);
        foreach (var (key, entry) in _stores.Where(s => s.Value.Location == backup.Repository).ToList())
            _stores[key] = entry with { BackupFile = FileOf(backup) };
        Database = backup.IsCluster ? null : backup.Database;
        Tier = backup.Tier;
        Server ??= backup.Server is { Length: > 0 } s ? s : null;
        Size ??= backup.Size;
        return this;
    }

    /// <summary>Ends as Failed although the work returned (a verification whose checks failed).</summary>
    public void Fail(string message) => _failure = message;

    /// <summary>Failed for the store of the repository at <paramref name="location"/> only (one of several a backup went
    /// to), although the work returned.</summary>
    public void FailIn(string location, string message) => _failedIn[location] = message;

    /// <summary>Where a backup is: its repository's location and folder.</summary>
    public static string FileOf(BackupInfo backup) => $"{backup.Repository.TrimEnd('/', '\\')}/{Repository.BackupLayout.PrefixOf(backup)}";

    /// <summary>
    /// Runs <paramref name="work"/> and records it. A null result means nothing was done (declined, -WhatIf): no record.
    /// Refused arguments (ShippyarErrorKind.InvalidArgument) are the request's fault, not an operation: no record either.
    /// </summary>
    public static T? Run<T>(AuditOperation operation, IOperationReporter reporter, Func<AuditScope, T?> work,
        CancellationToken cancel = default, AuditSpool? spool = null) where T : class
    {
        var scope = new AuditScope(operation);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        T? result;
        try
        {
            result = work(scope);
        }
        catch (Exception e) when (e is OperationCanceledException || cancel.IsCancellationRequested)
        {
            // Whatever a stopped host throws (PowerShell: PipelineStoppedException), it is a cancellation.
            scope.Write(AuditStatus.Cancelled, "The operation was cancelled.", started, clock.Elapsed, reporter, spool);
            throw;
        }
        catch (ShippyarException e) when (e.Kind == ShippyarErrorKind.InvalidArgument)
        {
            throw;
        }
        catch (Exception e)
        {
            scope.Write(AuditStatus.Failed, e.Message, started, clock.Elapsed, reporter, spool);
            throw;
        }
        if (result is not null)
            scope.Write(scope._failure is null ? AuditStatus.Succeeded : AuditStatus.Failed, scope._failure, started, clock.Elapsed, reporter, spool, cancel);
        return result;
    }

    private void Write(AuditStatus status, string? error, DateTimeOffset started, TimeSpan duration, IOperationReporter reporter,
        AuditSpool? spool, CancellationToken cancel = default)
    {
        if (_stores.Count == 0)
        {
            reporter.Verbose($"The {Operation} ended before it reached a repository: no audit record is written.");
            return;
        }
        var record = new AuditRecord
        {
            Operation = Operation, BackupId = BackupId, BackupFile = BackupFile, Size = Size, Duration = duration, Status = status,
            Error = error is null ? null : SecretRedactor.Redact(error),
            PerformedBy = PerformedBy(Login), CreatedAt = started, Server = Server, Database = Database, Tier = Tier,
        };
        var trail = new AuditTrail(reporter, spool);
        foreach (var (store, file, location) in _stores.Values)
        {
            var own = file is null ? record : record with { BackupFile = file };
            if (status == AuditStatus.Succeeded && location is not null && _failedIn.TryGetValue(location, out var failed))
                own = own with { Status = AuditStatus.Failed, Error = SecretRedactor.Redact(failed), BackupFile = null };
            trail.Write(store, own, cancel);
        }
    }

    /// <summary>"os:&lt;user&gt;", and " pg:&lt;login&gt;" with a PostgreSQL login.</summary>
    public static string PerformedBy(string? login) => $"os:{Environment.UserName}" + (string.IsNullOrEmpty(login) ? "" : $" pg:{login}");
}
