using System.Management.Automation;
using ShippyarDr.Diagnostics;
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
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
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
            var catalog = new BackupCatalog(OpenRepository(Repository, reporter: reporter));
            var patterns = Database?.Select(d => Wildcards.Pattern(d, nameof(Database))).ToList();
            IEnumerable<BackupInfo> backups = catalog.List(reporter: reporter)
                .Where(b => patterns is null || patterns.Any(p => p.IsMatch(b.Database)))
                .Where(b => Tier is null || b.Tier == Tier)
                .Where(b => Id is null || Id.Contains(b.Id, StringComparer.OrdinalIgnoreCase));
            if (Latest) backups = BackupCatalog.LatestOfEach(backups);
            var list = backups.ToList();
            // The catalog says why an id is missing: no such backup (BackupNotFound), or its manifest is unreadable (ManifestCorrupt).
            if (Id is not null)
                foreach (var missing in Id.Where(i => !list.Any(b => b.Id.Equals(i, StringComparison.OrdinalIgnoreCase))))
                {
                    try { catalog.Get(missing); }
                    catch (ShippyarException e) { WriteError(ErrorRecords.From(e)); }
                }
            WriteObject(list, enumerateCollection: true);
        });
    }
}
