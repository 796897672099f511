using ShippyarDr.Diagnostics;
using ShippyarDr.Wal;
using ShippyarDr.Wal.Async;

namespace ShippyarDr.Cli.Commands;

/// <summary>wal-push --async: waits for the background pusher's confirmation (starting it when none runs); the worker command is that pusher.</summary>
public static class AsyncWalPushCommand
{
    public const string WorkerName = "wal-push-worker";

    public static int Run(IReadOnlyList<string> argv, CliArguments args, string source, ClusterIdentity cluster, ConsoleReporter reporter, CancellationToken cancel)
    {
        var spool = new WalSpool(AsyncOptions.SpoolDirectory(args), cluster.SystemIdentifier);
        var result = AsyncWalPush.Wait(spool, source, args.GetDuration("async-timeout") ?? AsyncWalPush.DefaultTimeout,
            () => AsyncOptions.StartDetached(WorkerName, argv), reporter, cancel);
        reporter.Verbose($"{result.Name}: {result.Outcome} by the background pusher ({result.Duration.TotalMilliseconds:F0} ms waited).");
        return ExitCodes.Success;
    }

    /// <summary>The background pusher, started by a foreground wal-push with its own arguments.</summary>
    public static int RunWorker(IReadOnlyList<string> argv, CancellationToken cancel)
    {
        var args = WalPushCommand.ParseArguments(argv);
        var reporter = new ConsoleReporter(args.Has("verbose"));
        var dataDirectory = Path.GetFullPath(args.Get("pg-data") ?? Environment.CurrentDirectory);
        var cluster = ClusterIdentity.FromDataDirectory(dataDirectory);
        var settings = RepositoryResolver.Resolve(args, reporter);
        var (storage, signing) = KeySources.ForPush(args, settings, reporter);
        var repository = RepositoryResolver.Open(args, settings);
        try
        {
            var pusher = new WalPusher(repository, reporter);
            var worker = new WalPushWorker(new WalSpool(AsyncOptions.SpoolDirectory(args), cluster.SystemIdentifier),
                path => pusher.Push(new WalPushRequest { SourcePath = path, Cluster = cluster, Storage = storage, Signing = signing }, cancel), reporter)
            {
                Parallel = args.GetInt("async-processes", 1, 32) ?? 2,
                LookAhead = args.GetInt("async-queue-max", 1, 10_000) ?? 64,
            };
            var stored = worker.Run(dataDirectory, cancel);
            if (stored >= 0) reporter.Verbose($"Background pusher done: {stored} files stored.");
            return ExitCodes.Success;
        }
        finally
        {
            (repository as IDisposable)?.Dispose();
        }
    }
}
