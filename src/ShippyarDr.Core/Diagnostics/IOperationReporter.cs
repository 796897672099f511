namespace ShippyarDr.Diagnostics;

/// <summary>
/// How the engine tells its host what it is doing. The engine calls it only on the thread that called the
/// engine, so a cmdlet can forward to WriteProgress/WriteVerbose directly.
/// </summary>
public interface IOperationReporter
{
    void Progress(string activity, string status, int percentComplete = -1);
    void Verbose(string message);
    void Warning(string message);
    /// <summary>A failure that did not stop the operation (one repository of several); the host reports it as an error.</summary>
    void Error(ShippyarException error);
}

/// <summary>Reports nothing; for callers that do not care (tests, nested operations).</summary>
public sealed class NullReporter : IOperationReporter
{
    public static readonly NullReporter Instance = new();
    public void Progress(string activity, string status, int percentComplete = -1) { }
    public void Verbose(string message) { }
    public void Warning(string message) { }
    public void Error(ShippyarException error) { }
}
