using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Repository;
using ShippyarDr.Status;

namespace ShippyarDr.Core.Tests;

/// <summary>Status from manifests in a real filesystem repository, with the clock fixed by the request.</summary>
public sealed class StatusEvaluatorTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly DateTimeOffset _now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public void Dispose() => _dir.Dispose();

    private BackupCatalog CatalogWith(params (string Db, double HoursAgo, long Size)[] backups)
    {
        var catalog = new BackupCatalog(new FileSystemRepository(_dir.Path));
        var n = 0;
        foreach (var (db, hoursAgo, size) in backups)
        {
            var end = _now.AddHours(-hoursAgo);
            catalog.Save(new BackupInfo { Id = $"{end.UtcDateTime:yyyyMMdd-HHmmss}D-{n++:x4}", Database = db, StartTime = end.AddMinutes(-5), EndTime = end, Size = size });
        }
        return catalog;
    }

    private IReadOnlyList<BackupStatus> Evaluate(BackupCatalog catalog, params string[] databases)
        => BackupStatusEvaluator.Evaluate(catalog, _dir.Path, new StatusRequest { Now = _now, Databases = databases });

    [Fact]
    public void Recent_backups_of_steady_size_are_OK()
    {
        var s = Assert.Single(Evaluate(CatalogWith(("a", 2, 1000), ("a", 26, 1100), ("a", 50, 900))));
        Assert.Equal(BackupHealth.OK, s.Status);
        Assert.Equal(3, s.BackupCount);
        Assert.Equal(1000, s.MedianSize);
        Assert.Equal(TimeSpan.FromHours(2), s.Age);
    }

    [Fact]
    public void A_backup_older_than_MaxAge_is_an_Alert()
    {
        var s = Assert.Single(Evaluate(CatalogWith(("a", 30, 1000))));
        Assert.Equal(BackupHealth.Alert, s.Status);
        Assert.Contains("30.0 h old", s.Reason);
    }

    [Fact]
    public void A_backup_under_half_the_median_of_the_previous_ones_is_a_Warning()
    {
        var s = Assert.Single(Evaluate(CatalogWith(("a", 1, 400), ("a", 25, 1000), ("a", 49, 1000), ("a", 73, 5000))));
        Assert.Equal(BackupHealth.Warning, s.Status);
        Assert.Contains("median", s.Reason);
        Assert.Equal(1000, s.MedianSize);
    }

    [Fact]
    public void One_very_large_old_backup_does_not_make_normal_ones_look_truncated()
    {
        // A fixed "half of the previous backup" rule would fire here; the median does not.
        var s = Assert.Single(Evaluate(CatalogWith(("a", 1, 1000), ("a", 25, 9000), ("a", 49, 1000), ("a", 73, 1100))));
        Assert.Equal(BackupHealth.OK, s.Status);
    }

    [Fact]
    public void A_named_database_without_backups_is_an_Alert_and_others_are_reported_too()
    {
        var list = Evaluate(CatalogWith(("a", 1, 1000)), "a", "b");
        Assert.Equal(BackupHealth.OK, list.Single(s => s.Database == "a").Status);
        var b = list.Single(s => s.Database == "b");
        Assert.Equal(BackupHealth.Alert, b.Status);
        Assert.Equal(0, b.BackupCount);
    }

    [Fact]
    public void Safety_backups_are_not_judged()
    {
        var catalog = CatalogWith(("a", 1, 1000));
        catalog.Save(new BackupInfo { Id = "20261125-115000S-0001", Database = "a", Tier = BackupTier.Safety, EndTime = _now, Size = 1 });
        var s = Assert.Single(Evaluate(catalog));
        Assert.Equal(BackupTier.Daily, s.Tier);
        Assert.Equal(BackupHealth.OK, s.Status);
    }
    [Fact]
    public void A_manifest_that_cannot_be_read_is_an_Alert_that_says_so()
    {
        var catalog = CatalogWith(("a", 2, 1000), ("a", 26, 1100));
        var broken = new BackupCatalog(new FileSystemRepository(_dir.Path)).List().Last();
        File.WriteAllText(Path.Combine(_dir.Path, broken.Prefix!, "manifest.json"), "{ \"Id\": ");
        var s = Assert.Single(Evaluate(catalog));
        Assert.Equal(BackupHealth.Alert, s.Status);
        Assert.Equal(1, s.UnreadableCount);
        Assert.Contains("cannot be used", s.Reason);
        Assert.Contains(broken.Prefix!, s.Reason);
        // And asking for it by id says why, rather than "not found".
        Assert.Equal("ManifestCorrupt", Assert.Throws<Diagnostics.ShippyarException>(() => { catalog.Get(broken.Id); }).ErrorId);
    }

    [Fact]
    public void An_interrupted_safety_backup_is_not_a_missed_daily_one()
    {
        var catalog = CatalogWith(("a", 2, 1000));
        var safety = Directory.CreateDirectory(Path.Combine(_dir.Path, "backup", "db", "a", $"{_now.AddHours(-1).UtcDateTime:yyyyMMdd-HHmmss}S-00000001"));
        File.WriteAllText(Path.Combine(safety.FullName, "data.dump.zst"), "partial");
        var s = Assert.Single(Evaluate(catalog));
        Assert.Equal((BackupHealth.OK, 0), (s.Status, s.IncompleteCount));
        var daily = Directory.CreateDirectory(Path.Combine(_dir.Path, "backup", "db", "a", $"{_now.AddHours(-1).UtcDateTime:yyyyMMdd-HHmmss}D-00000002"));
        File.WriteAllText(Path.Combine(daily.FullName, "data.dump.zst"), "partial");
        s = Assert.Single(Evaluate(catalog));
        Assert.Equal((BackupHealth.Warning, 1), (s.Status, s.IncompleteCount));
    }
}

