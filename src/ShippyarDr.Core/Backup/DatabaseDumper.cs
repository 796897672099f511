using ShippyarDr.Archive;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Tools;

namespace ShippyarDr.Backup;

/// <summary>Runs pg_dump or pg_dumpall into the storage pipeline and turns their failures into clear errors.</summary>
internal sealed class DatabaseDumper
{
    private readonly IReadOnlyList<IBackupRepository> _repositories;
    private readonly PgConnectionInfo _connection;
    private readonly ArchiveWriteOptions _storage;
    private readonly IOperationReporter _reporter;

    public DatabaseDumper(IReadOnlyList<IBackupRepository> repositories, PgConnectionInfo connection, ArchiveWriteOptions storage, IOperationReporter reporter)
    {
        _repositories = repositories;
        _connection = connection;
        _storage = storage;
        _reporter = reporter;
    }

    /// <summary>One database, custom format, uncompressed from pg_dump (our stage compresses faster and the scanner counts rows without inflating).</summary>
    public (BackupFile File, ArchiveSummary Summary) DumpDatabase(PgTool pgDump, string database, string key, string activity, CancellationToken cancel)
    {
        var (file, summary) = Run(pgDump, new[] { "--format=custom", "--compress=0", "--no-password" }, database, key, "custom", true, activity, cancel);
        file.Database = database;
        return (file, summary!);
    }

    /// <summary>Roles, tablespaces and their settings: what a cluster needs before its databases can be restored.</summary>
    public BackupFile DumpGlobals(PgTool pgDumpAll, string key, string activity, CancellationToken cancel)
        => Run(pgDumpAll, new[] { "--globals-only", "--no-password" }, "postgres", key, "globals", false, activity, cancel).File;

    private (BackupFile File, ArchiveSummary? Summary) Run(PgTool tool, string[] args, string database, string key, string format,
        bool scan, string activity, CancellationToken cancel)
    {
        using var process = PgProcess.Start(tool, args, _connection.ToEnvironment(database), redirectOutput: true, cancel: cancel);
        var progress = new ProgressThrottle(bytes => _reporter.Progress(activity, $"{database}: {bytes / 1048576.0:F0} MB dumped"));
        (BackupFile File, ArchiveSummary? Summary) written;
        try
        {
            written = ArchiveWriter.Write(process.StandardOutput, _repositories, key, format, _storage, scan, progress.Report, cancel);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The tool's own complaint (permission denied, lock timeout…) explains more than a short archive.
            process.Kill();
            process.WaitForExit();
            cancel.ThrowIfCancellationRequested();
            if (process.Stderr.Length > 0) throw Failed(tool, database, process);
            throw;
        }
        if (process.WaitForExit(cancel) != 0) throw Failed(tool, database, process);
        return written;
    }

    private static ShippyarException Failed(PgTool tool, string database, PgProcess process)
        => new(ShippyarErrorKind.InvalidOperation, tool.Name == "pg_dumpall" ? "PgDumpAllFailed" : "PgDumpFailed",
            $"{tool.Name} of {(tool.Name == "pg_dumpall" ? "the cluster's globals" : $"database '{database}'")} failed: {PgProcess.Summarize(process.Stderr)}", database);
}
