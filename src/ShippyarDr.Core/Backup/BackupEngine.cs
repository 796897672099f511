using ShippyarDr.Archive;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Tools;

namespace ShippyarDr.Backup;

/// <summary>
/// Takes a logical backup of one database: pg_dump's uncompressed custom-format stream is parsed (row counts,
/// foreign keys), compressed, encrypted, hashed and written to every repository in one pass (ArchiveWriter).
/// The manifest is written to a repository only after its copy of the data is complete; a failure leaves no
/// manifest anywhere, and the partial files are removed.
/// </summary>
public sealed class BackupEngine
{
    private readonly IOperationReporter _reporter;

    public BackupEngine(IOperationReporter? reporter = null) => _reporter = reporter ?? NullReporter.Instance;

    public BackupInfo Run(BackupRequest request, IBackupRepository repository, CancellationToken cancel = default)
        => Run(request, new[] { repository }, cancel)[0];

    /// <summary>One dump, stored in every repository; returns the backup as each repository holds it.</summary>
    public IReadOnlyList<BackupInfo> Run(BackupRequest request, IReadOnlyList<IBackupRepository> repositories, CancellationToken cancel = default)
    {
        if (repositories.Count == 0) throw new ArgumentException("At least one repository is needed.", nameof(repositories));
        var activity = $"Backing up {request.Database} on {request.Connection.DisplayName}";
        _reporter.Progress(activity, "Connecting");
        ServerFacts facts;
        using (var conn = PgSession.Open(request.Connection, request.Database, cancel))
            facts = ServerFacts.Read(conn);

        var pgDump = PgToolLocator.Find("pg_dump", facts.MajorVersion);
        _reporter.Verbose($"Using {pgDump} against PostgreSQL {facts.Version}; storing {request.Storage.Compression}{(request.Storage.Encryption is null ? "" : ", encrypted")}.");

        var start = DateTimeOffset.UtcNow;
        var info = new BackupInfo
        {
            Id = BackupId.New(start, request.Tier), Database = request.Database, Tier = request.Tier, Server = request.Connection.DisplayName,
            ServerVersion = facts.Version, ServerVersionNum = facts.VersionNum, SystemIdentifier = facts.SystemIdentifier,
            DatabaseSize = facts.DatabaseSize, DatabaseOwner = facts.Owner, Encoding = facts.Encoding,
            Collation = facts.Collation, CType = facts.CType, StartTime = start, ReasonBackupId = request.ReasonBackupId,
            ToolVersions =
            {
                ["pg_dump"] = pgDump.VersionText,
                ["ShippyarDr"] = typeof(BackupEngine).Assembly.GetName().Version?.ToString(3) ?? "",
                ["compression"] = request.Storage.Compression.Implementation,
            },
        };
        _reporter.Verbose($"Backup {info.Id} of {request.Database} ({facts.DatabaseSize / 1048576.0:F1} MB) into {string.Join(", ", repositories.Select(r => r.Location))}.");

        try
        {
            var (file, summary) = Dump(repositories, info, pgDump, request, activity, cancel);
            info.Files.Add(file);
            info.Size = file.Size;
            info.Tables = summary.Tables.Select(t => new TableRowCount { Schema = t.Schema, Name = t.Table, Rows = t.Rows ?? 0 }).ToList();
            info.ForeignKeys = summary.ForeignKeys.Select(fk => $"{fk.Namespace}.{fk.Tag}").ToList();
            info.EndTime = DateTimeOffset.UtcNow;
            cancel.ThrowIfCancellationRequested();
            // Last: from here on the backup exists, repository by repository.
            foreach (var repository in repositories) new BackupCatalog(repository).Save(info);
        }
        catch
        {
            foreach (var repository in repositories) RemovePartial(repository, info);
            throw;
        }
        _reporter.Verbose($"Backup {info.Id} complete: {info.Size / 1048576.0:F1} MB stored ({info.Files[0].PlainSize / 1048576.0:F1} MB dump), {info.Tables.Count} tables, {info.TotalRows} rows, in {info.Duration.TotalSeconds:F1} s.");
        return repositories.Select(r => info.InRepository(r.Location)).ToList();
    }

    private (BackupFile File, ArchiveSummary Summary) Dump(IReadOnlyList<IBackupRepository> repositories, BackupInfo info, PgTool pgDump,
        BackupRequest request, string activity, CancellationToken cancel)
    {
        // Uncompressed from pg_dump: our stage compresses faster (zstd) and the scanner counts rows without inflating.
        var args = new[] { "--format=custom", "--compress=0", "--no-password" };
        using var dump = PgProcess.Start(pgDump, args, request.Connection.ToEnvironment(info.Database), redirectOutput: true, cancel: cancel);
        var key = BackupLayout.Key(info.Database, info.Id, request.Storage.StoredName(BackupLayout.DumpName));
        var progress = new ProgressThrottle(bytes => _reporter.Progress(activity, $"{bytes / 1048576.0:F0} MB dumped"));
        (BackupFile File, ArchiveSummary? Summary) written;
        try
        {
            written = ArchiveWriter.Write(dump.StandardOutput, repositories, key, "custom", request.Storage, scanArchive: true, progress.Report, cancel);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // pg_dump's own complaint (permission denied, lock timeout…) explains more than a short archive.
            dump.Kill();
            dump.WaitForExit();
            cancel.ThrowIfCancellationRequested();
            if (dump.Stderr.Length > 0) throw PgDumpFailed(info, dump);
            throw;
        }
        if (dump.WaitForExit(cancel) != 0) throw PgDumpFailed(info, dump);
        return (written.File, written.Summary!);
    }

    private static ShippyarException PgDumpFailed(BackupInfo info, PgProcess dump)
        => new(ShippyarErrorKind.InvalidOperation, "PgDumpFailed",
            $"pg_dump of database '{info.Database}' failed: {PgProcess.Summarize(dump.Stderr)}", info.Database);

    private void RemovePartial(IBackupRepository repository, BackupInfo info)
    {
        try
        {
            repository.DeletePrefix(BackupLayout.Prefix(info.Database, info.Id));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ShippyarException)
        {
            // Without a manifest the leftovers never look like a backup; status reports them as incomplete.
            _reporter.Warning($"Could not remove the partial backup {info.Id} from {repository.Location}: {e.Message}");
        }
    }
}
