#Requires -Version 7.4
<#
.SYNOPSIS
    A point-in-time recovery drill on a sandbox: register a repository, turn on WAL archiving through shippyar-dr,
    take a base backup, write, make a mistake, and recover a copy of the cluster to the second before it.
.DESCRIPTION
    What a DBA does once per server (Register-ShippyarRepository, Enable-ShippyarWalArchiving, a scheduled
    Invoke-ShippyarBackup -Tier Base) and on the bad day (one Restore-ShippyarCluster call), end to end:
    - the repository is registered under a name in a configuration file of its own (SHIPPYAR_CONFIG), with its
      passphrase by reference (a file only the server's account and you can read), because archive_command runs
      with no session;
    - Enable-ShippyarWalArchiving says a restart is needed, the sandbox restarts, and a second call proves a segment
      archived end to end;
    - after a base backup and more orders, the time is noted and every shipment is deleted by mistake;
    - Restore-ShippyarCluster -TargetTime recovers a copy beside the sandbox, starts it, and the orders written before
      the noted time are there, with every shipment;
    - Test-ShippyarBackup -Level Recovery replays the whole archive in a scratch copy and reports the point reached.
    Imports the module from $env:SHIPPYAR_MODULE_PATH (set by build.ps1 -Task Demo) or from PSModulePath.
    Needs the PostgreSQL server binaries (initdb, pg_ctl, postgres, psql).
#>
param(
    # Sample data size: 1 is ~100k orders (~70 MB).
    [double] $SampleScale = 0.05
)
$ErrorActionPreference = 'Stop'
Import-Module ($env:SHIPPYAR_MODULE_PATH ? $env:SHIPPYAR_MODULE_PATH : 'ShippyarDr')

function Show { $input | Format-List | Out-String -Width 160 | Write-Host }
function Find-PgProgram([string] $Name) {
    $found = Get-Command $Name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($found) { return $found.Source }
    $dir = Get-ChildItem /usr/lib/postgresql/*/bin -Directory -ErrorAction SilentlyContinue | Sort-Object { [int]$_.Parent.Name } | Select-Object -Last 1
    if ($dir -and (Test-Path (Join-Path $dir $Name))) { return (Join-Path $dir $Name) }
    throw "$Name is not on PATH nor in /usr/lib/postgresql/*/bin."
}
function Invoke-Sql([int] $Port, [string] $Database, [string] $Sql) {
    $env:PGPASSWORD = $sandbox.GetPassword()
    try { (& (Find-PgProgram psql) -h 127.0.0.1 -p $Port -U $sandbox.Credential.UserName -d $Database -tAc $Sql).Trim() }
    finally { Remove-Item Env:PGPASSWORD }
}
$asRoot = [Environment]::UserName -eq 'root'

# Everything the server's OS account reads (the configuration, the passphrase file, the repository) lives here.
$work = Join-Path ([IO.Path]::GetTempPath()) "shippyar-pitr-drill-$PID"
New-Item -ItemType Directory -Path $work, (Join-Path $work 'repo'), (Join-Path $work 'config') | Out-Null
chmod 755 $work
$repository = Join-Path $work 'repo'
$passphraseFile = Join-Path $work 'passphrase'
Set-Content -Path $passphraseFile -Value ([Convert]::ToHexString([Security.Cryptography.RandomNumberGenerator]::GetBytes(16)))
chmod 600 $passphraseFile
$env:SHIPPYAR_CONFIG = Join-Path $work 'config/repositories.json'
$sandbox = $null
$recovered = $null
try {
    Write-Host "`n== Sandbox PostgreSQL with the Shippyar sample schema (scale $SampleScale)" -ForegroundColor Cyan
    $sandbox = New-ShippyarSandbox -SampleScale $SampleScale
    $connection = @{ Server = $sandbox.Server; Port = $sandbox.Port; Credential = $sandbox.Credential }
    # As root the sandbox's server runs as postgres: archive_command pushes as that account.
    if ($asRoot) { chown -R postgres: $repository $passphraseFile }

    Write-Host "== Register the repository 'drill' (passphrase by reference, never in the file)" -ForegroundColor Cyan
    # Machine scope writes the file 0640 with group postgres, so the server's account reads it; as the server's own
    # user (no root), the user's file is readable by it already.
    Register-ShippyarRepository -Name drill -Location $repository -PassphraseFile $passphraseFile -Scope ($asRoot ? 'Machine' : 'User') | Show

    Write-Host "== Enable WAL archiving (archive_mode needs a restart), restart, prove it" -ForegroundColor Cyan
    $first = Enable-ShippyarWalArchiving -Repository drill @connection -WarningAction SilentlyContinue
    $first | Show
    if ($first.RestartRequired) { $sandbox.Restart() }
    Enable-ShippyarWalArchiving -Repository drill @connection | Show

    Write-Host "== Base backup (what a nightly job runs)" -ForegroundColor Cyan
    $base = Invoke-ShippyarBackup -Tier Base -Checkpoint Fast -Repository drill @connection
    $base | Select-Object Id, Tier, Authentication, @{ n = 'WalFrom'; e = { $_.Physical.ArchiveNeededFrom } } | Show

    Write-Host "== The day goes on: new orders; then, by mistake, every shipment is deleted" -ForegroundColor Cyan
    $sandbox.Execute('shippyar', "INSERT INTO orders (id, user_id, status, total_cents, created_at, details) SELECT id + (SELECT max(id) FROM orders), user_id, 'new', total_cents, now(), details FROM orders ORDER BY id LIMIT 500")
    Start-Sleep -Seconds 1
    $noted = [DateTimeOffset]::Parse($sandbox.QueryScalar('postgres', "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD""T""HH24:MI:SS.US""Z""')"))
    $orders = $sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM orders')
    $shipments = $sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM shipments')
    Write-Host "Noted $($noted.ToString('u')): $orders orders, $shipments shipments."
    Start-Sleep -Seconds 1
    $sandbox.Execute('shippyar', 'DELETE FROM shipments')
    # archive_timeout would ship the segment within a minute; a drill does not wait for it.
    $last = $sandbox.QueryScalar('postgres', 'SELECT pg_walfile_name(pg_switch_wal())')
    $deadline = (Get-Date).AddSeconds(60)
    while ($sandbox.QueryScalar('postgres', "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver") -lt $last -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
    Write-Host "After the mistake: $($sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM shipments')) shipments."
    Get-ShippyarWalArchive -Repository drill @connection | Show

    Write-Host "== Recover a copy of the cluster to the noted second, and start it" -ForegroundColor Cyan
    $recovered = Restore-ShippyarCluster -Repository drill -DataDirectory (Join-Path $work 'recovered') -TargetTime $noted -Start -Confirm:$false
    $recovered | Show
    $back = @{ Orders = Invoke-Sql $recovered.Port shippyar 'SELECT count(*) FROM orders'; Shipments = Invoke-Sql $recovered.Port shippyar 'SELECT count(*) FROM shipments' }
    Write-Host "The recovered copy on port $($recovered.Port): $($back.Orders) orders, $($back.Shipments) shipments."

    Write-Host "== Prove the archive replays to its end (Test-ShippyarBackup -Level Recovery)" -ForegroundColor Cyan
    $proof = Get-ShippyarBackup -Repository drill -Tier Base -Latest | Test-ShippyarBackup -Level Recovery
    $proof | Select-Object BackupId, Level, Passed, RestoreDuration | Show
    $proof.Checks | Where-Object Name -match 'WAL|Replay|Recovery|point' | Format-Table -AutoSize | Out-String -Width 200 | Write-Host

    if ($back.Orders -ne $orders -or $back.Shipments -ne $shipments -or -not $proof.Passed) { throw 'The drill found a problem: see above.' }
    Write-Host "PITR drill complete: recovered to $($noted.ToString('u')) in $([int]($recovered.RestoreDuration + $recovered.ReplayDuration).TotalSeconds) s, the mistake undone." -ForegroundColor Green
}
finally {
    if ($recovered -and (Test-Path (Join-Path $recovered.DataDirectory 'postmaster.pid'))) {
        $pgCtl = Find-PgProgram pg_ctl
        if ($asRoot) { runuser -u postgres -- $pgCtl -D $recovered.DataDirectory -m fast -w stop | Out-Null } else { & $pgCtl -D $recovered.DataDirectory -m fast -w stop | Out-Null }
    }
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
    Remove-Item Env:SHIPPYAR_CONFIG -ErrorAction SilentlyContinue
}
