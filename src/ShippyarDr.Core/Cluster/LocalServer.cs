using System.Globalization;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Tools;

namespace ShippyarDr.Cluster;

/// <summary>
/// A PostgreSQL server running on a data directory of this host, started and stopped with pg_ctl as the directory's
/// OS account (see <see cref="ServerAccount"/>). The sandbox, scratch restores of base backups and point-in-time
/// recovery all run their servers through it. A data directory whose postmaster.pid names a live process is in use and
/// is never started a second time. Disposing stops the server when it is still running.
/// </summary>
public sealed class LocalServer : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PidFileGrace = TimeSpan.FromSeconds(15);
    private readonly PgTool _pgCtl;
    private bool _stopped;

    private LocalServer(string dataDirectory, LocalServerOptions options, string logFile, PgTool pgCtl)
    {
        DataDirectory = dataDirectory;
        Options = options;
        LogFile = logFile;
        _pgCtl = pgCtl;
    }

    public string DataDirectory { get; }
    public LocalServerOptions Options { get; }
    public ServerAccount Account => Options.Account;
    public string LogFile { get; }

    /// <summary>The port it listens on (what it wrote into postmaster.pid).</summary>
    public int Port => Options.Port ?? PostmasterPid.Read(DataDirectory)?.Port
        ?? throw new InvalidOperationException($"The server on {DataDirectory} has not written its port yet.");

    /// <summary>Its Unix-domain socket directory, if it has one.</summary>
    public string? SocketDirectory => Options.SocketDirectory ?? PostmasterPid.Read(DataDirectory)?.SocketDirectory;

    /// <summary>"starting", "standby", "ready", "stopping" (postmaster.pid); null when it is not running.</summary>
    public string? Status => PostmasterPid.Read(DataDirectory) is { } pid && pid.ProcessExists() ? pid.Status : null;

    public bool IsRunning => !_stopped && Status is not null;

    /// <summary>
    /// Starts a server on <paramref name="dataDirectory"/>, which must belong to the options' account and have no server
    /// running. With <see cref="LocalServerOptions.Wait"/> it returns once the server accepts connections; a server that
    /// fails to start (or exits during recovery) is an error quoting the end of its log.
    /// </summary>
    public static LocalServer Start(string dataDirectory, LocalServerOptions? options = null, CancellationToken cancel = default)
    {
        options ??= new LocalServerOptions();
        dataDirectory = Path.GetFullPath(dataDirectory);
        RefuseRunning(dataDirectory);
        var postgres = PgToolLocator.Find("postgres");
        var pgCtl = PgToolLocator.Find("pg_ctl", postgres.MajorVersion);
        var log = options.LogFile ?? NewLogFile(options.Account);
        var server = new LocalServer(dataDirectory, options, log, pgCtl);
        var args = new List<string> { "-D", dataDirectory, "-l", log };
        var serverOptions = ServerCommandLine(options);
        if (serverOptions.Length > 0) { args.Add("-o"); args.Add(serverOptions); }
        args.AddRange(options.Wait
            ? new[] { "-w", "-t", Math.Max(1, (int)Math.Ceiling(options.StartTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture) }
            : new[] { "-W" });
        args.Add("start");
        cancel.ThrowIfCancellationRequested();
        try
        {
            options.Account.RunAs(pgCtl.Path, args.ToArray());
        }
        catch (InvalidOperationException e)
        {
            server.StopQuietly();
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.ServerStartFailed,
                $"The PostgreSQL server on {dataDirectory} did not start: {PgProcess.Summarize(e.Message)} Its log ({log}) ends: {server.LogTail()}", dataDirectory, e);
        }
        return server;
    }

    /// <summary>The server some earlier process started on <paramref name="dataDirectory"/>, run by <paramref name="account"/>: to wait for or stop.</summary>
    public static LocalServer Existing(string dataDirectory, ServerAccount account)
    {
        dataDirectory = Path.GetFullPath(dataDirectory);
        var postgres = PgToolLocator.Find("postgres");
        return new LocalServer(dataDirectory, new LocalServerOptions { Account = account }, Path.Combine(dataDirectory, "log"), PgToolLocator.Find("pg_ctl", postgres.MajorVersion));
    }

    /// <summary>Waits until the server takes connections ("ready", or "standby": a consistent standby or archive recovery).</summary>
    public void WaitUntilAcceptingConnections(TimeSpan timeout, CancellationToken cancel = default)
        => WaitFor(s => s is "ready" or "standby", "accepts connections", timeout, cancel);

    /// <summary>
    /// Waits until recovery is over and the server runs normally: after a promotion or at the end of crash recovery.
    /// postmaster.pid says "ready" during hot standby too, so the end is pg_control's state "in production" (no login needed).
    /// </summary>
    public void WaitForRecoveryEnd(TimeSpan timeout, CancellationToken cancel = default)
        => WaitFor(s => s is "ready", "has ended recovery", timeout, cancel, () => ControlData.Read(DataDirectory)["Database cluster state"] == "in production");

    private void WaitFor(Func<string, bool> reached, string what, TimeSpan timeout, CancellationToken cancel, Func<bool>? andThen = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        // Started without waiting, the postmaster may not have written postmaster.pid yet.
        var grace = DateTime.UtcNow + PidFileGrace;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            var pid = PostmasterPid.Read(DataDirectory);
            if (pid?.Status is { } status && reached(status) && pid.ProcessExists() && (andThen is null || andThen())) return;
            if (pid is null && DateTime.UtcNow < grace && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(Poll);
                continue;
            }
            if (pid is null || !pid.ProcessExists())
                throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.ServerStartFailed,
                    $"The PostgreSQL server on {DataDirectory} stopped before it {what}. Its log ({LogFile}) ends: {LogTail()}", DataDirectory);
            if (DateTime.UtcNow > deadline)
                throw new ShippyarException(ShippyarErrorKind.ResourceUnavailable, ErrorIds.ServerWaitTimeout,
                    $"The PostgreSQL server on {DataDirectory} is still '{pid.Status}' after {Durations.Format(timeout)}, not yet one that {what}. Its log ({LogFile}) ends: {LogTail()}", DataDirectory);
            Thread.Sleep(Poll);
        }
    }

    /// <summary>A connection to it as <paramref name="user"/>: through its socket directory when it has one, else over loopback TCP.</summary>
    public PgConnectionInfo ConnectionAs(string user, string? password = null) => new(SocketDirectory ?? "127.0.0.1", Port, user, password);

    /// <summary>Stops the server (fast shutdown: sessions are ended, a shutdown checkpoint written); immediate when that does not end within a minute.</summary>
    public void Stop()
    {
        if (_stopped) return;
        if (PostmasterPid.Read(DataDirectory) is not { } pid || !pid.ProcessExists()) { _stopped = true; return; }
        try
        {
            Account.RunAs(_pgCtl.Path, "-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop");
        }
        catch (InvalidOperationException)
        {
            try { Account.RunAs(_pgCtl.Path, "-D", DataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"); }
            catch (InvalidOperationException e)
            {
                throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.ServerStopFailed,
                    $"The PostgreSQL server on {DataDirectory} (pid {pid.ProcessId}) did not stop: {PgProcess.Summarize(e.Message)}", DataDirectory, e);
            }
        }
        _stopped = true;
    }

    /// <summary>The last lines of the server's log, on one line, for error messages.</summary>
    public string LogTail(int lines = 8)
    {
        try
        {
            var tail = File.ReadLines(LogFile).TakeLast(lines).Select(l => l.Trim()).Where(l => l.Length > 0);
            return SecretRedactor.Redact(string.Join(" | ", tail));
        }
        catch (IOException) { return "(no log)"; }
        catch (UnauthorizedAccessException) { return "(log not readable)"; }
    }

    /// <summary>Refuses a data directory whose postmaster.pid names a live process: a server runs there.</summary>
    public static void RefuseRunning(string dataDirectory)
    {
        if (PostmasterPid.Read(dataDirectory) is { } pid && pid.ProcessExists())
            throw new ShippyarException(ShippyarErrorKind.ResourceUnavailable, ErrorIds.DataDirectoryInUse,
                $"A PostgreSQL server (pid {pid.ProcessId}) is running on {dataDirectory}: its postmaster.pid names a live process.", dataDirectory);
    }

    /// <summary>pg_ctl hands -o to a shell: every value single-quoted.</summary>
    private static string ServerCommandLine(LocalServerOptions options)
    {
        var parts = new List<string>();
        if (options.Port is { } port) parts.Add($"-p {port.ToString(CultureInfo.InvariantCulture)}");
        if (options.SocketDirectory is { } socket) parts.Add($"-k {ShellQuote(socket)}");
        if (options.ListenAddresses is { } listen) parts.Add($"-h {ShellQuote(listen)}");
        return string.Join(' ', parts);
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''") + "'";

    private static string NewLogFile(ServerAccount account)
    {
        var path = Path.Combine(Path.GetTempPath(), $"shippyar-server-{Guid.NewGuid():n}.log");
        File.WriteAllText(path, "");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        account.GiveOwnership(path);
        return path;
    }

    private void StopQuietly()
    {
        try { Stop(); }
        catch (ShippyarException) { /* the start's own failure is the news */ }
    }

    public void Dispose() => StopQuietly();
}
