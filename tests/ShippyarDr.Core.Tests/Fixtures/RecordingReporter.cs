using ShippyarDr.Diagnostics;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>Keeps the warnings and errors the engine reports, for tests to look at.</summary>
public sealed class RecordingReporter : IOperationReporter
{
    public List<string> Warnings { get; } = new();
    public List<ShippyarException> Errors { get; } = new();
    public void Progress(string activity, string status, int percentComplete = -1) { }
    public void Verbose(string message) { }
    public void Warning(string message) => Warnings.Add(message);
    public void Error(ShippyarException error) => Errors.Add(error);
}
