using System.Collections.Concurrent;
using System.Diagnostics;

namespace ShippyarDr.Tools;

/// <summary>
/// Starts the PostgreSQL tools so that they die with this process, also when it is killed (SIGKILL, SIGTERM) and
/// cancellation never runs: an orphaned pg_dump keeps its snapshot and its locks until it next writes, which for
/// one waiting on a lock can be hours. On Linux each tool starts through <c>setpriv --pdeathsig KILL --</c>, which
/// sets the parent-death signal and execs the tool (same pid, so killing the process tree still works). Linux
/// sends that signal when the *thread* that forked the child ends, not the process, so every start is made on one
/// thread that lives as long as the process: a start from a pool thread would kill the tool when the pool retires
/// that thread. Without setpriv (other systems, minimal images) tools start directly, as before.
/// </summary>
internal static class ChildProcesses
{
    private static readonly string? Setpriv = FindSetpriv();
    private static readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Started)> Requests = new();

    static ChildProcesses()
    {
        if (Setpriv is null) return;
        // A background thread: it never keeps the process alive, and ends only with it.
        new Thread(Spawn) { IsBackground = true, Name = "ShippyarDr child processes" }.Start();
    }

    /// <summary>Whether started tools die with this process (Linux with util-linux setpriv).</summary>
    public static bool DieWithParent => Setpriv is not null;

    /// <summary>A start of <paramref name="program"/>; add arguments with <see cref="ProcessStartInfo.ArgumentList"/>.</summary>
    public static ProcessStartInfo StartInfo(string program)
    {
        if (Setpriv is null) return new ProcessStartInfo(program) { UseShellExecute = false };
        var psi = new ProcessStartInfo(Setpriv) { UseShellExecute = false };
        foreach (var a in new[] { "--pdeathsig", "KILL", "--", program }) psi.ArgumentList.Add(a);
        return psi;
    }

    public static Process Start(ProcessStartInfo psi)
    {
        if (Setpriv is null) return Process.Start(psi) ?? throw new InvalidOperationException("no process");
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((psi, started));
        return started.Task.GetAwaiter().GetResult();
    }

    private static void Spawn()
    {
        foreach (var (info, started) in Requests.GetConsumingEnumerable())
        {
            try { started.SetResult(Process.Start(info) ?? throw new InvalidOperationException("no process")); }
            catch (Exception e) { started.SetException(e); }
        }
    }

    private static string? FindSetpriv()
    {
        if (!OperatingSystem.IsLinux()) return null;
        var path = new[] { "/usr/bin/setpriv", "/bin/setpriv" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "setpriv")))
            .FirstOrDefault(File.Exists);
        if (path is null) return null;
        try
        {
            // --pdeathsig arrived in util-linux 2.33; an older setpriv would refuse every start.
            var psi = new ProcessStartInfo(path, "--help") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            var help = p.StandardOutput.ReadToEndAsync();
            p.StandardError.ReadToEnd();
            p.WaitForExit(10_000);
            return help.Result.Contains("--pdeathsig", StringComparison.Ordinal) ? path : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return null;
        }
    }
}
