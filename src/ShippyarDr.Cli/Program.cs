using System.Runtime.InteropServices;
using ShippyarDr.Cli;
using ShippyarDr.Cli.Commands;
using ShippyarDr.Diagnostics;

// Dispatch only: each command binds its own arguments and calls the engine. Every failure becomes an exit code up to
// 125 here: an exception escaping Main would abort the runtime (SIGABRT), which PostgreSQL takes as fatal.
using var cancel = new CancellationTokenSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
var reporter = new ConsoleReporter(verbose: false);
try
{
    var rest = args.Skip(1).ToList();
    return args.FirstOrDefault() switch
    {
        WalPushCommand.Name => WalPushCommand.Run(rest, cancel.Token),
        WalFetchCommand.Name => WalFetchCommand.Run(rest, cancel.Token),
        AsyncWalPushCommand.WorkerName => AsyncWalPushCommand.RunWorker(rest, cancel.Token),
        AsyncWalFetchCommand.WorkerName => AsyncWalFetchCommand.RunWorker(rest, cancel.Token),
        "--version" or "version" => Print($"shippyar-dr {typeof(ExitCodes).Assembly.GetName().Version?.ToString(3)}"),
        "--help" or "-h" or "help" or null => Print(HelpText.Text, ExitCodes.Success),
        var other => throw new CliUsageException($"Unknown command '{other}'.\n{HelpText.Text}"),
    };
}
catch (CliUsageException e)
{
    reporter.Write("ERROR: ", e.Message);
    return ExitCodes.Usage;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    reporter.Write("ERROR: ", "stopped by a signal; nothing was left half-written.");
    return ExitCodes.Interrupted;
}
catch (Exception e) when (EngineErrors.Translate(e) is { } known)
{
    reporter.Error(known);
    return ExitCodes.For(known);
}
catch (Exception e)
{
    reporter.Write("ERROR: ", $"unexpected failure ({e.GetType().Name}): {e.Message} [{ErrorIds.UnexpectedError}]");
    return e is IOException or UnauthorizedAccessException ? ExitCodes.LocalFile : ExitCodes.Unexpected;
}

void Stop(PosixSignalContext context)
{
    // Unwind (pending objects are discarded) rather than die by the signal.
    context.Cancel = true;
    cancel.Cancel();
    // A call that does not look at the token (a stalled store) must not keep a shutting-down server waiting.
    _ = Task.Delay(TimeSpan.FromSeconds(5)).ContinueWith(_ => Environment.Exit(ExitCodes.Interrupted), TaskScheduler.Default);
}

static int Print(string text, int code = ExitCodes.Success)
{
    Console.Out.WriteLine(text);
    return code;
}
