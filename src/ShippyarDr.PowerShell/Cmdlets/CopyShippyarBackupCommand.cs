using System.Management.Automation;
using ShippyarDr.Backup;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Repository;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>Replicates complete backups to another repository, checking every object's checksum on the way.</summary>
[Cmdlet(VerbsCommon.Copy, "ShippyarBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = "InputObject")]
[OutputType(typeof(BackupInfo))]
public sealed class CopyShippyarBackupCommand : RepositoryCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "InputObject")]
    [ValidateNotNull]
    public BackupInfo? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = "Id")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public string? Repository { get; set; }

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = "Id")]
    [Alias("BackupId")]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    /// <summary>Storage class of the copies in an S3 destination; the backup's own tier class when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StorageClass { get; set; }

    /// <summary>The repository to copy into.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public string Destination { get; set; } = "";

    protected override void ProcessRecord()
    {
        var id = InputObject?.Id ?? Id!;
        if (!ShouldProcessOrExplain($"backup {id}", $"Copy to {Destination}")) return;
        // Audited where the copy lands: the destination's audit store.
        Run(id, reporter => Audited(Audit.AuditOperation.Copy, reporter, audit =>
        {
            var source = OpenRepository(InputObject?.Repository is { Length: > 0 } r ? r : Repository!, reporter: reporter);
            var backup = new BackupCatalog(source).Get(id, InputObject?.Database);
            // The source's id, database, tier and size, so a failed copy says what it copied; the folder is the copy's.
            audit.About(backup);
            audit.BackupFile = null;
            // The copy keeps the storage class its tier asked for (GLACIER for weekly backups…).
            var destination = ResolveRepository(Destination, reporter);
            var target = OpenRepository(destination, StorageClass ?? backup.StorageClass);
            audit.Into(destination, target);
            var copy = new BackupCopier(reporter).Copy(backup, source, target, Cancel);
            audit.About(copy);
            return copy;
        }));
    }
}
