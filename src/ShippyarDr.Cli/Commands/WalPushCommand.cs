using ShippyarDr.Wal;

namespace ShippyarDr.Cli.Commands;

/// <summary>archive_command = 'shippyar-dr wal-push %p --repository …': archives one file; exit 0 only once it is durably stored.</summary>
public static class WalPushCommand
{
    public const string Name = "wal-push";
    public const string Usage = "shippyar-dr wal-push <file (%p)> [--repository <name | /absolute/directory | s3://bucket/prefix>] [options]";

    private static readonly string[] Options = [.. RepositoryResolver.Options, .. KeySources.PushOptions, "pg-data", .. AsyncOptions.PushOptions];
    private static readonly string[] Flags = [.. RepositoryResolver.Flags, "verbose", "async"];

    public static CliArguments ParseArguments(IReadOnlyList<string> argv) => CliArguments.Parse(argv, Options, Flags, KeySources.Repeatable);

    public static int Run(IReadOnlyList<string> argv, CancellationToken cancel)
    {
        var args = ParseArguments(argv);
        if (args.Positionals.Count != 1) throw new CliUsageException($"{Name} takes one file, the %p PostgreSQL passes: {Usage}");
        var reporter = new ConsoleReporter(args.Has("verbose"));
        var cluster = ClusterIdentity.FromDataDirectory(args.Get("pg-data") ?? Environment.CurrentDirectory);
        var source = Path.GetFullPath(args.Positionals[0]);
        if (args.Has("async")) return AsyncWalPushCommand.Run(argv, args, source, cluster, reporter, cancel);
        var settings = RepositoryResolver.Resolve(args, reporter);
        var (storage, signing) = KeySources.ForPush(args, settings, reporter);
        var repository = RepositoryResolver.Open(args, settings);
        try
        {
            var result = new WalPusher(repository, reporter).Push(new WalPushRequest { SourcePath = source, Cluster = cluster, Storage = storage, Signing = signing }, cancel);
            reporter.Verbose($"{result.Name}: {result.Outcome} ({result.Duration.TotalMilliseconds:F0} ms).");
            return ExitCodes.Success;
        }
        finally
        {
            (repository as IDisposable)?.Dispose();
        }
    }
}
