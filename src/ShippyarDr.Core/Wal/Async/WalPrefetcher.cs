using System.Security.Cryptography;
using System.Text.Json;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Wal.Async;

/// <summary>
/// Prefetch for an asynchronous wal-fetch: while PostgreSQL replays one segment, the next ones are fetched and checked
/// into the spool, so restore_command mostly hands over a local file. A prefetched file is checked again (its SHA-256,
/// recorded when it was fetched and checked) when it is handed over, and segments PostgreSQL has gone past are removed.
/// At most <see cref="Depth"/> segments wait in the spool (16 MiB each).
/// </summary>
public sealed class WalPrefetcher
{
    public const string LockName = "fetch";
    private readonly WalSpool _spool;
    private readonly WalFetcher _fetcher;
    private readonly IOperationReporter _reporter;

    public WalPrefetcher(WalSpool spool, WalFetcher fetcher, IOperationReporter reporter) => (_spool, _fetcher, _reporter) = (spool, fetcher, reporter);

    /// <summary>Segments fetched ahead (default 8: 128 MiB of spool).</summary>
    public int Depth { get; init; } = 8;

    /// <summary>Hands a prefetched file over (checked again, moved into place); false when the spool does not hold it.</summary>
    public bool TryTake(WalFileName name, string destination)
    {
        var file = Path.Combine(_spool.FetchDirectory, name.Name);
        var ok = WalSpool.ReadJson(file + WalSpool.OkSuffix, SpoolJson.Default.SpoolRecord);
        if (ok?.Sha256 is null || !File.Exists(file)) return false;
        var temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(destination))!, $".{Path.GetFileName(destination)}.shippyar-{Guid.NewGuid():n}");
        try
        {
            string sha;
            using (var input = File.OpenRead(file))
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[1 << 20];
                int n;
                while ((n = input.Read(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    output.Write(buffer, 0, n);
                }
                sha = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
            }
            if (sha != ok.Sha256 || new FileInfo(temp).Length != ok.Size)
            {
                _reporter.Warning($"The prefetched {name} in {_spool.FetchDirectory} changed after it was checked; it is fetched again.");
                Discard(name);
                return false;
            }
            File.Move(temp, destination, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
        Discard(name);
        return true;
    }

    /// <summary>Whether the spool already holds the segments after <paramref name="name"/> up to half the depth (no prefetch needed yet).</summary>
    public bool IsAhead(WalFileName name, int walSegmentSize)
    {
        var next = name;
        for (var i = 0; i < Math.Max(1, Depth / 2); i++)
        {
            next = next.Next(walSegmentSize);
            if (!File.Exists(Path.Combine(_spool.FetchDirectory, next.Name + WalSpool.OkSuffix))) return false;
        }
        return true;
    }

    /// <summary>Fetches the segments after <paramref name="from"/> into the spool, up to the depth, stopping at the first the archive does not hold;
    /// removes those before it. Returns how many it fetched, or -1 when another prefetcher holds the lock.</summary>
    public int Run(ClusterIdentity cluster, WalFileName from, Authentication.BackupKeys keys, CancellationToken cancel = default)
    {
        using var held = _spool.TryLock(LockName);
        if (held is null) return -1;
        var size = _fetcher.RequireArchive(cluster).WalSegmentSize;
        foreach (var stale in Directory.EnumerateFiles(_spool.FetchDirectory).Select(f => WalFileName.TryParse(Path.GetFileName(f).Replace(WalSpool.OkSuffix, "")))
                     .Where(n => n is not null && n.Timeline == from.Timeline && n.CompareTo(from) <= 0).Distinct().ToList())
            Discard(stale!);
        var fetched = 0;
        var next = from;
        for (var i = 0; i < Depth && !cancel.IsCancellationRequested; i++)
        {
            next = next.Next(size);
            var file = Path.Combine(_spool.FetchDirectory, next.Name);
            if (File.Exists(file + WalSpool.OkSuffix)) continue;
            WalFetchResult result;
            try
            {
                result = _fetcher.Fetch(new WalFetchRequest { Name = next.Name, Destination = file, Cluster = cluster, Keys = keys }, cancel);
            }
            catch (ShippyarException e)
            {
                // restore_command fetches it again in the foreground, and reports the failure there.
                _reporter.Verbose($"Prefetch of {next} stopped: {e.Message}");
                break;
            }
            if (result.Outcome == WalFetchOutcome.NotInArchive) break;
            WalSpool.WriteFile(file + WalSpool.OkSuffix, JsonSerializer.SerializeToUtf8Bytes(
                new SpoolRecord { Name = next.Name, Size = result.Size, Sha256 = result.Sha256 }, SpoolJson.Default.SpoolRecord));
            fetched++;
        }
        return fetched;
    }

    private void Discard(WalFileName name)
    {
        File.Delete(Path.Combine(_spool.FetchDirectory, name.Name + WalSpool.OkSuffix));
        File.Delete(Path.Combine(_spool.FetchDirectory, name.Name));
    }
}
