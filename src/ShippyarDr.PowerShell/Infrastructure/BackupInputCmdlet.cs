using System.Management.Automation;
using ShippyarDr.Repository;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>
/// A cmdlet that acts on one backup: piped in as a BackupInfo (Get-ShippyarBackup | …), or named by
/// -Repository and -Id (which also bind by property name, e.g. from Import-Csv).
/// </summary>
public abstract class BackupInputCmdlet : ConnectedCmdlet
{
    protected const string ObjectSet = "InputObject";
    protected const string IdSet = "Id";

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    [ValidateNotNull]
    public BackupInfo? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [Alias("BackupId")]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    /// <summary>The backup this record names and the repository that holds it (read fresh from its manifest).</summary>
    private protected (BackupInfo Backup, IBackupRepository Repository) ResolveBackup()
    {
        var location = InputObject?.Repository is { Length: > 0 } r ? r : Repository!;
        var repository = RepositoryFactory.Open(location);
        var backup = new BackupCatalog(repository).Get(InputObject?.Id ?? Id!, InputObject?.Database);
        return (backup, repository);
    }

    private protected string BackupName => InputObject?.Id ?? Id ?? "";
}
