using System.Management.Automation;
using ShippyarDr.Cluster;
using ShippyarDr.Configuration;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Server;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// Turns on continuous WAL archiving into a registered repository: archive_mode, archive_command (the module's
/// shippyar-dr wal-push) and archive_timeout with ALTER SYSTEM, after checking that the server's OS account can run the
/// command; then proves it with a segment archived end to end, or says that a restart is needed first.
/// </summary>
[Cmdlet(VerbsLifecycle.Enable, "ShippyarWalArchiving", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(WalArchivingState))]
public sealed class EnableShippyarWalArchivingCommand : ServerCmdlet
{
    /// <summary>A registered repository's name (archive_command has no session: paths and URLs are refused).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public string Repository { get; set; } = "";

    /// <summary>archive_timeout: the longest a finished transaction waits for its segment to be archived (default 60 s; 0 turns it off).</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? ArchiveTimeout { get; set; }

    protected override void ProcessRecord()
    {
        Run(Repository, reporter =>
        {
            var connection = ResolveConnection();
            var registered = ArchiveCommand.Registered(RepositoryRegistry.Load(), Repository);
            var cli = BundledCli.Path;
            var command = ArchiveCommand.For(cli, registered);
            var timeout = ArchiveTimeout ?? WalArchivingSettings.DefaultArchiveTimeout;
            // Checked before anything changes: a command the account cannot run fails only in the server's log, while WAL piles up.
            if (LocalDataDirectory.Owner(connection, Cancel) is { } account)
            {
                AccountAccess.Require(account, ArchiveCommand.Needs(cli, registered));
                reporter.Verbose($"The server's OS account {account} can run {cli} and read {registered.ConfigurationFile}.");
            }
            else
                reporter.Warning($"The data directory of {connection.DisplayName} is not on this host (or the server does not say where it is): "
                                 + $"{cli} and {registered.ConfigurationFile} must exist on the server's host, readable by the account that runs it.");
            if (!ShouldProcessOrExplain($"server {connection.DisplayName}",
                    $"Set archive_mode = on, archive_command = '{command}', archive_timeout = {(long)timeout.TotalSeconds}s")) return;
            var state = WalArchivingSettings.Enable(connection, command, timeout, WalArchivingSettings.DefaultProofWait, reporter, Cancel);
            if (state.RestartRequired)
                reporter.Warning($"Restart the server at {connection.DisplayName} for archive_mode to take effect; until then no WAL is archived. "
                                 + "Run Enable-ShippyarWalArchiving again after the restart to prove archiving end to end.");
            WriteObject(state);
        });
    }
}
