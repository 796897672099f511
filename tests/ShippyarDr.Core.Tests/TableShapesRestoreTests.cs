using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Repository;
using ShippyarDr.Restore;
using ShippyarDr.Verification;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// Table inheritance and declarative partitioning: pg_dump copies each table's own rows (ONLY), and an FK on a
/// partitioned table is one dumped constraint with a clone per partition in the catalog.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TableShapesRestoreTests(SandboxFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Schema = """
        CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
        -- Inheritance: rows in the parent and in the child; SELECT FROM notes sees both, pg_dump copies each apart.
        CREATE TABLE notes (id int PRIMARY KEY, body text, created_at timestamptz NOT NULL DEFAULT now(),
                            customer_id int REFERENCES customers (id));
        CREATE TABLE urgent_notes (priority int NOT NULL) INHERITS (notes);
        INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 20) g;
        INSERT INTO notes (id, body, created_at, customer_id) SELECT g, 'n' || g, '2025-01-01'::timestamptz + g * interval '1 hour', 1 + g % 20 FROM generate_series(1, 30) g;
        -- A child row whose customer does not exist: FKs are not inherited, so this breaks nothing.
        INSERT INTO urgent_notes (id, body, created_at, customer_id, priority) SELECT 100 + g, 'u' || g, '2026-06-01', 9999, g FROM generate_series(1, 7) g;
        -- Partitioned, with an FK to another table (cloned onto every partition) and an FK pointing at it.
        CREATE TABLE events (id int NOT NULL, at timestamptz NOT NULL, customer_id int NOT NULL REFERENCES customers (id),
                             PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
        CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        INSERT INTO events SELECT g, '2025-06-01'::timestamptz + g * interval '1 day', 1 + g % 20 FROM generate_series(1, 400) g;
        CREATE TABLE event_refs (id int PRIMARY KEY, event_id int, event_at timestamptz, FOREIGN KEY (event_id, event_at) REFERENCES events (id, at));
        INSERT INTO event_refs SELECT g, g, '2025-06-01'::timestamptz + g * interval '1 day' FROM generate_series(1, 50) g;
        """;

    private string CreateSource()
    {
        var name = fixture.UniqueName("shapes");
        fixture.Sandbox.Execute("postgres", $"CREATE DATABASE {name}");
        fixture.Sandbox.Execute(name, Schema);
        return name;
    }

    [Fact]
    public void Inheritance_and_partitioned_tables_verify_and_restore_with_ONLY_counts()
    {
        var source = CreateSource();
        var repo = new FileSystemRepository(_dir.Path);
        var backup = new BackupEngine().Run(new BackupRequest { Database = source, Connection = fixture.Sandbox.Connection }, repo);
        Assert.Equal(30, backup.Tables.Single(t => t.Name == "notes").Rows);
        Assert.Equal(7, backup.Tables.Single(t => t.Name == "urgent_notes").Rows);

        var verified = new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Restore, Connection = fixture.Sandbox.Connection }, repo);
        Assert.True(verified.Passed, string.Join("\n", verified.Checks));
        Assert.Equal("30 restored, 30 in the backup", verified.Checks.Single(c => c.Name == "Rows public.notes").Detail);
        // One check per constraint as declared, none for the partitions' clones.
        var fkChecks = verified.Checks.Where(c => c.Name.StartsWith("Foreign key public.", StringComparison.Ordinal)).Select(c => c.Name).ToList();
        Assert.Equal(new[] { "Foreign key public.event_refs event_refs_event_id_event_at_fkey", "Foreign key public.events events_customer_id_fkey",
            "Foreign key public.notes notes_customer_id_fkey" }, fkChecks.Order(StringComparer.Ordinal));
        Assert.Equal($"{backup.ForeignKeys.Count} of {backup.ForeignKeys.Count}", verified.Checks.Single(c => c.Name == "Foreign keys present").Detail);
        Assert.Equal(3, backup.ForeignKeys.Count);

        var target = fixture.UniqueName("shapes_copy");
        var restored = new RestoreEngine().Run(new RestoreRequest { Backup = backup, TargetDatabase = target, Connection = fixture.Sandbox.Connection }, repo);
        Assert.True(restored.Passed);
        foreach (var table in new[] { "customers", "notes", "urgent_notes", "events_2025", "events_2026", "event_refs" })
        {
            var only = fixture.Sandbox.QueryScalar(source, $"SELECT count(*) FROM ONLY {table}");
            Assert.Equal(only, fixture.Sandbox.QueryScalar(target, $"SELECT count(*) FROM ONLY {table}"));
            Assert.Equal(long.Parse(only!), restored.Tables.Single(t => t.Table == "public." + table).RestoredRows);
        }
        // The newest created_at is the parent's own, not its child's.
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 6, 0, 0, TimeSpan.Zero), restored.Tables.Single(t => t.Table == "public.notes").LatestCreatedAt);
        Assert.Equal("37", fixture.Sandbox.QueryScalar(target, "SELECT count(*) FROM notes"));
    }
}
