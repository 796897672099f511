using System.Management.Automation;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Retention;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// Applies retention to a repository: removes what the policy no longer keeps (backups, incomplete backups past their
/// grace, WAL no retained base backup needs, history files of unused timelines) and returns one decision per thing,
/// kept or removed, with the reason. The policy: -Policy, then the repository's registered one, then what each
/// backup's manifest recorded, then the tier's default; -KeepDays and -WalDays override on top. -WhatIf deletes
/// nothing and returns the decisions with Action WouldRemove.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ShippyarRetention", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(RetentionDecision))]
public sealed class InvokeShippyarRetentionCommand : RepositoryCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public string Repository { get; set; } = "";

    /// <summary>A RetentionPolicy or a hashtable: @{ Daily = @{ KeepDays = 30; KeepMonthly = 12 }; WalDays = 14 }.</summary>
    [Parameter]
    [ValidateNotNull]
    public RetentionPolicy? Policy { get; set; }

    /// <summary>Only this database's backups ("_cluster" for cluster backups and the WAL archive).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Database { get; set; }

    [Parameter]
    public BackupTier? Tier { get; set; }

    /// <summary>Days kept for the tier given by -Tier (every tier without it), over the policy's.</summary>
    [Parameter]
    [ValidateRange(0, 36500)]
    public int? KeepDays { get; set; }

    /// <summary>Days of WAL kept: every point of them stays recoverable.</summary>
    [Parameter]
    [ValidateRange(0, 36500)]
    public int? WalDays { get; set; }

    /// <summary>How old an incomplete backup (data without a manifest) must be before it is removed (default 24 h).</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? IncompleteGrace { get; set; }

    protected override void ProcessRecord()
    {
        Run(Repository, reporter => Audited(Audit.AuditOperation.Retention, reporter, audit =>
        {
            var settings = ResolveRepository(Repository, reporter);
            var repository = OpenRepository(settings);
            audit.Into(settings, repository);
            audit.Database = Database;
            audit.Tier = Tier;
            var policy = RetentionPolicy.Resolve(Given(settings.Registered?.Registration.Retention), settings.Registered?.Registration.Retention);
            var scope = new RetentionScope { Database = Database, Tier = Tier, IncompleteGrace = IncompleteGrace ?? RetentionScope.DefaultIncompleteGrace };
            var keys = settings.ReadingKeys(null, reporter);
            var runner = new RetentionRunner(repository, reporter);
            WriteVerbose($"Retention of {repository.Location}: {(policy.ToString() is { Length: > 0 } p ? p : "tier defaults and recorded retention")}.");
            if (IsWhatIf())
            {
                // Nothing is deleted, so nothing is audited: the decisions go straight to the pipeline.
                WriteObject(runner.Preview(policy, scope, keys).Select(d =>
                {
                    if (d.Action != RetentionAction.Remove) return d;
                    ShouldProcess(Target(d), "Remove");
                    return d.With(RetentionAction.WouldRemove);
                }).ToList(), enumerateCollection: true);
                return null;
            }
            var decisions = runner.Run(policy, scope, d => ShouldProcessOrExplain(Target(d), "Remove"), keys, cancel: Cancel);
            var removed = decisions.Where(d => d.Action == RetentionAction.Removed).ToList();
            audit.Size = removed.Sum(d => d.Size);
            audit.BackupId = removed.Count == 0 ? null : $"{removed.Count} removed";
            if (decisions.Where(d => d.Action == RetentionAction.Failed).ToList() is { Count: > 0 } failed)
                audit.Fail($"{failed.Count} removal(s) failed: {string.Join("; ", failed.Take(3).Select(d => $"{Target(d)}: {d.Error}"))}");
            return decisions;
        }, enumerateCollection: true));
    }

    private static string Target(RetentionDecision d) => d.Subject switch
    {
        RetentionSubject.WalSegments => $"WAL {d.FirstFile}..{d.LastFile} ({d.FileCount} files) of cluster {d.SystemIdentifier} in {d.Repository}: {d.Reason}",
        RetentionSubject.WalHistory => $"WAL history file {d.FirstFile} of cluster {d.SystemIdentifier} in {d.Repository}: {d.Reason}",
        _ => $"{d.Subject} {d.Database}/{d.Id} in {d.Repository}: {d.Reason}",
    };

    /// <summary>-Policy with -KeepDays and -WalDays applied; null when none is given.</summary>
    private RetentionPolicy? Given(RetentionPolicy? registered)
    {
        if (Policy is null && KeepDays is null && WalDays is null) return null;
        var given = Policy?.Clone() ?? new RetentionPolicy();
        if (KeepDays is { } days)
            foreach (var tier in Tier is { } t ? new[] { t } : Enum.GetValues<BackupTier>())
            {
                var rules = (given.For(tier) ?? registered?.For(tier) ?? RetentionPolicy.Defaults.For(tier)!).Clone();
                rules.KeepDays = days;
                given.Set(tier, rules);
            }
        if (WalDays is { } wal) given.WalDays = wal;
        return given;
    }
}
