using System.Text.Json;
using ShippyarDr.Backup;
using ShippyarDr.Cluster;
using ShippyarDr.Configuration;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Leftovers;

/// <summary>
/// The scratch data directories of base backup verifications on this machine, as leftovers. A verification that is
/// killed leaves its directory behind, and its server running on a loopback port (pg_ctl detaches it). Each directory
/// carries the verifying process's lease (host, pid, process start): once that process is gone, the directory is a
/// leftover, which <see cref="Remove"/> stops and deletes, and the next verification removes with a warning.
/// </summary>
public static class ScratchClusterLeftovers
{
    public const string DirectoryPrefix = "shippyar-verify-";
    private const string LeaseFile = "shippyar-run.json";
    private static readonly TimeSpan MayStillStart = TimeSpan.FromDays(1);

    internal sealed class Marker
    {
        public string BackupId { get; set; } = "";
        public BackupLease? Run { get; set; }
    }

    /// <summary>A new scratch directory, marked as this run's until the result is disposed.</summary>
    internal static (string Root, IDisposable Hold) Create(string backupId)
    {
        var root = Directory.CreateTempSubdirectory($"{DirectoryPrefix}{BackupId.ForIdentifier(backupId)}-").FullName;
        var lease = BackupLease.ForThisProcess();
        var hold = lease.Hold();
        File.WriteAllBytes(Path.Combine(root, LeaseFile), JsonSerializer.SerializeToUtf8Bytes(new Marker { BackupId = backupId, Run = lease }, RepositoryJson.Default.Marker));
        return (root, hold);
    }

    public static IReadOnlyList<Leftover> Find(string? under = null)
    {
        var found = new List<Leftover>();
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateDirectories(under ?? Path.GetTempPath(), DirectoryPrefix + "*").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return found; }
        foreach (var root in candidates.Order(StringComparer.Ordinal))
        {
            if (new FileInfo(root).LinkTarget is not null) continue; // never follow a link someone planted in /tmp
            var marker = ReadMarker(root);
            var running = PostmasterPid.Read(Path.Combine(root, "data")) is { } pid && pid.ProcessExists() ? pid : null;
            found.Add(new Leftover
            {
                Kind = LeftoverKind.ScratchCluster, Name = root, BackupId = marker?.BackupId,
                Server = running?.Port is { } port ? $"127.0.0.1:{port}" : null,
                Size = SizeOf(root),
                OwnedByLiveRun = marker?.Run is { } run ? !run.WriterIsGone() : DateTime.UtcNow - Directory.GetCreationTimeUtc(root) < MayStillStart,
            });
        }
        return found;
    }

    /// <summary>Stops the server still running on a leftover scratch directory and deletes it, after looking it up again.</summary>
    public static void Remove(string root, CancellationToken cancel = default)
    {
        root = Path.GetFullPath(root);
        var current = Find(Path.GetDirectoryName(root)).FirstOrDefault(l => l.Name == root)
            ?? throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.LeftoverNotFound,
                $"{root} is not the scratch directory of a verification (or it is gone).", root);
        if (current.OwnedByLiveRun)
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.LeftoverInUse,
                $"Scratch cluster {root} belongs to a verification that is still going; it was not removed.", root);
        cancel.ThrowIfCancellationRequested();
        var data = Path.Combine(root, "data");
        if (PostmasterPid.Read(data) is { } pid && pid.ProcessExists())
        {
            var owner = FileOwnership.Stat(data) is { } status ? ServerAccount.Named(FileOwnership.UserName(status.Uid)) : ServerAccount.Default;
            LocalServer.Existing(data, owner).Stop();
        }
        Directory.Delete(root, recursive: true);
    }

    /// <summary>What a rerun repairs: removes the scratch clusters of verifications that are gone, saying so.</summary>
    internal static void RemoveDead(IOperationReporter reporter)
    {
        foreach (var leftover in Find().Where(l => !l.OwnedByLiveRun))
        {
            try
            {
                Remove(leftover.Name);
                reporter.Warning($"Removed {leftover.Name}, the scratch cluster of an interrupted verification{(leftover.BackupId is null ? "" : " of backup " + leftover.BackupId)}{(leftover.Server is null ? "" : ", and stopped its server on " + leftover.Server)}.");
            }
            catch (Exception e) when (e is ShippyarException or IOException or UnauthorizedAccessException)
            {
                reporter.Warning($"Could not remove {leftover.Name}, left by an interrupted verification: {e.Message}");
            }
        }
    }

    private static Marker? ReadMarker(string root)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(root, LeaseFile)), RepositoryJson.Default.Marker); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { return null; }
    }

    private static long? SizeOf(string root)
    {
        try
        {
            return new DirectoryInfo(root).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint })
                .Sum(f => f.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
