using System.Text.RegularExpressions;
using ShippyarDr.DumpFormat;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Tools;

namespace ShippyarDr.Backup;

/// <summary>
/// Runs pg_dump or pg_dumpall into the storage pipeline and turns their failures into clear errors. The repositories
/// still receiving the backup are <see cref="LiveRepositories"/>: one that failed midway gets none of the later files.
/// </summary>
internal sealed partial class DatabaseDumper
{
    private readonly LiveRepositories _targets;
    private readonly PgConnectionInfo _connection;
    private readonly StorageOptions _storage;
    private readonly IOperationReporter _reporter;

    public DatabaseDumper(LiveRepositories targets, PgConnectionInfo connection, StorageOptions storage, IOperationReporter reporter)
    {
        _targets = targets;
        _connection = connection;
        _storage = storage;
        _reporter = reporter;
    }

    /// <summary>pg_dump's wait for each table's lock (zero: no limit).</summary>
    public TimeSpan LockWaitTimeout { get; init; }

    /// <summary>One database, custom format, uncompressed from pg_dump (our stage compresses faster and the scanner counts rows without inflating).</summary>
    public (BackupFile File, DumpSummary Summary) DumpDatabase(PgTool pgDump, string database, string key, string activity, CancellationToken cancel)
    {
        var args = new List<string> { "--format=custom", "--compress=0", "--no-password" };
        if (LockWaitTimeout > TimeSpan.Zero) args.Add($"--lock-wait-timeout={Math.Max(1, (long)Math.Ceiling(LockWaitTimeout.TotalMilliseconds))}");
        var (file, summary) = Run(pgDump, args.ToArray(), database, key, "custom", true, activity, cancel);
        file.Database = database;
        return (file, summary!);
    }

    /// <summary>Roles, tablespaces and their settings: what a cluster needs before its databases can be restored.
    /// Only a superuser may read role passwords (pg_authid); others get the roles without them.</summary>
    public BackupFile DumpGlobals(PgTool pgDumpAll, string key, bool withoutRolePasswords, string activity, CancellationToken cancel)
        => Run(pgDumpAll, withoutRolePasswords ? ["--globals-only", "--no-password", "--no-role-passwords"] : ["--globals-only", "--no-password"],
            "postgres", key, "globals", false, activity, cancel).File;

    private (BackupFile File, DumpSummary? Summary) Run(PgTool tool, string[] args, string database, string key, string format,
        bool scan, string activity, CancellationToken cancel)
    {
        using var process = PgProcess.Start(tool, args, _connection.ToEnvironment(database), redirectOutput: true, cancel: cancel);
        var progress = new ProgressThrottle(bytes => _reporter.Progress(activity, $"{database}: {bytes / 1048576.0:F0} MB dumped"));
        StoredObjectWriteResult written;
        try
        {
            written = StoredObjectWriter.Write(process.StandardOutput, _targets.Live, key, format, _storage, scan, progress.Report, cancel);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A tool that stopped by itself (permission denied, lock timeout…) explains the short archive better than
            // the archive does; a tool still running was stopped by our failure (every repository gone), which is the news.
            var stoppedByItself = process.ExitsWithin(TimeSpan.FromMilliseconds(500));
            process.Kill();
            process.WaitForExit();
            cancel.ThrowIfCancellationRequested();
            if (stoppedByItself && process.Stderr.Length > 0) throw ToolFailed(tool, database, process);
            throw;
        }
        if (process.WaitForExit(cancel) != 0) throw ToolFailed(tool, database, process);
        _targets.Drop(written);
        return (written.File, written.Summary);
    }

    private ShippyarException ToolFailed(PgTool tool, string database, PgProcess process)
    {
        var what = tool.Name == "pg_dumpall" ? "the cluster's globals" : $"database '{database}'";
        var stderr = process.Stderr;
        // --lock-wait-timeout ends the wait on a table's lock as a statement timeout of its LOCK TABLE.
        if (tool.Name == "pg_dump" && LockWaitTimeout > TimeSpan.Zero && stderr.Contains("LOCK TABLE", StringComparison.Ordinal)
            && (stderr.Contains("statement timeout", StringComparison.Ordinal) || stderr.Contains("lock timeout", StringComparison.Ordinal)))
        {
            var table = LockedTable().Match(stderr) is { Success: true } m ? $" on {m.Groups[1].Value}" : "";
            return new(ShippyarErrorKind.ResourceUnavailable, ErrorIds.PgDumpLockTimeout,
                $"pg_dump of {what} gave up after waiting {Durations.Format(LockWaitTimeout)} for a table lock{table}: another session holds it exclusively " +
                $"(ALTER TABLE, VACUUM FULL, LOCK TABLE, or a transaction left open). pg_locks shows which. {PgProcess.Summarize(stderr)}", database);
        }
        return new(ShippyarErrorKind.InvalidOperation, tool.Name == "pg_dumpall" ? ErrorIds.PgDumpAllFailed : ErrorIds.PgDumpFailed,
            $"{tool.Name} of {what} failed: {PgProcess.Summarize(stderr)}", database);
    }

    [GeneratedRegex(@"LOCK TABLE (\S+) IN")]
    private static partial Regex LockedTable();
}
