using ShippyarDr.Diagnostics;
using System.Management.Automation;
using System.Security;
using ShippyarDr.Backup;
using ShippyarDr.Compression;
using ShippyarDr.Configuration;
using ShippyarDr.Encryption;
using ShippyarDr.Pipeline;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Repository;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// Backs up databases (Daily, Safety), the whole cluster (Weekly) or a physical base backup of it (Base) into one or
/// more repositories in one pass; returns the backup as each repository holds it.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ShippyarBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(BackupInfo))]
public sealed class InvokeShippyarBackupCommand : PassphraseCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    public string[]? Database { get; set; }

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public string[] Repository { get; set; } = Array.Empty<string>();

    [Parameter]
    public BackupTier Tier { get; set; } = BackupTier.Daily;

    /// <summary>The tier's (zstd level 1) when neither this nor -CompressionLevel is given.</summary>
    [Parameter]
    [ValidateSet("zstd", "gzip", "none")]
    public string? Compression { get; set; }

    [Parameter]
    [ValidateRange(1, 19)]
    public int CompressionLevel { get; set; }

    /// <summary>Recipients (e-mail, user id or fingerprint) whose public keys, from -RecipientKeyFile, can decrypt.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Recipient { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RecipientKeyFile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StorageClass { get; set; }

    /// <summary>An OpenPGP secret key that signs each manifest (required with -Recipient); gpg --verify checks the signature.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SigningKeyFile { get; set; }

    [Parameter]
    public SecureString? SigningKeyPassphrase { get; set; }

    /// <summary>Base backups: how the starting checkpoint runs (default Spread, gentle on the server; Fast starts at once).</summary>
    [Parameter]
    public CheckpointMode? Checkpoint { get; set; }

    /// <summary>How long pg_dump waits for each table's lock before the backup fails (default 5 minutes; 0: no limit).</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? LockWaitTimeout { get; set; }

    /// <summary>S3: every object of the backup is stored under S3 Object Lock for this many days (the manifest records until when).</summary>
    [Parameter]
    [ValidateRange(1, ObjectLock.MaxDays)]
    public int? ObjectLockDays { get; set; }

    /// <summary>With -ObjectLockDays: Compliance (default: nobody can delete or shorten) or Governance (bypassable with permission).</summary>
    [Parameter]
    public ObjectLockMode ObjectLockMode { get; set; } = ObjectLockMode.Compliance;

    protected override void ProcessRecord()
    {
        var preset = TierPreset.For(Tier);
        IReadOnlyList<string> databases;
        CompressionCodec compression;
        try
        {
            if (MyInvocation.BoundParameters.ContainsKey(nameof(ObjectLockMode)) && ObjectLockDays is null)
                throw new Diagnostics.ShippyarException(Diagnostics.ShippyarErrorKind.InvalidArgument, Diagnostics.ErrorIds.ObjectLockModeWithoutDays,
                    "An object lock mode was given without the number of days to lock the backup's objects for.");
            databases = preset.Databases(Database);
            compression = preset.CompressionFor(Compression, CompressionLevel > 0 ? CompressionLevel : null);
        }
        catch (Diagnostics.ShippyarException e)
        {
            WriteError(ErrorRecords.From(e));
            return;
        }
        foreach (var database in databases)
        {
            Run(database, reporter => Audited(Audit.AuditOperation.Backup, reporter, audit =>
            {
                var connection = ResolveConnection();
                (audit.Server, audit.Login, audit.Tier) = (connection.DisplayName, connection.Username, Tier);
                audit.Database = preset.WholeCluster ? null : database;
                var what = preset.WholeCluster ? $"cluster on {connection.DisplayName}" : $"{database} on {connection.DisplayName}";
                if (!ShouldProcessOrExplain(what, $"{Tier} backup into {string.Join(", ", Repository)}")) return null;
                var (settings, targets) = Targets(StorageClass ?? preset.StorageClass, reporter);
                foreach (var opened in targets.Opened) audit.Into(settings.FirstOrDefault(s => s.Location == opened.Location), opened);
                var request = new BackupRequest
                {
                    Database = database, Connection = connection, Tier = Tier, StorageClass = StorageClass, Checkpoint = Checkpoint,
                    LockWaitTimeout = LockWaitTimeout ?? BackupRequest.DefaultLockWaitTimeout,
                    ObjectLockDays = ObjectLockDays, ObjectLockMode = ObjectLockMode,
                    // What this call gives wins; registered repositories supply what it does not.
                    Signing = SigningKeyFile is null ? RepositorySettings.RegisteredSigningKey(settings, reporter)
                        : Authentication.SigningKey.Load(ResolvePath(SigningKeyFile),
                            SecretSources.Read(SigningKeyPassphrase, null, null, "signing key passphrase", reporter, allowEmpty: true), reporter),
                    Storage = new StorageOptions
                    {
                        Compression = compression,
                        Encryption = EncryptionGiven
                            ? OpenPgpEncryption.Choose(ReadPassphrase(reporter), Recipient, ResolveOptionalPath(RecipientKeyFile))
                            : RepositorySettings.RegisteredEncryption(settings, reporter),
                    },
                };
                var backups = new BackupEngine(reporter).Run(request, targets, Cancel);
                foreach (var backup in backups) audit.About(backup);
                foreach (var missing in targets.Opened.Where(o => backups.All(b => b.Repository != o.Location)))
                    audit.FailIn(missing.Location, $"The backup could not be stored in {missing.Location} (the command reported why); the other repositories hold it.");
                return backups;
            }, enumerateCollection: true));
        }
    }

    /// <summary>This call chooses the encryption itself; otherwise the registered repositories' applies.</summary>
    private bool EncryptionGiven => Passphrase is not null || PassphraseFile is not null || PassphraseVariable is not null || Recipient is not null;

    private (string Key, IReadOnlyList<RepositorySettings> Settings, BackupTargets Targets)? _targets;

    /// <summary>
    /// Resolved and opened once for all the databases of a call (unless piped input changes them), so a store that does
    /// not answer costs its timeout once, and a store that stopped answering midway fails at once for the next database.
    /// Names are resolved here, on the pipeline thread; the stores are opened in parallel.
    /// </summary>
    private (IReadOnlyList<RepositorySettings> Settings, BackupTargets Targets) Targets(string storageClass, Diagnostics.IOperationReporter reporter)
    {
        var key = string.Join('\n', Repository.Append(storageClass));
        if (_targets is not { } t || t.Key != key)
        {
            // A name that does not resolve is left out like a repository that does not open (BackupTargets reports it).
            var resolved = new Dictionary<string, (RepositorySettings? Settings, Exception? Error)>();
            foreach (var r in Repository)
            {
                if (resolved.ContainsKey(r)) continue;
                try { resolved[r] = (ResolveRepository(r, reporter), null); }
                catch (Diagnostics.ShippyarException e) { resolved[r] = (null, e); }
            }
            var settings = resolved.Values.Where(v => v.Settings is not null).Select(v => v.Settings!).ToList();
            _targets = (key, settings, BackupTargets.Open(Repository,
                r => resolved[r].Settings is { } s ? OpenRepository(s, storageClass) : throw resolved[r].Error!, Cancel));
        }
        return (_targets.Value.Settings, _targets.Value.Targets);
    }
}
