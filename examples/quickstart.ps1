#Requires -Version 7.4
<#
.SYNOPSIS
    The whole job on a sandbox: start PostgreSQL with sample data, take an encrypted, authenticated backup, list it,
    verify it by restore (its authenticity first), check status, restore into a new database, bring back a day of
    deleted orders into the live database, preview retention, read the audit trail, and clean up.
.DESCRIPTION
    Imports the module from $env:SHIPPYAR_MODULE_PATH (set by build.ps1 -Task Demo) or from PSModulePath.
    Needs the PostgreSQL server binaries (initdb, pg_ctl, pg_dump, pg_restore, psql).
#>
param(
    # Sample data size: 1 is ~100k orders (~70 MB).
    [double] $SampleScale = 0.2
)
$ErrorActionPreference = 'Stop'
Import-Module ($env:SHIPPYAR_MODULE_PATH ? $env:SHIPPYAR_MODULE_PATH : 'ShippyarDr')

# Tables as a DBA reads them in a wide terminal, whatever the width of the console this runs in.
function Show { $input | Format-Table -AutoSize | Out-String -Width 220 | Write-Host }

$repository = Join-Path ([IO.Path]::GetTempPath()) "shippyar-quickstart-$PID"
New-Item -ItemType Directory -Path $repository | Out-Null
# The passphrase from an environment variable, as a scheduler would give it: it encrypts the backup and its MAC proves
# the manifest was written by someone who holds it.
$env:SHIPPYAR_QUICKSTART_PASSPHRASE = [Convert]::ToHexString([Security.Cryptography.RandomNumberGenerator]::GetBytes(16))
$secret = @{ PassphraseVariable = 'SHIPPYAR_QUICKSTART_PASSPHRASE' }
$sandbox = $null
try {
    Write-Host "`n== Sandbox PostgreSQL with the Shippyar sample schema (scale $SampleScale)" -ForegroundColor Cyan
    $sandbox = New-ShippyarSandbox -SampleScale $SampleScale
    $sandbox | Show
    # Server, Port and Credential of the sandbox bind by property name.
    $connection = @{ Server = $sandbox.Server; Port = $sandbox.Port; Credential = $sandbox.Credential }

    Write-Host "== Backup (zstd, OpenPGP AES-256, manifest sealed by a MAC)" -ForegroundColor Cyan
    $backup = Invoke-ShippyarBackup @connection @secret -Database shippyar -Repository $repository
    $backup | Show
    $backup | Select-Object Id, Authentication, Prefix | Show
    $backup.Tables | Select-Object Schema, Name, Rows | Show

    Write-Host "== List" -ForegroundColor Cyan
    Get-ShippyarBackup -Repository $repository | Show

    Write-Host "== Verify: authenticity, then a restore into a scratch database" -ForegroundColor Cyan
    $check = @{ Name = 'every order has a user'; Sql = 'SELECT count(*) FROM orders o LEFT JOIN users u ON u.id = o.user_id WHERE u.id IS NULL'; Expected = 0 }
    $verification = Get-ShippyarBackup -Repository $repository -Latest | Test-ShippyarBackup -Level Restore -Check $check @connection @secret
    $verification | Show
    $verification.Checks | Show

    Write-Host "== Status" -ForegroundColor Cyan
    Get-ShippyarBackupStatus -Repository $repository -MaxAge 26h | Show

    Write-Host "== Restore into a new database" -ForegroundColor Cyan
    $restore = Get-ShippyarBackup -Repository $repository -Latest | Restore-ShippyarDatabase -TargetDatabase shippyar_restored @connection @secret
    $restore | Show
    $restore.Tables | Show

    Write-Host "== A day of orders deleted by mistake, brought back from the backup (only those rows, in one transaction)" -ForegroundColor Cyan
    $day = $sandbox.QueryScalar('shippyar', "SELECT (now() - interval '10 days')::date::text")
    $range = "created_at >= '$day' AND created_at < date '$day' + 1"
    $dayOrders = $sandbox.QueryScalar('shippyar', "SELECT count(*) FROM orders WHERE $range")
    $sandbox.Execute('shippyar', "DELETE FROM shipments WHERE order_id IN (SELECT id FROM orders WHERE $range); DELETE FROM order_items WHERE order_id IN (SELECT id FROM orders WHERE $range); DELETE FROM orders WHERE $range")
    Write-Host "Deleted the $dayOrders orders of $day, their items and shipments."
    # -Where runs in a scratch copy of the three tables only; order_items and shipments follow the orders selected.
    $partial = Get-ShippyarBackup -Repository $repository -Latest |
        Restore-ShippyarTableData -Table orders, order_items, shipments -Where $range -TargetDatabase shippyar -OnConflict DoNothing -Force @connection @secret
    $partial | Show
    $back = $sandbox.QueryScalar('shippyar', "SELECT count(*) FROM orders WHERE $range")

    Write-Host "== Retention: what a run would remove, and why (-WhatIf deletes nothing)" -ForegroundColor Cyan
    Invoke-ShippyarRetention -Repository $repository -WhatIf | Select-Object Subject, Action, Tier, Id, Reason | Show

    Write-Host "== Audit trail: one record per operation, in the repository's log" -ForegroundColor Cyan
    Get-ShippyarAuditLog -Repository $repository | Show

    if (-not $verification.Passed -or -not $verification.Authenticated -or -not $restore.Passed) { throw 'The quickstart found a problem: see the failed checks above.' }
    if ($back -ne $dayOrders) { throw "The partial restore brought back $back of the $dayOrders orders of $day." }
    Write-Host "Quickstart complete: backup authenticated, verified and restored; a deleted day of orders restored in place." -ForegroundColor Green
}
finally {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    Remove-Item -Recurse -Force $repository -ErrorAction SilentlyContinue
    Remove-Item Env:SHIPPYAR_QUICKSTART_PASSPHRASE -ErrorAction SilentlyContinue
}
