using System.Text.Json;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Wal.Async;

/// <summary>
/// The background pusher of the asynchronous mode: one per cluster and spool (it holds the spool's push lock), it
/// pushes what PostgreSQL has marked ready (pg_wal/archive_status/*.ready) and what a wal-push asks for, oldest first
/// (history files first, as PostgreSQL does), <see cref="Parallel"/> at a time, looking at most <see cref="LookAhead"/>
/// files ahead, and leaves a confirmation (.ok) or the failure (.error) for each. It exits after <see cref="IdleExit"/>
/// with nothing to do; the next wal-push starts another. It never confirms a file it did not store durably and never
/// removes anything from pg_wal: PostgreSQL does that, after archive_command returned success for the file.
/// </summary>
public sealed class WalPushWorker
{
    private readonly WalSpool _spool;
    private readonly Func<string, WalPushResult> _push;
    private readonly IOperationReporter _reporter;

    /// <param name="push">Pushes one file by its path (a configured <see cref="WalPusher"/>); must be safe to call from several threads.</param>
    public WalPushWorker(WalSpool spool, Func<string, WalPushResult> push, IOperationReporter reporter) => (_spool, _push, _reporter) = (spool, push, reporter);

    /// <summary>Pushes at once (default 2: each push is one core's compression and one store connection).</summary>
    public int Parallel { get; init; } = 2;
    /// <summary>The most files handled per round, oldest first (default 64, ~1 GB of 16 MiB segments); the rest wait for the next round.</summary>
    public int LookAhead { get; init; } = 64;
    public TimeSpan IdleExit { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Runs until idle; returns how many files it stored, or -1 when another pusher holds the lock.</summary>
    public int Run(string dataDirectory, CancellationToken cancel = default)
    {
        using var held = _spool.TryLock(AsyncWalPush.LockName);
        if (held is null) return -1;
        var statusDirectory = Path.Combine(dataDirectory, "pg_wal", "archive_status");
        var stored = 0;
        var idleSince = DateTime.UtcNow;
        while (!cancel.IsCancellationRequested)
        {
            RemoveStale(statusDirectory);
            var work = Candidates(dataDirectory, statusDirectory).Take(LookAhead).ToList();
            if (work.Count == 0)
            {
                if (DateTime.UtcNow - idleSince > IdleExit) break;
                Thread.Sleep(50);
                continue;
            }
            System.Threading.Tasks.Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Parallel), CancellationToken = cancel }, item =>
            {
                if (PushOne(item.Name, item.Path)) Interlocked.Increment(ref stored);
            });
            idleSince = DateTime.UtcNow;
        }
        return stored;
    }

    /// <summary>What to push: .ready files and requests, without a confirmation or failure waiting to be read, oldest first.</summary>
    private IEnumerable<(WalFileName Name, string Path)> Candidates(string dataDirectory, string statusDirectory)
    {
        var found = new Dictionary<string, (WalFileName, string)>(StringComparer.Ordinal);
        if (Directory.Exists(statusDirectory))
            foreach (var ready in Directory.EnumerateFiles(statusDirectory, "*.ready"))
                if (WalFileName.TryParse(Path.GetFileNameWithoutExtension(ready)) is { } name)
                    found[name.Name] = (name, Path.Combine(dataDirectory, "pg_wal", name.Name));
        foreach (var want in Directory.EnumerateFiles(_spool.PushDirectory, "*" + WalSpool.WantSuffix))
            if (WalFileName.TryParse(Path.GetFileNameWithoutExtension(want)) is { } name && WalSpool.ReadJson(want, SpoolJson.Default.SpoolRecord)?.Message is { } path)
                found[name.Name] = (name, path);
        return found.Values
            .Where(c => !File.Exists(Path.Combine(_spool.PushDirectory, c.Item1.Name + WalSpool.OkSuffix))
                        && !File.Exists(Path.Combine(_spool.PushDirectory, c.Item1.Name + WalSpool.ErrorSuffix)))
            .OrderBy(c => c.Item1.Kind == WalFileKind.History ? 0 : 1).ThenBy(c => c.Item1);
    }

    /// <summary>Confirmations nobody will read: PostgreSQL has no .ready for the file any more (archive_command returned for it) and no
    /// wal-push waits for it.</summary>
    private void RemoveStale(string statusDirectory)
    {
        foreach (var file in Directory.EnumerateFiles(_spool.PushDirectory).Where(f => f.EndsWith(WalSpool.OkSuffix) || f.EndsWith(WalSpool.ErrorSuffix)))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (File.Exists(Path.Combine(statusDirectory, name + ".ready")) || File.Exists(Path.Combine(_spool.PushDirectory, name + WalSpool.WantSuffix))) continue;
            File.Delete(file);
        }
    }

    private bool PushOne(WalFileName name, string path)
    {
        var source = new FileInfo(path);
        SpoolRecord record;
        try
        {
            var result = _push(path);
            record = new SpoolRecord { Name = name.Name, Size = source.Length, ModifiedTicks = source.LastWriteTimeUtc.Ticks, Sha256 = result.PlainSha256, Outcome = result.Outcome };
        }
        catch (Exception e) when (EngineErrors.Translate(e) is { } known || e is IOException or UnauthorizedAccessException)
        {
            var error = EngineErrors.Translate(e);
            _reporter.Warning($"Background push of {name} failed: {e.Message}");
            record = new SpoolRecord { Name = name.Name, ErrorId = error?.ErrorId ?? ErrorIds.WalAsyncFailed, ErrorKind = error?.Kind ?? ShippyarErrorKind.WriteError, Message = e.Message };
            WalSpool.WriteFile(Path.Combine(_spool.PushDirectory, name.Name + WalSpool.ErrorSuffix), JsonSerializer.SerializeToUtf8Bytes(record, SpoolJson.Default.SpoolRecord));
            return false;
        }
        WalSpool.WriteFile(Path.Combine(_spool.PushDirectory, name.Name + WalSpool.OkSuffix), JsonSerializer.SerializeToUtf8Bytes(record, SpoolJson.Default.SpoolRecord));
        return true;
    }
}
