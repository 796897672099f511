using ShippyarDr.Diagnostics;

namespace ShippyarDr.Cli;

/// <summary>
/// The engine's reports on stderr, which PostgreSQL writes into its log (archive_command's and restore_command's
/// output), one line each, prefixed so a DBA can grep the log. Verbose lines only with --verbose; progress never
/// (a log is no terminal).
/// </summary>
public sealed class ConsoleReporter : IOperationReporter
{
    private readonly TextWriter _out;
    private readonly bool _verbose;

    public ConsoleReporter(bool verbose, TextWriter? output = null) => (_verbose, _out) = (verbose, output ?? Console.Error);

    public void Progress(string activity, string status, int percentComplete = -1) { }

    public void Verbose(string message)
    {
        if (_verbose) Write("", message);
    }

    public void Warning(string message) => Write("WARNING: ", message);

    public void Error(ShippyarException error) => Write("ERROR: ", $"{error.Message} [{error.ErrorId}]");

    public void Write(string level, string message)
    {
        lock (_out) _out.WriteLine($"shippyar-dr: {level}{SecretRedactor.Redact(message).ReplaceLineEndings(" ")}");
    }
}
