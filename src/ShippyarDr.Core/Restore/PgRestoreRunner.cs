using System.Text;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Tools;

namespace ShippyarDr.Restore;

/// <summary>
/// Streams a stored archive into pg_restore's standard input: no temporary copy, whatever the repository.
/// (pg_restore reads a piped custom archive front to back, so a restore is single-stream.)
/// </summary>
internal static class PgRestoreRunner
{
    /// <summary>Runs pg_restore with <paramref name="arguments"/>; returns its standard output. No connection: for --list.</summary>
    public static string Run(IBackupRepository repository, BackupInfo backup, PgConnectionInfo? connection, string? database,
        IReadOnlyList<string> arguments, IOperationReporter reporter, string activity, CancellationToken cancel)
    {
        var pgRestore = PgToolLocator.Find("pg_restore", backup.ServerVersionNum / 10000);
        var file = backup.Files.Single(f => f.Format == "custom");
        using var process = PgProcess.Start(pgRestore, arguments.Append("--no-password"), connection?.ToEnvironment(database) ?? new Dictionary<string, string>(),
            redirectInput: true, redirectOutput: true, cancel: cancel);
        var stdout = Task.Run(() => ReadAll(process.StandardOutput));
        var throttle = new ProgressThrottle(bytes => reporter.Progress(activity,
            $"{bytes / 1048576.0:F0} of {file.Size / 1048576.0:F0} MB", file.Size > 0 ? (int)(bytes * 100 / file.Size) : -1));
        try
        {
            using var source = repository.OpenRead(BackupLayout.Key(backup.Database, backup.Id, file.Name));
            var buffer = new byte[1 << 20];
            long sent = 0;
            int n;
            while ((n = source.Read(buffer)) > 0)
            {
                cancel.ThrowIfCancellationRequested();
                process.StandardInput.Write(buffer, 0, n);
                sent += n;
                throttle.Report(sent);
            }
            process.StandardInput.Close();
        }
        catch (IOException) when (process.HasExited || WaitBriefly(process))
        {
            // pg_restore stopped reading: either it needed no more (--list) or it failed; its exit code says which.
        }
        process.WaitForSuccess($"pg_restore of backup {backup.Id}", "PgRestoreFailed", cancel);
        return stdout.GetAwaiter().GetResult();
    }

    private static bool WaitBriefly(PgProcess process)
    {
        Thread.Sleep(200);
        return process.HasExited;
    }

    private static string ReadAll(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
