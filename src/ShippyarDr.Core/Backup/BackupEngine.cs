using ShippyarDr.Archive;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Streams;
using ShippyarDr.Tools;

namespace ShippyarDr.Backup;

/// <summary>
/// Takes a logical backup: pg_dump's custom-format stream is parsed (row counts, foreign keys) and stored in
/// the same pass, hashed as it is written; the manifest is written only after pg_dump succeeded and the data
/// is on disk. Anything less leaves no manifest, and the partial files are removed.
/// </summary>
public sealed class BackupEngine
{
    private readonly IOperationReporter _reporter;

    public BackupEngine(IOperationReporter? reporter = null) => _reporter = reporter ?? NullReporter.Instance;

    public BackupInfo Run(BackupRequest request, IBackupRepository repository, CancellationToken cancel = default)
    {
        var activity = $"Backing up {request.Database} on {request.Connection.DisplayName}";
        _reporter.Progress(activity, "Connecting");
        ServerFacts facts;
        using (var conn = PgSession.Open(request.Connection, request.Database, cancel))
            facts = ServerFacts.Read(conn);

        var pgDump = PgToolLocator.Find("pg_dump", facts.MajorVersion);
        _reporter.Verbose($"Using {pgDump} against PostgreSQL {facts.Version}.");

        var start = DateTimeOffset.UtcNow;
        var id = BackupId.New(start, request.Tier);
        var info = new BackupInfo
        {
            Id = id, Database = request.Database, Tier = request.Tier, Server = request.Connection.DisplayName,
            ServerVersion = facts.Version, ServerVersionNum = facts.VersionNum, SystemIdentifier = facts.SystemIdentifier,
            DatabaseSize = facts.DatabaseSize, DatabaseOwner = facts.Owner, Encoding = facts.Encoding,
            Collation = facts.Collation, CType = facts.CType, StartTime = start, ReasonBackupId = request.ReasonBackupId,
            Repository = repository.Location,
            ToolVersions = { ["pg_dump"] = pgDump.VersionText, ["ShippyarDr"] = typeof(BackupEngine).Assembly.GetName().Version?.ToString(3) ?? "" },
        };
        _reporter.Verbose($"Backup {id} of {request.Database} ({facts.DatabaseSize / 1048576.0:F1} MB) into {repository.Location}.");

        try
        {
            var file = DumpInto(repository, info, pgDump, request.Connection, activity, cancel);
            info.Files.Add(file.File);
            info.Size = file.File.Size;
            info.Tables = file.Summary.Tables
                .Select(t => new TableRowCount { Schema = t.Schema, Name = t.Table, Rows = t.Rows ?? 0 }).ToList();
            info.ForeignKeys = file.Summary.ForeignKeys.Select(fk => $"{fk.Namespace}.{fk.Tag}").ToList();
            info.EndTime = DateTimeOffset.UtcNow;
            cancel.ThrowIfCancellationRequested();
            // Last: from here on the backup exists.
            new BackupCatalog(repository).Save(info);
        }
        catch
        {
            RemovePartial(repository, info);
            throw;
        }
        _reporter.Verbose($"Backup {id} complete: {info.Size / 1048576.0:F1} MB, {info.Tables.Count} tables, {info.TotalRows} rows, in {info.Duration.TotalSeconds:F1} s.");
        return info;
    }

    private (BackupFile File, ArchiveSummary Summary) DumpInto(IBackupRepository repository, BackupInfo info, PgTool pgDump,
        PgConnectionInfo connection, string activity, CancellationToken cancel)
    {
        var args = new[] { "--format=custom", "--no-password" };
        using var dump = PgProcess.Start(pgDump, args, connection.ToEnvironment(info.Database), redirectOutput: true, cancel: cancel);
        var key = BackupLayout.Key(info.Database, info.Id, BackupLayout.DumpName);
        ArchiveSummary summary;
        string sha;
        long size;
        using (var hashing = new HashingWriteStream(repository.Create(key)))
        {
            var progress = new ProgressThrottle(bytes => _reporter.Progress(activity, $"{bytes / 1048576.0:F0} MB stored"));
            var tee = new TeeReadStream(dump.StandardOutput, hashing, progress.Report);
            try
            {
                summary = CustomArchiveScanner.Scan(tee, cancel);
                tee.Drain();
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
            sha = hashing.FinishHash();
            size = hashing.BytesWritten;
        }
        var file = new BackupFile { Name = BackupLayout.DumpName, Size = size, Sha256 = sha, Format = "custom", Compression = summary.Compression };
        return (file, summary);
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
            _reporter.Warning($"Could not remove the partial backup {info.Id}: {e.Message}");
        }
    }
}
