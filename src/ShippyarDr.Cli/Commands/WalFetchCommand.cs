using ShippyarDr.Wal;

namespace ShippyarDr.Cli.Commands;

/// <summary>restore_command = 'shippyar-dr wal-fetch %f %p --repository …': exit 0 with the checked file in place, 1 when the archive does not hold it.</summary>
public static class WalFetchCommand
{
    public const string Name = "wal-fetch";
    public const string Usage = "shippyar-dr wal-fetch <name (%f)> <destination (%p)> [--repository <name | /absolute/directory | s3://bucket/prefix>] [options]";

    private static readonly string[] Options = [.. RepositoryResolver.Options, .. KeySources.FetchOptions, "pg-data", .. AsyncOptions.FetchOptions];
    private static readonly string[] Flags = [.. RepositoryResolver.Flags, .. KeySources.FetchFlags, "verbose", "async"];

    public static CliArguments ParseArguments(IReadOnlyList<string> argv) => CliArguments.Parse(argv, Options, Flags);

    public static int Run(IReadOnlyList<string> argv, CancellationToken cancel)
    {
        var args = ParseArguments(argv);
        if (args.Positionals.Count != 2) throw new CliUsageException($"{Name} takes the name and the destination PostgreSQL passes (%f %p): {Usage}");
        var reporter = new ConsoleReporter(args.Has("verbose"));
        var cluster = ClusterIdentity.FromDataDirectory(args.Get("pg-data") ?? Environment.CurrentDirectory);
        var settings = RepositoryResolver.Resolve(args, reporter);
        var request = new WalFetchRequest
        {
            Name = args.Positionals[0], Destination = Path.GetFullPath(args.Positionals[1]), Cluster = cluster, Keys = KeySources.ForFetch(args, settings, reporter),
        };
        var repository = RepositoryResolver.Open(args, settings);
        try
        {
            var result = args.Has("async")
                ? AsyncWalFetchCommand.Run(argv, args, repository, request, reporter, cancel)
                : new WalFetcher(repository, reporter).Fetch(request, cancel);
            reporter.Verbose($"{result.Name}: {result.Outcome} ({result.Duration.TotalMilliseconds:F0} ms).");
            return result.Outcome == ShippyarDr.WalFetchOutcome.Fetched ? ExitCodes.Success : ExitCodes.NotInArchive;
        }
        finally
        {
            (repository as IDisposable)?.Dispose();
        }
    }
}
