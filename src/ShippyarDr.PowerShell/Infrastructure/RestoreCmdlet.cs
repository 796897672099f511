using System.Management.Automation;
using System.Security;
using ShippyarDr.Authentication;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>
/// A cmdlet that restores over what exists: -Force, and what protects the safety backup it takes first (the key that
/// signs it, how long its pg_dump waits for locks).
/// </summary>
public abstract class RestoreCmdlet : BackupInputCmdlet
{
    /// <summary>Replace existing databases without asking (each gets a safety backup first); the only way to replace a postgres database that is not empty.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Signs the safety backup of what is replaced; by default the -SecretKeyFile key signs it, when it can.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SigningKeyFile { get; set; }

    [Parameter]
    public SecureString? SigningKeyPassphrase { get; set; }

    /// <summary>How long the safety backup's pg_dump waits for each table's lock (default 5 minutes; 0: no limit).</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? LockWaitTimeout { get; set; }

    private protected TimeSpan SafetyLockWaitTimeout => LockWaitTimeout ?? Backup.BackupRequest.DefaultLockWaitTimeout;

    /// <summary>The keys to read the backup with, and to sign the safety backup.</summary>
    private protected BackupKeys ResolveRestoreKeys(IOperationReporter reporter, Configuration.RepositorySettings settings)
        => ResolveKeys(reporter, settings, writes: true, SigningKeyFile, SigningKeyPassphrase);

    /// <summary>What an audit record of a restore whose row counts did not all match says.</summary>
    private protected static string RowCountsDiffer(params RestoreResult[] results)
    {
        var differ = results.SelectMany(r => r.Tables.Where(t => !t.RowsMatch).Select(t => $"{r.TargetDatabase}.{t.Table}: {t.RestoredRows} of {t.ExpectedRows} rows"));
        return $"Restored row counts differ from the backup's: {string.Join("; ", differ)}";
    }
}
