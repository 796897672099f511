using ShippyarDr.Sandbox;
using ShippyarDr.Wal;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>Real WAL segments of a sandbox: some WAL written, the segment switched, the finished segment copied out of pg_wal.</summary>
public static class WalSegments
{
    /// <summary>Writes WAL, switches to the next segment and returns the name of the segment that was finished.</summary>
    public static string Switch(PostgresSandbox sandbox, int rows = 1000)
    {
        sandbox.Execute("postgres", $"CREATE TABLE IF NOT EXISTS wal_filler (x int); INSERT INTO wal_filler SELECT generate_series(1, {rows})");
        return sandbox.QueryScalar("postgres", "SELECT pg_walfile_name(pg_switch_wal())")!;
    }

    /// <summary>Switches and copies the finished segment into <paramref name="directory"/> under its own name; returns the copy's path.</summary>
    public static string SwitchAndCopy(PostgresSandbox sandbox, string directory, int rows = 1000)
    {
        var name = Switch(sandbox, rows);
        var copy = Path.Combine(directory, name);
        File.Copy(Path.Combine(sandbox.DataDirectory, "pg_wal", name), copy, overwrite: true);
        return copy;
    }

    public static ClusterIdentity Identity(PostgresSandbox sandbox) => ClusterIdentity.FromDataDirectory(sandbox.DataDirectory);
}
