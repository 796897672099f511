using System.Text;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Tools;

namespace ShippyarDr.Restore;

/// <summary>
/// Streams an archive's plain content (decrypted, decompressed on the fly) into pg_restore's standard input:
/// no temporary copy, whatever the repository. (pg_restore reads a piped custom archive front to back, so a
/// restore is single-stream.) After a full read the stored and plain checksums are compared with the manifest,
/// so a restore fed from a damaged or tampered object fails even if pg_restore did not notice; and when pg_restore
/// fails, or the content cannot be decoded, the rest is read to tell a damaged object from a failed restore.
/// </summary>
internal static class PgRestoreRunner
{
    /// <summary>Runs pg_restore with <paramref name="arguments"/>; returns its standard output. No connection: for --list.</summary>
    public static string Run(BackupInfo backup, BackupFile file, StoredObjectReader source, PgConnectionInfo? connection, string? database,
        IReadOnlyList<string> arguments, IOperationReporter reporter, string activity, CancellationToken cancel, bool checkIntegrity = true)
    {
        var pgRestore = PgToolLocator.Find("pg_restore", backup.ServerVersionNum / 10000);
        using var process = PgProcess.Start(pgRestore, arguments.Append("--no-password"), connection?.ToEnvironment(database) ?? new Dictionary<string, string>(),
            redirectInput: true, redirectOutput: true, cancel: cancel);
        var stdout = Task.Run(() => ReadAll(process.StandardOutput));
        var total = file.PlainSize > 0 ? file.PlainSize : file.Size;
        var throttle = new ProgressThrottle(bytes => reporter.Progress(activity,
            $"{bytes / 1048576.0:F0} of {total / 1048576.0:F0} MB", total > 0 ? (int)Math.Min(100, bytes * 100 / total) : -1));
        var consumedAll = false;
        try
        {
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
            consumedAll = true;
            process.StandardInput.Close();
        }
        catch (IOException) when (process.HasExited || WaitBriefly(process))
        {
            // pg_restore stopped reading: either it needed no more (--list) or it failed; its exit code says which.
        }
        catch (ShippyarException e) when (e.Kind == ShippyarErrorKind.InvalidData && checkIntegrity)
        {
            // The content cannot be decoded (corrupt compressed data, a failed integrity check): say what is damaged.
            process.Kill();
            throw source.Damage(backup.Id, e, cancel) ?? e;
        }
        try
        {
            process.WaitForSuccess($"pg_restore of backup {backup.Id}", ErrorIds.PgRestoreFailed, cancel);
        }
        catch (ShippyarException e) when (e.ErrorId == ErrorIds.PgRestoreFailed && checkIntegrity)
        {
            // Fed a damaged object, pg_restore fails with whatever its parser made of it ("out of memory", "unsupported
            // version"…): read the rest of the object, and when it is damaged say so instead.
            reporter.Verbose($"pg_restore failed; reading the rest of {source.Where} to see whether it is damaged.");
            if (source.Damage(backup.Id, e, cancel) is { } damage) throw damage;
            throw;
        }
        if (checkIntegrity && consumedAll && source.Damage(backup.Id, cancel: cancel) is { } damaged) throw damaged;
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
