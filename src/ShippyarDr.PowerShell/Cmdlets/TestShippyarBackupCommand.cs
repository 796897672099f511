using ShippyarDr.Diagnostics;
using System.Collections;
using System.Management.Automation;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Verification;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>Verifies backups by checksum, catalog, or a full restore into a scratch database (a scratch cluster for base backups).</summary>
[Cmdlet(VerbsDiagnostic.Test, "ShippyarBackup", DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(VerificationResult))]
public sealed class TestShippyarBackupCommand : BackupInputCmdlet
{
    [Parameter]
    public VerificationLevel Level { get; set; } = VerificationLevel.Catalog;

    /// <summary>Extra checks after a restore: hashtables with Name, Sql and Expected.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable[]? Check { get; set; }

    private List<SqlCheck> _checks = new();

    protected override void BeginProcessing()
    {
        foreach (var h in Check ?? Array.Empty<Hashtable>())
        {
            var sql = h["Sql"] ?? h["Query"];
            if (sql is null || h["Name"] is null || !h.ContainsKey("Expected"))
            {
                ThrowTerminatingError(ErrorRecords.Argument(ErrorIds.InvalidCheck,
                    "Each -Check needs Name, Sql and Expected, e.g. @{ Name = 'paid orders'; Sql = 'SELECT count(*) FROM orders'; Expected = 42 }.", h));
            }
            _checks.Add(new SqlCheck(h["Name"]!.ToString()!, sql!.ToString()!, h["Expected"] is { } e ? Convert.ToString(e, System.Globalization.CultureInfo.InvariantCulture) : null)
            {
                Database = h["Database"]?.ToString(),
            });
        }
        if (_checks.Count > 0 && Level < VerificationLevel.Restore)
            ThrowTerminatingError(ErrorRecords.Argument(ErrorIds.CheckNeedsRestore, "-Check runs against restored data: use it with -Level Restore.", Check));
    }

    protected override void ProcessRecord()
    {
        // A verification that restores is a restore drill.
        Run(BackupName, reporter => Audited(Level >= VerificationLevel.Restore ? Audit.AuditOperation.Drill : Audit.AuditOperation.Verify, reporter, audit =>
        {
            var (backup, repository, settings) = ResolveBackup(reporter, audit);
            // A base backup is restored into a scratch cluster on this host; a logical one into a server.
            var connection = Level >= VerificationLevel.Restore && backup.Kind == BackupKind.Logical ? ResolveConnection(backup.Server) : null;
            if (connection is not null) (audit.Server, audit.Login) = (connection.DisplayName, connection.Username);
            var result = new BackupVerifier(reporter).Run(new VerificationRequest
            {
                Backup = backup, Level = Level, Connection = connection, Checks = _checks,
                Keys = ResolveKeys(reporter, settings),
                // The Recovery level's scratch copy fetches WAL through the module's shippyar-dr, keys by reference.
                RestoreCommand = Level == VerificationLevel.Recovery && backup.Kind == BackupKind.Physical ? ResolveRestoreCommand(settings) : null,
            }, repository, Cancel);
            foreach (var failed in result.Checks.Where(c => !c.Passed)) WriteVerbose($"Backup {backup.Id}: {failed}");
            if (!result.Passed)
                audit.Fail($"{result.FailedCount} of {result.Checks.Count} checks failed: {string.Join("; ", result.Checks.Where(c => !c.Passed).Select(c => c.ToString()))}");
            return result;
        }));
    }
}
