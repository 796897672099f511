using System.Globalization;

namespace ShippyarDr.Cluster;

/// <summary>
/// What a running (or crashed) server wrote into its data directory's postmaster.pid: the postmaster's pid, where it
/// listens, and its state. PostgreSQL 10 and newer keep the state current ("starting" during recovery without hot
/// standby, "standby" once a standby or archive recovery is consistent and takes read-only connections, "ready" in
/// normal operation, "stopping"), which is how pg_ctl itself waits for a start.
/// </summary>
public sealed record PostmasterPid(int ProcessId, string DataDirectory, DateTimeOffset? StartTime, int? Port, string? SocketDirectory,
    string? ListenAddress, string? Status)
{
    public const string FileName = "postmaster.pid";

    public bool IsReady => Status == "ready";
    public bool IsStandby => Status == "standby";

    /// <summary>The file's contents, or null when there is none (or it is being written and not yet readable).</summary>
    public static PostmasterPid? Read(string dataDirectory)
    {
        string[] lines;
        try { lines = File.ReadAllLines(Path.Combine(dataDirectory, FileName)); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        if (lines.Length < 1 || !int.TryParse(lines[0].Trim(), CultureInfo.InvariantCulture, out var pid)) return null;
        string? Line(int i) => lines.Length > i && lines[i].Trim().Length > 0 ? lines[i].Trim() : null;
        DateTimeOffset? start = long.TryParse(Line(2), CultureInfo.InvariantCulture, out var epoch) ? DateTimeOffset.FromUnixTimeSeconds(epoch) : null;
        int? port = int.TryParse(Line(3), CultureInfo.InvariantCulture, out var p) ? p : null;
        return new PostmasterPid(pid, Line(1) ?? dataDirectory, start, port, Line(4), Line(5), Line(7));
    }

    /// <summary>Whether the process it names still exists (a pid file left by a crash names a process that is gone).</summary>
    public bool ProcessExists()
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(ProcessId);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
