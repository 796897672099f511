using ShippyarDr.Wal;
using ShippyarDr.Wal.Async;

namespace ShippyarDr.Cli.Commands;

/// <summary>wal-fetch --async: hands over a prefetched segment when the spool holds one, else fetches it; then keeps the prefetcher ahead.</summary>
public static class AsyncWalFetchCommand
{
    public const string WorkerName = "wal-fetch-worker";

    public static WalFetchResult Run(IReadOnlyList<string> argv, CliArguments args, Repository.IBackupRepository repository, WalFetchRequest request,
        ConsoleReporter reporter, CancellationToken cancel)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var name = WalFileName.Parse(request.Name);
        var fetcher = new WalFetcher(repository, reporter);
        var prefetcher = Prefetcher(args, request.Cluster, fetcher, reporter);
        WalFetchResult result;
        if (name.IsSegment && prefetcher.TryTake(name, request.Destination))
            result = new WalFetchResult { Name = name.Name, Outcome = ShippyarDr.WalFetchOutcome.Fetched, Repository = repository.Location, Duration = clock.Elapsed };
        else result = fetcher.Fetch(request, cancel);
        if (result.Outcome == ShippyarDr.WalFetchOutcome.Fetched && name.IsSegment
            && !prefetcher.IsAhead(name, fetcher.RequireArchive(request.Cluster).WalSegmentSize) && !new WalSpool(AsyncOptions.SpoolDirectory(args), request.Cluster.SystemIdentifier).IsLocked(WalPrefetcher.LockName))
            AsyncOptions.StartDetached(WorkerName, argv);
        return result;
    }

    /// <summary>The prefetcher, started by a foreground wal-fetch with its arguments: fetches the segments after the one it handed over.</summary>
    public static int RunWorker(IReadOnlyList<string> argv, CancellationToken cancel)
    {
        var args = WalFetchCommand.ParseArguments(argv);
        var reporter = new ConsoleReporter(args.Has("verbose"));
        var cluster = ClusterIdentity.FromDataDirectory(args.Get("pg-data") ?? Environment.CurrentDirectory);
        var settings = RepositoryResolver.Resolve(args, reporter);
        var repository = RepositoryResolver.Open(args, settings);
        try
        {
            var fetcher = new WalFetcher(repository, reporter);
            var fetched = Prefetcher(args, cluster, fetcher, reporter).Run(cluster, WalFileName.Parse(args.Positionals[0]), KeySources.ForFetch(args, settings, reporter), cancel);
            if (fetched >= 0) reporter.Verbose($"Prefetched {fetched} segments after {args.Positionals[0]}.");
            return ExitCodes.Success;
        }
        finally
        {
            (repository as IDisposable)?.Dispose();
        }
    }

    private static WalPrefetcher Prefetcher(CliArguments args, ClusterIdentity cluster, WalFetcher fetcher, ConsoleReporter reporter)
        => new(new WalSpool(AsyncOptions.SpoolDirectory(args), cluster.SystemIdentifier), fetcher, reporter) { Depth = args.GetInt("async-queue-max", 1, 1000) ?? 8 };
}
