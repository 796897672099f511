using System.Diagnostics;
using System.Text.Json;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Wal.Async;

/// <summary>
/// The foreground of an asynchronous wal-push (pgBackRest's archive-async): PostgreSQL's archive_command returns as
/// soon as the background pusher (<see cref="WalPushWorker"/>) confirms the file durably stored, and the pusher, having
/// looked ahead at the other .ready files in pg_wal/archive_status, has usually stored it before PostgreSQL asks.
/// Success is only ever reported for a file the pusher stored; a failure it recorded is reported (and retried with the
/// next call); no confirmation within the timeout is a failure PostgreSQL retries. Nothing is ever dropped.
/// </summary>
public static class AsyncWalPush
{
    public const string LockName = "push";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <param name="startWorker">Starts the background pusher (the host knows how: the CLI starts itself detached); called when none runs.</param>
    public static WalPushResult Wait(WalSpool spool, string sourcePath, TimeSpan timeout, Action startWorker, IOperationReporter reporter, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var name = WalFileName.Parse(Path.GetFileName(sourcePath));
        var source = new FileInfo(sourcePath);
        if (!source.Exists)
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.WalSourceNotFound, $"{sourcePath} does not exist: nothing to archive.", sourcePath);
        var ok = Path.Combine(spool.PushDirectory, name.Name + WalSpool.OkSuffix);
        var error = Path.Combine(spool.PushDirectory, name.Name + WalSpool.ErrorSuffix);
        var want = Path.Combine(spool.PushDirectory, name.Name + WalSpool.WantSuffix);
        DateTime? lastStart = null;
        while (true)
        {
            if (WalSpool.ReadJson(ok, SpoolJson.Default.SpoolRecord) is { } done && done.Size == source.Length && done.ModifiedTicks == source.LastWriteTimeUtc.Ticks)
            {
                // The confirmation stays until PostgreSQL has marked the file done (the pusher removes it then), so a
                // pusher scanning between our return and that mark does not push it again.
                File.Delete(want);
                return new WalPushResult { Name = name.Name, Kind = name.Kind, Outcome = done.Outcome ?? WalPushOutcome.Stored, PlainSize = done.Size, PlainSha256 = done.Sha256 ?? "", Duration = clock.Elapsed };
            }
            if (WalSpool.ReadJson(error, SpoolJson.Default.SpoolRecord) is { } failed)
            {
                // Reported once; the next call (PostgreSQL retries) asks the pusher to try again.
                File.Delete(error);
                File.Delete(want);
                throw new ShippyarException(failed.ErrorKind ?? ShippyarErrorKind.WriteError, failed.ErrorId ?? ErrorIds.WalAsyncFailed,
                    $"The background pusher could not archive {name}: {failed.Message}", name.Name);
            }
            if (!File.Exists(want)) WalSpool.WriteFile(want, JsonSerializer.SerializeToUtf8Bytes(new SpoolRecord { Name = name.Name, Message = source.FullName }, SpoolJson.Default.SpoolRecord));
            if ((lastStart is null || DateTime.UtcNow - lastStart > TimeSpan.FromSeconds(2)) && !spool.IsLocked(LockName))
            {
                // None runs (the first call, or the last one went idle and exited): start one, and again if it did not come up.
                startWorker();
                lastStart = DateTime.UtcNow;
            }
            if (clock.Elapsed > timeout)
                throw new ShippyarException(ShippyarErrorKind.ResourceUnavailable, ErrorIds.WalAsyncTimeout,
                    $"The background pusher did not confirm {name} within {Durations.Format(timeout)}; it keeps trying, and PostgreSQL will ask again (see the spool {spool.PushDirectory}).", name.Name);
            cancel.ThrowIfCancellationRequested();
            Thread.Sleep(10);
        }
    }
}
