using System.Diagnostics;
using System.Text.Json;

namespace ShippyarDr.Repository;

/// <summary>
/// in-progress.json, the first object of every backup and the last one removed: which host and process write the
/// backup. A folder without a manifest whose lease names this host and a process that no longer runs (or a new process
/// under a reused pid), or this process and a run of it that is over, was left by a killed or failed run and is safe to
/// remove; any other one may still be being written.
/// </summary>
public sealed class BackupLease
{
    /// <summary>The runs of this process that are writing now: a lease of this process naming another run was left by a
    /// run that failed without being able to remove it (a store that was unreachable at the time).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> ActiveRuns = new();

    public string Host { get; set; } = "";
    public string RunId { get; set; } = "";
    public int ProcessId { get; set; }
    /// <summary>The writer process's start time, which tells a reused pid from the writer.</summary>
    public DateTimeOffset? ProcessStart { get; set; }
    public DateTimeOffset Started { get; set; }

    public static BackupLease ForThisProcess()
    {
        using var self = Process.GetCurrentProcess();
        return new BackupLease
        {
            Host = Environment.MachineName, ProcessId = self.Id, ProcessStart = StartOf(self), Started = DateTimeOffset.UtcNow, RunId = Guid.NewGuid().ToString("n"),
        };
    }

    /// <summary>Marks the run as writing until the result is disposed.</summary>
    public IDisposable Hold()
    {
        ActiveRuns[RunId] = 0;
        return new Release(RunId);
    }

    private sealed class Release(string runId) : IDisposable
    {
        public void Dispose() => ActiveRuns.TryRemove(runId, out _);
    }

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, RepositoryJson.Default.BackupLease);

    /// <summary>The lease in a backup folder, or null when there is none or it cannot be read.</summary>
    public static BackupLease? Read(IBackupRepository repository, string prefix) => Read(repository, prefix, BackupLayout.LeaseName);

    /// <summary>A lease stored under another name (the retention lock).</summary>
    public static BackupLease? Read(IBackupRepository repository, string prefix, string name)
    {
        try
        {
            using var s = repository.OpenRead(prefix + name);
            return JsonSerializer.Deserialize(s, RepositoryJson.Default.BackupLease);
        }
        catch (Exception e) when (e is Diagnostics.ShippyarException or JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>True only when the writer certainly is gone: on this host, and its process is not running any more.</summary>
    public bool WriterIsGone()
    {
        if (!string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)) return false;
        if (ProcessId == Environment.ProcessId) return !ActiveRuns.ContainsKey(RunId);
        try
        {
            using var p = Process.GetProcessById(ProcessId);
            return ProcessStart is { } started && StartOf(p) is { } now && Math.Abs((now - started).TotalSeconds) > 1;
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
    }

    private static DateTimeOffset? StartOf(Process p)
    {
        try { return p.StartTime.ToUniversalTime(); }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { return null; }
    }
}
