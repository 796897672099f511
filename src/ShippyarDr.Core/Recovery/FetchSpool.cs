using System.Diagnostics;
using ShippyarDr.Cluster;
using ShippyarDr.Diagnostics;
using ShippyarDr.Wal.Async;

namespace ShippyarDr.Recovery;

/// <summary>
/// Where a recovering server's restore_command (shippyar-dr wal-fetch --async) prefetches the segments after the one
/// it asked for, so fetching overlaps replay as pgBackRest's archive-get does. It is the server account's own (0700),
/// made empty for each recovery, and never inside the data directory: a base backup of the recovered server must not
/// carry it. Nothing in it is needed once recovery has ended.
/// </summary>
public static class FetchSpool
{
    /// <summary>The spool beside a data directory: "&lt;dir&gt;.shippyar-spool".</summary>
    public static string Beside(string dataDirectory) => Path.TrimEndingDirectorySeparator(dataDirectory) + ".shippyar-spool";

    /// <summary>An empty spool at <paramref name="path"/> owned by the server account (one left by an earlier recovery is emptied).</summary>
    public static string Create(string path, ServerAccount owner)
    {
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        owner.GiveOwnership(path);
        return path;
    }

    /// <summary>
    /// Once recovery has ended: waits for a prefetcher still fetching ahead to stop (it stops at the first segment the
    /// archive lacks), then deletes the spool. Whether it was deleted; one that cannot be is reported, never an error.
    /// </summary>
    public static bool Remove(string path, string? systemIdentifier, IOperationReporter reporter, TimeSpan? wait = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = wait ?? TimeSpan.FromSeconds(30);
        while (systemIdentifier is not null && WalSpool.IsLocked(path, systemIdentifier, WalPrefetcher.LockName) && clock.Elapsed < limit) Thread.Sleep(100);
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reporter.Verbose($"The WAL prefetch spool {path} was left in place ({e.Message}); nothing in it is needed any more.");
            return false;
        }
    }
}
