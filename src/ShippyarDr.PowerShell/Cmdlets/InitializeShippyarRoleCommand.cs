using System.Management.Automation;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Server;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>Creates or completes the least-privilege backup and recovery group roles; grants only what is missing.</summary>
[Cmdlet(VerbsData.Initialize, "ShippyarRole", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RoleSetup))]
public sealed class InitializeShippyarRoleCommand : ServerCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string BackupRole { get; set; } = "backup_role";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string RecoveryRole { get; set; } = "recovery_role";

    [Parameter]
    public SwitchParameter Physical { get; set; }

    /// <summary>Existing logins to make members of the backup role (and, with -Physical, give REPLICATION: it is not inherited).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] BackupLogin { get; set; } = Array.Empty<string>();

    /// <summary>Existing logins to make members of the recovery role and give CREATEDB (not inherited either).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] RecoveryLogin { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        Run(BackupRole, _ =>
        {
            var connection = ResolveConnection();
            foreach (var setup in BackupRoles.Plan(connection, BackupRole, RecoveryRole, Physical, BackupLogin, RecoveryLogin, Cancel))
            {
                if (setup.Grants.Count > 0)
                {
                    var action = $"{(setup.Action == "Created" ? "Create" : "Update")} {setup.Purpose.ToLowerInvariant()} role {setup.Name}: {string.Join("; ", setup.Grants)}";
                    if (!ShouldProcessOrExplain($"server {connection.DisplayName}", action)) continue;
                    BackupRoles.Apply(connection, setup, Cancel);
                }
                else setup.Applied = true;
                WriteObject(setup);
            }
        });
    }
}
