using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;
using ShippyarDr.Retention;

namespace ShippyarDr.Core.Tests;

/// <summary>Retention on a real S3-compatible store (s3rver): the early-deletion charge of a cold backup in the dry run, and the removal itself.</summary>
public sealed class RetentionS3Tests(S3Server s3) : IClassFixture<S3Server>
{
    [Fact]
    public void A_GLACIER_backup_removed_before_90_days_shows_its_charge_in_the_dry_run_and_then_goes_manifest_first()
    {
        using var repo = new S3Repository(s3.Url("retention-" + Guid.NewGuid().ToString("n")[..8]), s3.Options());
        var catalog = new BackupCatalog(repo);
        var now = DateTimeOffset.UtcNow;
        BackupInfo Weekly(DateTimeOffset end, string tail)
        {
            var b = new BackupInfo
            {
                Id = $"{end.UtcDateTime:yyyyMMdd-HHmmss}W-{tail}", Database = BackupEngine.ClusterScope, Tier = BackupTier.Weekly, StartTime = end.AddMinutes(-30), EndTime = end,
                Size = 3_000_000_000, StorageClass = "GLACIER", Retention = "365d",
                Files = { new BackupFile { Name = "001-app.dump", Format = "custom" } }, Databases = { new ClusterDatabase { Name = "app", File = "001-app.dump" } },
            };
            repo.WriteAtomically(BackupLayout.NewPrefix(true, b.Database, b.Id) + "001-app.dump", new byte[64]);
            catalog.Save(b);
            return catalog.Get(b.Id);
        }
        var young = Weekly(now.AddDays(-40), "aaaa0001");
        var newest = Weekly(now.AddDays(-3), "aaaa0002");
        var policy = RetentionPolicy.Resolve(new RetentionPolicy { Weekly = new TierRetention(14) }, null);

        var plan = new RetentionRunner(repo).Preview(policy, new RetentionScope(), now: now);
        var decision = plan.Single(d => d.Id == young.Id);
        Assert.Equal(RetentionAction.Remove, decision.Action);
        Assert.Equal(("GLACIER", 90), (decision.EarlyDeletion!.StorageClass, decision.EarlyDeletion.MinimumDays));
        Assert.InRange(decision.EarlyDeletion.DaysRemaining, 49.9, 50.1);
        Assert.True(decision.EarlyDeletion.EstimatedCostUsd > 0);
        Assert.Contains("bills", decision.Reason);
        Assert.Null(plan.Single(d => d.Id == newest.Id).EarlyDeletion);

        var results = new RetentionRunner(repo).Run(policy, new RetentionScope(), _ => true, now: now);
        Assert.Equal(RetentionAction.Removed, results.Single(d => d.Id == young.Id).Action);
        Assert.Equal(new[] { newest.Id }, catalog.List().Select(b => b.Id));
        Assert.Empty(repo.List(young.Prefix!));
        Assert.Empty(catalog.Incomplete());
        Assert.False(repo.Exists(RetentionLock.Key));
    }
}
