using System.Management.Automation;
using ShippyarDr.Cluster;
using ShippyarDr.Configuration;
using ShippyarDr.Diagnostics;
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
            var registry = RepositoryRegistry.Load();
            var registered = ArchiveCommand.Registered(registry, Repository);
            var cli = BundledCli.Path;
            var command = ArchiveCommand.For(cli, registered);
            var timeout = ArchiveTimeout ?? WalArchivingSettings.DefaultArchiveTimeout;
            // Checked before anything changes: a command the account cannot run fails only in the server's log, while WAL piles up.
            var local = LocalDataDirectory.Find(connection, Cancel);
            if (local is { } found)
            {
                AccountAccess.Require(found.Owner, ArchiveCommand.Needs(cli, registered));
                reporter.Verbose($"The server's OS account {found.Owner} can run {cli} and read {registered.ConfigurationFile}.");
            }
            else
                reporter.Warning($"The data directory of {connection.DisplayName} is not on this host (or the server does not say where it is): "
                                 + $"{cli} and {registered.ConfigurationFile} must exist on the server's host, readable by the account that runs it.");
            // A recovered server ran with archive_mode off: its timeline's history file (and what it wrote meanwhile) is not in the archive.
            var timeline = TimelineArchive.Inspect(connection, () => registry.Named(Repository).Open(), reporter, Cancel);
            // An ancestor's history file may be gone from pg_wal (a recovery reads only what it needs): it is then pushed from where it is.
            var pushes = local is { } at ? timeline.MissingHistoryFiles.Where(h => File.Exists(Path.Combine(at.Directory, "pg_wal", h))).ToList() : new List<string>();
            if (!ShouldProcessOrExplain($"server {connection.DisplayName}",
                    $"Set archive_mode = on, archive_command = '{command}', archive_timeout = {(long)timeout.TotalSeconds}s"
                    + (pushes.Count > 0 ? $"; archive {string.Join(", ", pushes)} from {local!.Value.Directory}/pg_wal into repository {registered.Name}" : ""))) return;
            var pushed = new List<string>();
            var missing = new List<string>();
            foreach (var history in timeline.MissingHistoryFiles)
            {
                if (local is { } here && pushes.Contains(history) && TryPush(cli, registered, here.Directory, here.Owner, history, reporter))
                    pushed.Add(history);
                else
                {
                    missing.Add(history);
                    reporter.Warning($"The WAL archive in repository {registered.Name} lacks {history}, and a recovery along timeline {timeline.Timeline} needs it: "
                                     + $"in the data directory of {connection.DisplayName} (or of another server of this cluster that has it), as the server's OS account, run: "
                                     + $"{(registered.Scope == ConfigurationScope.Machine ? "" : $"{ConfigurationPaths.Variable}={ArchiveCommand.Quote(registered.ConfigurationFile)} ")}"
                                     + $"shippyar-dr wal-push pg_wal/{history} --repository {registered.Name}");
                }
            }
            var state = WalArchivingSettings.Enable(connection, command, timeout, WalArchivingSettings.DefaultProofWait, reporter, Cancel);
            state.Timeline = timeline.Timeline;
            state.HistoryPushed = pushed;
            state.HistoryMissing = missing;
            state.UnarchivedFrom = timeline.UnarchivedFrom;
            if (state.RestartRequired)
                reporter.Warning($"Restart the server at {connection.DisplayName} for archive_mode to take effect; until then no WAL is archived. "
                                 + "Run Enable-ShippyarWalArchiving again after the restart to prove archiving end to end.");
            if (timeline.UnarchivedFrom is { } gap)
                reporter.Warning($"The WAL archive in repository {registered.Name} lacks {gap} and will never get it (timeline {timeline.Timeline} "
                                 + $"ran without archiving from {timeline.SwitchSegment}): no recovery from the archive can replay across it. "
                                 + $"Take a base backup now: Invoke-ShippyarBackup -Tier Base -Repository {registered.Name} against this server.");
            WriteObject(state);
        });
    }

    /// <summary>Pushes a history file as the server's account; false (the caller warns with the command) when this process cannot act as that account.</summary>
    private static bool TryPush(string cli, RegisteredRepository registered, string dataDirectory, string owner, string history, IOperationReporter reporter)
    {
        try
        {
            TimelineArchive.PushHistory(cli, registered, dataDirectory, owner, history);
            reporter.Verbose($"{history} was missing from the WAL archive: archived it from {dataDirectory}/pg_wal as {owner}.");
            return true;
        }
        catch (ShippyarException e) when (e.ErrorId == ErrorIds.ServerAccountUnavailable)
        {
            return false;
        }
    }
}
