using System.Management.Automation;
using System.Security;
using ShippyarDr.Backup;
using ShippyarDr.Compression;
using ShippyarDr.Encryption;
using ShippyarDr.Pipeline;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Repository;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// Backs up databases (Daily, Safety) or the whole cluster (Weekly) into one or more repositories in one pass;
/// returns the backup as each repository holds it.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ShippyarBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(BackupInfo))]
public sealed class InvokeShippyarBackupCommand : ConnectedCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    public string[]? Database { get; set; }

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
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

    protected override void ProcessRecord()
    {
        var preset = TierPreset.For(Tier);
        if (preset.WholeCluster && Database is not null)
        {
            WriteError(ErrorRecords.Argument("DatabaseNotForCluster", $"{Tier} backs up the whole cluster: omit -Database.", Database));
            return;
        }
        if (!preset.WholeCluster && Database is null)
        {
            WriteError(ErrorRecords.Argument("DatabaseRequired", $"{Tier} backs up one database at a time: give -Database (or pipe names).", Tier));
            return;
        }
        foreach (var database in Database ?? new[] { "postgres" })
        {
            var connection = ResolveConnection();
            var what = preset.WholeCluster ? $"cluster on {connection.DisplayName}" : $"{database} on {connection.DisplayName}";
            if (!ShouldProcess(what, $"{Tier} backup into {string.Join(", ", Repository)}")) continue;
            Run(database, reporter =>
            {
                var targets = BackupTargets.Open(Repository, r => OpenRepository(r, StorageClass ?? preset.StorageClass), Cancel);
                var request = new BackupRequest
                {
                    Database = database, Connection = connection, Tier = Tier, StorageClass = StorageClass,
                    Storage = new ArchiveWriteOptions
                    {
                        Compression = Compression is null && CompressionLevel == 0
                            ? preset.Compression
                            : CompressionCodec.Parse(Compression ?? "zstd", CompressionLevel > 0 ? CompressionLevel : null),
                        Encryption = ResolveEncryption(),
                    },
                };
                WriteObject(new BackupEngine(reporter).Run(request, targets, Cancel), enumerateCollection: true);
            });
        }
    }

    private IEncryptionStage? ResolveEncryption()
    {
        var passphrase = ReadPassphrase();
        if (Recipient is not null && passphrase is not null)
            throw new Diagnostics.ShippyarException(Diagnostics.ShippyarErrorKind.InvalidArgument, "EncryptionAmbiguous", "Encrypt with a passphrase or to recipients, not both.");
        if (Recipient is not null)
        {
            if (RecipientKeyFile is null)
                throw new Diagnostics.ShippyarException(Diagnostics.ShippyarErrorKind.InvalidArgument, "RecipientKeyFileRequired",
                    "-Recipient needs -RecipientKeyFile: the public keys, as `gpg --export --armor` writes them.");
            return OpenPgpEncryption.ToRecipients(RecipientKeyFile, Recipient);
        }
        return passphrase is null ? null : OpenPgpEncryption.WithPassphrase(passphrase);
    }
}
