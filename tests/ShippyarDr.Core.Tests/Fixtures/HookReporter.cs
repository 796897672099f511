using ShippyarDr.Diagnostics;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>
/// A reporter that records what the engine says and runs <see cref="OnMatch"/> on the engine's own thread when a
/// progress status or a verbose message starts with <see cref="Prefix"/>: to pause a run at a known point (a
/// barrier), to make it die there (throw), or to do something in between two of its steps.
/// </summary>
public sealed class HookReporter(string prefix, Action onMatch) : IOperationReporter
{
    public HookReporter() : this("\0never", () => { }) { }

    public string Prefix { get; } = prefix;
    public Action OnMatch { get; } = onMatch;
    public List<string> Warnings { get; } = new();
    public List<string> Verbose { get; } = new();

    public void Progress(string activity, string status, int percentComplete = -1) => Hook(status);

    void IOperationReporter.Verbose(string message)
    {
        lock (Verbose) Verbose.Add(message);
        Hook(message);
    }

    public void Warning(string message) { lock (Warnings) Warnings.Add(message); }
    public void Error(ShippyarException error) { }

    private void Hook(string text)
    {
        if (text.StartsWith(Prefix, StringComparison.Ordinal)) OnMatch();
    }
}
