using ShippyarDr.Audit;
using ShippyarDr.Configuration;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// The audit trail on real stores: a catalog database in the sandbox (created on first use, also by two writers at
/// once), the JSON-lines log in a directory and in s3rver, and stores that fail: the operation goes on, the record
/// waits in the spool and goes out with the next record the store takes.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AuditTrailTests(SandboxFixture fixture, S3Server s3) : IClassFixture<S3Server>, IDisposable
{
    private readonly TempDirectory _dir = new("shippyar-audit-");
    private AuditSpool Spool => new(Path.Combine(_dir.Path, "spool"));

    public void Dispose() => _dir.Dispose();

    private static AuditRecord Record(AuditOperation operation, DateTimeOffset at, AuditStatus status = AuditStatus.Succeeded, string? database = "shop",
        BackupTier? tier = BackupTier.Daily) => new()
    {
        Operation = operation, BackupId = "20261201T101500Z-ab12", BackupFile = "/srv/repo/backup/db/shop/20261201T101500Z-ab12/", Size = 123_456,
        Duration = TimeSpan.FromSeconds(3.5), Status = status, Error = status == AuditStatus.Failed ? "pg_dump failed" : null,
        PerformedBy = AuditScope.PerformedBy("backup_role"), CreatedAt = at, Server = "127.0.0.1:5432", Database = database, Tier = tier,
    };

    private string NewCatalogDatabase()
    {
        var name = fixture.UniqueName("audit");
        fixture.Sandbox.Execute("postgres", $"CREATE DATABASE \"{name}\"");
        return name;
    }

    private static void AssertSame(AuditRecord expected, AuditRecord actual)
    {
        Assert.Equal(expected with { Store = null, CreatedAt = default, Duration = default }, actual with { Store = null, CreatedAt = default, Duration = default });
        Assert.Equal(expected.CreatedAt.ToUnixTimeMilliseconds(), actual.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(expected.Duration.TotalMilliseconds, actual.Duration.TotalMilliseconds, 3);
    }

    private static void ReadsBackWithFilters(IAuditStore store)
    {
        var t0 = new DateTimeOffset(2026, 10, 30, 8, 0, 0, TimeSpan.Zero);
        var backup = Record(AuditOperation.Backup, t0);
        var failed = Record(AuditOperation.Backup, t0.AddDays(3), AuditStatus.Failed, database: "crm");
        var verify = Record(AuditOperation.Verify, t0.AddDays(10));
        var weekly = Record(AuditOperation.Restore, t0.AddDays(33), database: null, tier: BackupTier.Weekly);
        foreach (var r in new[] { verify, backup, weekly, failed }) store.Append(r);

        var all = store.Read(new AuditQuery());
        Assert.Equal(new[] { weekly.Id, verify.Id, failed.Id, backup.Id }, all.Select(r => r.Id));
        AssertSame(failed, all.Single(r => r.Id == failed.Id));
        Assert.All(all, r => Assert.Equal(store.Key, r.Store));
        Assert.Equal(new[] { failed.Id }, store.Read(new AuditQuery { Statuses = [AuditStatus.Failed] }).Select(r => r.Id));
        Assert.Equal(new[] { failed.Id, backup.Id }, store.Read(new AuditQuery { Operations = [AuditOperation.Backup] }).Select(r => r.Id));
        Assert.Equal(new[] { failed.Id }, store.Read(new AuditQuery { Databases = ["crm"] }).Select(r => r.Id));
        Assert.Equal(new[] { weekly.Id }, store.Read(new AuditQuery { Tiers = [BackupTier.Weekly] }).Select(r => r.Id));
        Assert.Equal(new[] { verify.Id, failed.Id }, store.Read(new AuditQuery { Since = t0.AddDays(1), Until = t0.AddDays(20) }).Select(r => r.Id));
        Assert.Equal(new[] { weekly.Id, verify.Id }, store.Read(new AuditQuery { Last = 2 }).Select(r => r.Id));
        // Sent twice (a spooled record whose first attempt arrived after all): still one record.
        store.Append(backup);
        Assert.Equal(4, store.Read(new AuditQuery()).Count);
    }

    [Fact]
    public void The_catalog_table_is_created_on_first_use_and_reads_back_every_column_with_filters()
    {
        var database = NewCatalogDatabase();
        Assert.Equal("False", fixture.Sandbox.QueryScalar(database, "SELECT to_regclass('shippyar_catalog.backup_audit') IS NOT NULL"));
        var store = new CatalogAuditStore(fixture.Sandbox.Connection, database);
        Assert.Empty(store.Read(new AuditQuery()));
        ReadsBackWithFilters(store);
        Assert.Equal("4", fixture.Sandbox.QueryScalar(database, "SELECT count(*) FROM shippyar_catalog.backup_audit"));
        Assert.Equal("interval", fixture.Sandbox.QueryScalar(database,
            "SELECT data_type FROM information_schema.columns WHERE table_schema = 'shippyar_catalog' AND table_name = 'backup_audit' AND column_name = 'duration'"));
    }

    [Fact]
    public void Writers_that_create_the_catalog_table_at_the_same_time_all_succeed()
    {
        var database = NewCatalogDatabase();
        var records = Enumerable.Range(0, 6).Select(i => Record(AuditOperation.Backup, DateTimeOffset.UtcNow.AddSeconds(i))).ToList();
        using var start = new Barrier(records.Count);
        var failures = new List<Exception>();
        var threads = records.Select(r => new Thread(() =>
        {
            start.SignalAndWait();
            try { new CatalogAuditStore(fixture.Sandbox.Connection, database).Append(r); }
            catch (Exception e) { lock (failures) failures.Add(e); }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(failures);
        Assert.Equal(records.Count.ToString(), fixture.Sandbox.QueryScalar(database, "SELECT count(*) FROM shippyar_catalog.backup_audit"));
    }

    [Fact]
    public void The_repository_log_keeps_one_object_per_record_under_audit_and_backups_listing_never_walks_it()
    {
        var repo = new FileSystemRepository(Directory.CreateDirectory(Path.Combine(_dir.Path, "repo")).FullName);
        var store = new RepositoryAuditStore(repo);
        ReadsBackWithFilters(store);
        var keys = repo.List("").ToList();
        Assert.Equal(4, keys.Count);
        Assert.All(keys, k => Assert.Matches(@"^audit/\d{4}/\d{2}/\d{8}T\d{13}Z-[0-9a-f]{32}\.json$", k));
        Assert.Contains(keys, k => k.StartsWith("audit/2026/11/", StringComparison.Ordinal));
        // One JSON line, with the catalog's column names.
        var text = File.ReadAllText(Path.Combine(repo.Location, keys[0]));
        Assert.EndsWith("}\n", text);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\"performed_by\":\"os:", text);
        Assert.Contains("\"operation\":\"", text);
        // A damaged object is a warning; the rest of the trail still reads.
        File.WriteAllText(Path.Combine(repo.Location, "audit", "2026", "11", "20261101T000000000000Z-00000000000000000000000000000000.json"), "{ not json");
        var reporter = new RecordingReporter();
        Assert.Equal(4, store.Read(new AuditQuery(), reporter).Count);
        Assert.Contains("is not a valid record", Assert.Single(reporter.Warnings));
        var contents = new BackupCatalog(repo).Scan();
        Assert.Empty(contents.Backups);
        Assert.Empty(contents.Unreadable);
        Assert.Empty(contents.Incomplete);
    }

    [Fact]
    public void The_repository_log_works_on_s3()
    {
        using var repo = new S3Repository(s3.Url("audit-" + Guid.NewGuid().ToString("n")[..8]), s3.Options());
        ReadsBackWithFilters(new RepositoryAuditStore(repo));
        Assert.All(repo.List(""), k => Assert.StartsWith("audit/", k));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_catalog_that_fails_gives_a_warning_the_record_waits_in_the_spool_and_goes_with_the_next_record()
    {
        var database = fixture.UniqueName("audit_later");
        var store = new CatalogAuditStore(fixture.Sandbox.Connection, database);
        var reporter = new RecordingReporter();
        var first = Record(AuditOperation.Backup, DateTimeOffset.UtcNow.AddMinutes(-5));

        Assert.False(new AuditTrail(reporter, Spool).Write(store, first));
        var warning = Assert.Single(reporter.Warnings);
        Assert.Contains(store.Key, warning);
        Assert.Contains(Spool.Directory, warning);
        var (file, spooled) = Assert.Single(Spool.Pending(store.Key));
        Assert.Equal(first.Id, spooled.Id);
        Assert.Equal("600", Convert.ToString((int)File.GetUnixFileMode(file), 8));
        Assert.Equal("700", Convert.ToString((int)File.GetUnixFileMode(Spool.Directory), 8));

        fixture.Sandbox.Execute("postgres", $"CREATE DATABASE \"{database}\"");
        var second = Record(AuditOperation.Verify, DateTimeOffset.UtcNow);
        Assert.True(new AuditTrail(reporter, Spool).Write(store, second));
        Assert.Single(reporter.Warnings);
        Assert.Empty(Spool.Pending(store.Key));
        Assert.Equal(new[] { second.Id, first.Id }, store.Read(new AuditQuery()).Select(r => r.Id));
    }

    [Fact]
    public void An_unreachable_catalog_is_a_warning_and_an_unwritable_repository_log_is_spooled_until_it_can_be_written()
    {
        var reporter = new RecordingReporter();
        var unreachable = new CatalogAuditStore(new Connection.PgConnectionInfo("127.0.0.1", FreePortNumber(), "postgres", null), "catalog");
        Assert.False(new AuditTrail(reporter, Spool).Write(unreachable, Record(AuditOperation.Backup, DateTimeOffset.UtcNow)));
        Assert.Single(Spool.Pending(unreachable.Key));

        // A file where the audit folder belongs: no write succeeds there (even as root).
        var root = Directory.CreateDirectory(Path.Combine(_dir.Path, "blocked")).FullName;
        File.WriteAllText(Path.Combine(root, "audit"), "in the way");
        var store = new RepositoryAuditStore(new FileSystemRepository(root));
        var first = Record(AuditOperation.Restore, DateTimeOffset.UtcNow.AddSeconds(-1));
        Assert.False(new AuditTrail(reporter, Spool).Write(store, first));
        Assert.Equal(2, reporter.Warnings.Count);
        Assert.Single(Spool.Pending(store.Key));

        File.Delete(Path.Combine(root, "audit"));
        var second = Record(AuditOperation.Backup, DateTimeOffset.UtcNow);
        Assert.True(new AuditTrail(reporter, Spool).Write(store, second));
        Assert.Equal(new[] { second.Id, first.Id }, store.Read(new AuditQuery()).Select(r => r.Id));
        Assert.Empty(Spool.Pending(store.Key));
        Assert.Single(Spool.Pending(unreachable.Key));
    }

    [Fact]
    public void A_real_backup_that_times_out_is_Failed_with_its_error_and_one_cancelled_while_it_waits_is_Cancelled()
    {
        var database = fixture.CloneSample("audit_locked");
        var repo = new FileSystemRepository(Directory.CreateDirectory(Path.Combine(_dir.Path, "locked")).FullName);
        var reporter = new RecordingReporter();
        using (var holder = Connection.PgSession.Open(fixture.Sandbox.Connection, database))
        {
            using (var cmd = new Npgsql.NpgsqlCommand("BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", holder)) cmd.ExecuteNonQuery();
            AuditRecord? Backup(TimeSpan lockWait, CancellationToken cancel) => AuditScope.Run(AuditOperation.Backup, reporter, s =>
            {
                s.Into(null, repo).Database = database;
                return new Backup.BackupEngine(reporter).Run(new Backup.BackupRequest
                {
                    Database = database, Connection = fixture.Sandbox.Connection, LockWaitTimeout = lockWait,
                }, repo, cancel) is { } b ? new AuditRecord { BackupId = b.Id } : null;
            }, cancel, Spool);

            var timedOut = Assert.Throws<ShippyarException>(() => Backup(TimeSpan.FromSeconds(1), CancellationToken.None));
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1.5));
            Assert.ThrowsAny<OperationCanceledException>(() => Backup(TimeSpan.FromMinutes(5), cancel.Token));

            var records = new RepositoryAuditStore(repo).Read(new AuditQuery());
            Assert.Equal(new[] { AuditStatus.Cancelled, AuditStatus.Failed }, records.Select(r => r.Status));
            Assert.Equal(timedOut.Message, records[1].Error);
            Assert.All(records, r => Assert.Equal(database, r.Database));
            Assert.InRange(records[0].Duration, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        }
        Assert.Empty(new BackupCatalog(repo).List());
        Assert.Empty(reporter.Warnings);
    }

    private static int FreePortNumber() => Cluster.FreePort.OnLoopback();

    [Fact]
    public void A_scope_records_success_failure_with_its_redacted_error_and_cancellation_but_not_refusals_or_work_not_done()
    {
        var repo = new FileSystemRepository(Directory.CreateDirectory(Path.Combine(_dir.Path, "scoped")).FullName);
        var store = new RepositoryAuditStore(repo);
        var reporter = new RecordingReporter();
        SecretRedactor.Register("Unguessable-Audit-Pw-42");

        Assert.Equal("done", AuditScope.Run(AuditOperation.Backup, reporter, s =>
        {
            s.Into(store).Login = "backup_role";
            s.Database = "shop";
            s.Size = 42;
            return "done";
        }, spool: Spool));
        Assert.Throws<ShippyarException>(() => AuditScope.Run<string>(AuditOperation.Restore, reporter, s =>
        {
            s.Into(store);
            throw new ShippyarException(ShippyarErrorKind.ConnectionError, ErrorIds.ConnectionFailed, "login with Unguessable-Audit-Pw-42 failed");
        }, spool: Spool));
        Assert.Throws<OperationCanceledException>(() => AuditScope.Run<string>(AuditOperation.Verify, reporter, s =>
        {
            s.Into(store);
            throw new OperationCanceledException();
        }, spool: Spool));
        Assert.Throws<ShippyarException>(() => AuditScope.Run<string>(AuditOperation.Backup, reporter, s =>
        {
            s.Into(store);
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidDatabaseName, "bad name");
        }, spool: Spool));
        Assert.Null(AuditScope.Run<string>(AuditOperation.Restore, reporter, s => { s.Into(store); return null; }, spool: Spool));
        AuditScope.Run(AuditOperation.Drill, reporter, s => { s.Into(store).Into(store).Fail("2 of 5 checks failed"); return "ran"; }, spool: Spool);

        var records = store.Read(new AuditQuery());
        Assert.Equal(new[] { AuditOperation.Drill, AuditOperation.Verify, AuditOperation.Restore, AuditOperation.Backup }, records.Select(r => r.Operation));
        var (drill, cancelled, failed, succeeded) = (records[0], records[1], records[2], records[3]);
        Assert.Equal((AuditStatus.Failed, "2 of 5 checks failed"), (drill.Status, drill.Error));
        Assert.Equal(AuditStatus.Cancelled, cancelled.Status);
        Assert.Equal(AuditStatus.Failed, failed.Status);
        Assert.Equal("login with ******** failed", failed.Error);
        Assert.Equal((AuditStatus.Succeeded, null, "shop", 42L), (succeeded.Status, succeeded.Error, succeeded.Database, succeeded.Size));
        Assert.Equal($"os:{Environment.UserName} pg:backup_role", succeeded.PerformedBy);
        Assert.Empty(reporter.Warnings);
    }

    [Fact]
    public void A_backup_into_two_repositories_names_its_folder_in_each_and_fails_only_where_it_was_not_stored()
    {
        var first = new FileSystemRepository(Directory.CreateDirectory(Path.Combine(_dir.Path, "first")).FullName);
        var second = new FileSystemRepository(Directory.CreateDirectory(Path.Combine(_dir.Path, "second")).FullName);
        var third = new FileSystemRepository(Directory.CreateDirectory(Path.Combine(_dir.Path, "third")).FullName);
        BackupInfo In(IBackupRepository r) => new() { Id = "20261201-101500D-0123abcd", Database = "shop", Tier = BackupTier.Daily, Size = 99, Repository = r.Location };
        AuditScope.Run(AuditOperation.Backup, NullReporter.Instance, s =>
        {
            s.Into(null, first).Into(null, second).Into(null, third);
            s.About(In(first));
            s.About(In(second));
            s.FailIn(third.Location, "not stored there");
            return "done";
        }, spool: Spool);
        var a = Assert.Single(new RepositoryAuditStore(first).Read(new AuditQuery()));
        var b = Assert.Single(new RepositoryAuditStore(second).Read(new AuditQuery()));
        var c = Assert.Single(new RepositoryAuditStore(third).Read(new AuditQuery()));
        Assert.Equal($"{first.Location}/backup/db/shop/20261201-101500D-0123abcd/", a.BackupFile);
        Assert.Equal($"{second.Location}/backup/db/shop/20261201-101500D-0123abcd/", b.BackupFile);
        Assert.Equal((AuditStatus.Succeeded, AuditStatus.Succeeded), (a.Status, b.Status));
        Assert.Equal((AuditStatus.Failed, "not stored there", null), (c.Status, c.Error, c.BackupFile));
        Assert.Equal(new[] { a.Id, a.Id }, new[] { b.Id, c.Id });
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_registered_audit_catalog_round_trips_through_the_configuration_and_chooses_the_store()
    {
        var file = Path.Combine(_dir.Path, "config", "repositories.json");
        var passwordFile = Path.Combine(_dir.Path, "audit-password");
        File.WriteAllText(passwordFile, fixture.Sandbox.GetPassword() + "\n");
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var database = NewCatalogDatabase();
        var location = Directory.CreateDirectory(Path.Combine(_dir.Path, "registered")).FullName;
        var registry = RepositoryRegistry.Load(new ConfigurationPaths(null, null, file));
        registry.Register(new RepositoryRegistration
        {
            Name = "audited", Location = location,
            Audit = new AuditCatalogReference { Server = $"127.0.0.1:{fixture.Sandbox.Port}", Database = database, User = "postgres", PasswordFile = passwordFile },
        }, ConfigurationScope.Environment, reporter: NullReporter.Instance);
        Assert.Contains("\"audit\"", File.ReadAllText(file));

        var settings = RepositoryRegistry.Load(new ConfigurationPaths(null, null, file)).Resolve("audited");
        var store = AuditStores.For(settings, settings.Open());
        Assert.IsType<CatalogAuditStore>(store);
        var record = Record(AuditOperation.Backup, DateTimeOffset.UtcNow);
        Assert.True(new AuditTrail(NullReporter.Instance, Spool).Write(store, record));
        Assert.Equal(record.Id, Assert.Single(store.Read(new AuditQuery())).Id);
        Assert.IsType<RepositoryAuditStore>(AuditStores.For(RepositoryRegistry.Load(new ConfigurationPaths(null, null, file)).Resolve(_dir.Path), settings.Open()));

        var refused = Assert.Throws<ShippyarException>(() => RegistrationRules.Check(new RepositoryRegistration
        {
            Name = "bad", Location = location, Audit = new AuditCatalogReference { Server = "db:5432", Database = "c", PasswordFile = passwordFile, PasswordVariable = "PW" },
        }));
        Assert.Equal(ErrorIds.PassphraseAmbiguous, refused.ErrorId);
    }
}
