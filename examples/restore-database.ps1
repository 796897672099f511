#Requires -Version 7.4
<#
.SYNOPSIS
    Restores the newest backup of a database, either beside it (a new name) or over it.
.EXAMPLE
    ./restore-database.ps1 -Repository /var/backups/pg -Database shippyar_prod -TargetDatabase shippyar_inspect
    Restores next to production; nothing is replaced.
.EXAMPLE
    ./restore-database.ps1 -Repository /var/backups/pg -Database shippyar_prod
    Replaces shippyar_prod after confirmation; a safety backup of it is taken first.
#>
param(
    [Parameter(Mandatory)] [string] $Repository,
    [Parameter(Mandatory)] [string] $Database,
    [string] $TargetDatabase = $Database,
    [string] $Server = 'localhost',
    [pscredential] $Credential
)
$ErrorActionPreference = 'Stop'
Import-Module ShippyarDr

$connection = @{ Server = $Server }
if ($Credential) { $connection.Credential = $Credential }

$backup = Get-ShippyarBackup -Repository $Repository -Database $Database -Latest -Tier Daily
if (-not $backup) { throw "No backup of $Database in $Repository." }

# Prove the backup before relying on it.
$verification = $backup | Test-ShippyarBackup -Level Catalog
if (-not $verification.Passed) { throw "Backup $($backup.Id) failed verification; not restoring it." }

$result = $backup | Restore-ShippyarDatabase -TargetDatabase $TargetDatabase @connection
$result | Format-Table
$result.Tables | Format-Table
if ($result.SafetyBackupId) { "The previous $TargetDatabase is kept as backup $($result.SafetyBackupId)." }
