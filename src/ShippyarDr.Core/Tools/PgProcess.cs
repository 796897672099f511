using System.Diagnostics;
using System.Text;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Tools;

/// <summary>
/// A running PostgreSQL client program. Connection settings and the password travel only in its environment
/// (see PgConnectionInfo.ToEnvironment); the argument list carries options alone. Cancelling the token kills the
/// process tree, which is how a cmdlet's StopProcessing (Ctrl+C) stops a dump or restore at once; and the tool dies
/// with this process when it is killed outright (see ChildProcesses).
/// </summary>
public sealed class PgProcess : IDisposable
{
    private const int StderrLimit = 64 * 1024;
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;
    private readonly CancellationTokenRegistration _cancelRegistration;

    private PgProcess(Process process, CancellationToken cancel)
    {
        _process = process;
        _stderrPump = Task.Run(PumpStderr);
        _cancelRegistration = cancel.Register(Kill);
    }

    public PgTool Tool { get; private init; } = null!;

    public Stream StandardOutput => _process.StandardOutput.BaseStream;
    public Stream StandardInput => _process.StandardInput.BaseStream;

    public static PgProcess Start(PgTool tool, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment,
        bool redirectInput = false, bool redirectOutput = false, CancellationToken cancel = default)
    {
        cancel.ThrowIfCancellationRequested();
        var psi = ChildProcesses.StartInfo(tool.Path);
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = redirectInput;
        psi.RedirectStandardOutput = redirectOutput;
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        try
        {
            var process = ChildProcesses.Start(psi);
            if (redirectOutput) PipeCapacity.TryWiden(process.StandardOutput.BaseStream);
            return new PgProcess(process, cancel) { Tool = tool };
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new ShippyarException(ShippyarErrorKind.ResourceUnavailable, ErrorIds.PgToolStartFailed,
                $"Could not start {tool.Path}: {e.Message}", tool.Name, e);
        }
    }

    /// <summary>Waits for exit and returns the captured stderr; a non-zero exit becomes a ShippyarException.</summary>
    public string WaitForSuccess(string whatFailed, string errorId = ErrorIds.PgToolFailed, CancellationToken cancel = default)
    {
        var code = WaitForExit(cancel);
        var stderr = Stderr;
        if (code != 0)
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, errorId,
                $"{whatFailed}: {Tool.Name} exited with code {code}. {Summarize(stderr)}".TrimEnd(), Tool.Name);
        return stderr;
    }

    public int WaitForExit(CancellationToken cancel = default)
    {
        _process.WaitForExitAsync(cancel).GetAwaiter().GetResult();
        _stderrPump.GetAwaiter().GetResult();
        cancel.ThrowIfCancellationRequested();
        return _process.ExitCode;
    }

    public string Stderr
    {
        get { lock (_stderr) return SecretRedactor.Redact(_stderr.ToString()); }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The tool's own process id (setpriv execs it in place).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Whether the process ends within <paramref name="wait"/> (without killing it).</summary>
    public bool ExitsWithin(TimeSpan wait) => _process.WaitForExit(wait);

    public void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { /* already gone */ }
    }

    private async Task PumpStderr()
    {
        var buffer = new char[4096];
        int n;
        while ((n = await _process.StandardError.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false)) > 0)
        {
            lock (_stderr)
            {
                _stderr.Append(buffer, 0, n);
                // Keep the tail: the last lines say why a tool failed.
                if (_stderr.Length > StderrLimit) _stderr.Remove(0, _stderr.Length - StderrLimit);
            }
        }
    }

    /// <summary>The meaningful part of a tool's stderr for an error message: its error lines, or its last lines.</summary>
    public static string Summarize(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var errors = lines.Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.Contains("FATAL", StringComparison.Ordinal)).ToList();
        var chosen = errors.Count > 0 ? errors : lines.ToList();
        return string.Join(" ", chosen.TakeLast(5));
    }

    public void Dispose()
    {
        _cancelRegistration.Dispose();
        Kill();
        _process.Dispose();
    }
}
