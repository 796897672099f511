#Requires -Version 7.4
<#
.SYNOPSIS
    Daily runbook: back up each database, then fail the job if any backup failed or the status is not OK.
.EXAMPLE
    ./daily-backup.ps1 -Server db01 -Database shippyar_prod, billing -Repository /var/backups/pg
    Schedule it in cron or Azure Automation; the credential comes from ~/.pgpass or PGPASSWORD in the job's environment.
#>
param(
    [Parameter(Mandatory)] [string[]] $Database,
    [Parameter(Mandatory)] [string] $Repository,
    [string] $Server = 'localhost',
    [int] $Port = 5432,
    [pscredential] $Credential
)
$ErrorActionPreference = 'Stop'
Import-Module ShippyarDr

$connection = @{ Server = $Server; Port = $Port }
if ($Credential) { $connection.Credential = $Credential }

# Non-terminating per database: one failure must not skip the others.
$backups = $Database | Invoke-ShippyarBackup @connection -Repository $Repository -ErrorAction Continue -ErrorVariable failed
$backups | Format-Table

# A cheap catalog verification of what was just written: re-hash and re-read the archives.
$verified = $backups | Test-ShippyarBackup -Level Catalog
$verified | Format-Table

$status = Get-ShippyarBackupStatus -Repository $Repository -Database $Database -MaxAge 26h
$status | Format-Table

if ($failed -or ($verified | Where-Object Passed -eq $false) -or ($status | Where-Object Status -ne 'OK')) {
    Write-Error 'Daily backup job needs attention (see above).'
    exit 1
}