public sealed class TierMaxAgeTests : IDisposable
{
    private readonly Fixtures.TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_three_day_old_weekly_backup_is_OK_and_a_three_day_old_daily_one_is_an_Alert()
    {
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var catalog = new Repository.BackupCatalog(new Repository.FileSystemRepository(_dir.Path));
        catalog.Save(new BackupInfo { Id = "20261122-120000W-0001", Database = "_cluster", Tier = BackupTier.Weekly, EndTime = now.AddDays(-3), Size = 10 });
        catalog.Save(new BackupInfo { Id = "20261122-120000D-0002", Database = "shop", Tier = BackupTier.Daily, EndTime = now.AddDays(-3), Size = 10 });
        var list = Status.BackupStatusEvaluator.Evaluate(catalog, _dir.Path, new Status.StatusRequest { Now = now });
        Assert.Equal(BackupHealth.OK, list.Single(s => s.Tier == BackupTier.Weekly).Status);
        Assert.Equal(BackupHealth.Alert, list.Single(s => s.Tier == BackupTier.Daily).Status);
        var strict = Status.BackupStatusEvaluator.Evaluate(catalog, _dir.Path, new Status.StatusRequest { Now = now, MaxAge = TimeSpan.FromDays(1) });
        Assert.Equal(BackupHealth.Alert, strict.Single(s => s.Tier == BackupTier.Weekly).Status);
    }

    [Fact]
    public void A_base_backup_may_be_a_day_and_two_hours_old()
    {
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var catalog = new Repository.BackupCatalog(new Repository.FileSystemRepository(_dir.Path));
        catalog.Save(PhysicalManifestTests.Base("20261124-110000B-0001", now.AddHours(-25)));
        var fresh = Status.BackupStatusEvaluator.Evaluate(catalog, _dir.Path, new Status.StatusRequest { Now = now }).Single();
        Assert.Equal((BackupTier.Base, BackupHealth.OK), (fresh.Tier, fresh.Status));
        var later = Status.BackupStatusEvaluator.Evaluate(catalog, _dir.Path, new Status.StatusRequest { Now = now.AddHours(2) }).Single();
        Assert.Equal(BackupHealth.Alert, later.Status);
        Assert.Contains("limit 26.0 h", later.Reason);
    }
}
