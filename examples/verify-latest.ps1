#Requires -Version 7.4
<#
.SYNOPSIS
    Monthly recovery drill: restore the newest backup of each database into a scratch database, check it,
    and report the measured restore times.
.EXAMPLE
    ./verify-latest.ps1 -Repository /var/backups/pg -Server drill-db01
#>
param(
    [Parameter(Mandatory)] [string] $Repository,
    # A server for the scratch restores; the one each backup came from when omitted.
    [string] $Server,
    [pscredential] $Credential
)
$ErrorActionPreference = 'Stop'
Import-Module ShippyarDr

$target = @{}
if ($Server) { $target.Server = $Server }
if ($Credential) { $target.Credential = $Credential }

$results = Get-ShippyarBackup -Repository $Repository -Latest -Tier Daily | Test-ShippyarBackup -Level Restore @target
$results | Format-Table
$results | Select-Object BackupId, Database, Passed, @{ n = 'RestoreSeconds'; e = { [math]::Round($_.RestoreDuration.TotalSeconds, 1) } } | Format-Table

$failed = $results | Where-Object Passed -eq $false
foreach ($result in $failed) {
    Write-Warning "Backup $($result.BackupId) of $($result.Database) failed verification:"
    $result.Checks | Where-Object Passed -eq $false | Format-Table | Out-String | Write-Warning
}
if ($failed) { exit 1 }
