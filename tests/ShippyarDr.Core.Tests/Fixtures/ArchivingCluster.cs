using ShippyarDr.Sandbox;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>
/// A cluster of its own whose archive_command is the built shippyar-dr, exactly as a DBA configures it: PostgreSQL runs
/// it through the shell, as the server's OS account, in the data directory, for every finished segment.
/// </summary>
public class ArchivingCluster : IDisposable
{
    private readonly TempDirectory _repository = ShippyarCli.ServerOwnedDirectory("shippyar-wal-archive-");
    private readonly TempDirectory _spool = ShippyarCli.ServerOwnedDirectory("shippyar-wal-spool-");

    public ArchivingCluster() : this(async: false) { }

    protected ArchivingCluster(bool async)
    {
        var mode = async ? $" --async --spool-directory \"{Spool}\" --verbose" : "";
        try
        {
            Sandbox = PostgresSandbox.Start(settings: new Dictionary<string, string>
            {
                ["archive_mode"] = "on",
                ["archive_command"] = $"'\"{ShippyarCli.Path}\" wal-push %p --repository \"{Repository}\"{mode}'",
                ["wal_level"] = "replica",
            });
        }
        catch
        {
            _repository.Dispose();
            _spool.Dispose();
            throw;
        }
    }

    public string Spool => _spool.Path;

    public PostgresSandbox Sandbox { get; }
    public string Repository => _repository.Path;

    /// <summary>Waits until PostgreSQL reports <paramref name="segment"/> (or a later one) archived; returns pg_stat_archiver's counts.</summary>
    public (long Archived, long Failed) WaitArchived(string segment, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var row = Sandbox.QueryScalar("postgres", "SELECT archived_count || ' ' || failed_count || ' ' || coalesce(last_archived_wal, '') FROM pg_stat_archiver")!.Split(' ');
            if (string.CompareOrdinal(row[2], segment) >= 0) return (long.Parse(row[0]), long.Parse(row[1]));
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{segment} was not archived within the timeout (pg_stat_archiver: {string.Join(' ', row)}); server log:\n{Tail(Sandbox.LogFile)}");
            Thread.Sleep(100);
        }
    }

    public static string Tail(string file) => File.Exists(file) ? string.Join('\n', File.ReadLines(file).TakeLast(30)) : "(no log)";

    public void Dispose()
    {
        Sandbox.Dispose();
        _repository.Dispose();
        _spool.Dispose();
    }
}

/// <summary>The same, with archive_command in the asynchronous mode (a background pusher, a spool).</summary>
public sealed class AsyncArchivingCluster() : ArchivingCluster(async: true);
