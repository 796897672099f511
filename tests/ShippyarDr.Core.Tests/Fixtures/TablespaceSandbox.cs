using ShippyarDr.Cluster;
using ShippyarDr.Sandbox;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>
/// A cluster of its own for the base backup tests, with a real tablespace (a directory the server account owns, outside
/// the data directory): a small sample database, a table of it in the tablespace, and a database whose default
/// tablespace it is. Stopped and deleted (tablespace directory too) at the end.
/// </summary>
public sealed class TablespaceSandbox : IDisposable
{
    public const string TablespaceName = "shippyar_ts";
    public const string TablespaceDatabase = "ts_db";

    public TablespaceSandbox()
    {
        Sandbox = PostgresSandbox.Start();
        try
        {
            TablespaceDirectory = Path.Combine(Sandbox.RootDirectory, "tablespace");
            Directory.CreateDirectory(TablespaceDirectory);
            ServerAccount.Default.GiveOwnership(TablespaceDirectory);
            Sandbox.Execute("postgres", $"CREATE TABLESPACE {TablespaceName} LOCATION '{TablespaceDirectory}'");
            Sandbox.CreateSampleDatabase(SandboxFixture.SampleDatabase, 0.02);
            Sandbox.Execute(SandboxFixture.SampleDatabase,
                $"CREATE TABLE archived_orders TABLESPACE {TablespaceName} AS SELECT * FROM orders; CREATE INDEX ON archived_orders (id) TABLESPACE {TablespaceName}");
            Sandbox.Execute("postgres", $"CREATE DATABASE {TablespaceDatabase} TABLESPACE {TablespaceName}");
            Sandbox.Execute(TablespaceDatabase, "CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes SELECT g, md5(g::text) FROM generate_series(1, 2000) g");
        }
        catch
        {
            Sandbox.Dispose();
            throw;
        }
    }

    public PostgresSandbox Sandbox { get; }
    public string TablespaceDirectory { get; } = "";

    public uint TablespaceOid => uint.Parse(Sandbox.QueryScalar("postgres", $"SELECT oid FROM pg_tablespace WHERE spcname = '{TablespaceName}'")!);

    public void Dispose() => Sandbox.Dispose();
}
