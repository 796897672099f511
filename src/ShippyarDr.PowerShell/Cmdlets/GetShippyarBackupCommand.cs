using System.Management.Automation;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Repository;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>Lists the complete backups of a repository, newest first.</summary>
[Cmdlet(VerbsCommon.Get, "ShippyarBackup")]
[OutputType(typeof(BackupInfo))]
public sealed class GetShippyarBackupCommand : RepositoryCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    /// <summary>Database names; wildcards allowed.</summary>
    [Parameter(Position = 1)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Database { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    [Parameter]
    public BackupTier? Tier { get; set; }

    /// <summary>Only the newest backup of each database (and tier).</summary>
    [Parameter]
    public SwitchParameter Latest { get; set; }

    protected override void ProcessRecord()
    {
        Run(Repository, reporter =>
        {
            var catalog = new BackupCatalog(OpenRepository(Repository));
            var patterns = Database?.Select(d => new WildcardPattern(d, WildcardOptions.IgnoreCase)).ToList();
            IEnumerable<BackupInfo> backups = catalog.List(reporter: reporter)
                .Where(b => patterns is null || patterns.Any(p => p.IsMatch(b.Database)))
                .Where(b => Tier is null || b.Tier == Tier)
                .Where(b => Id is null || Id.Contains(b.Id, StringComparer.OrdinalIgnoreCase));
            if (Latest) backups = backups.GroupBy(b => (b.Database, b.Tier)).Select(g => g.First()).OrderByDescending(b => b.EndTime);
            var list = backups.ToList();
            if (Id is not null)
                foreach (var missing in Id.Where(i => !list.Any(b => b.Id.Equals(i, StringComparison.OrdinalIgnoreCase))))
                    WriteError(new ErrorRecord(new ItemNotFoundException($"No complete backup with id '{missing}' in repository {Repository}."),
                        "BackupNotFound", ErrorCategory.ObjectNotFound, missing));
            WriteObject(list, enumerateCollection: true);
        });
    }
}
