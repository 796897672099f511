#Requires -Version 7.4
<#
.SYNOPSIS
    Measures ShippyarDr's Daily and Weekly pipelines against the pg_dump floor and the seed plan's commands, and its Base
    backups against pg_basebackup and pgBackRest, in one run.
.DESCRIPTION
    Starts a sandbox PostgreSQL, loads the Shippyar sample schema at -Scale (20 is ~1.4 GB), then times, one after the
    other on the same machine:
      floor         pg_dump -Fc -Z0 > /dev/null
      seed daily    pg_dump -Fc -Z9 > file
      Daily         Invoke-ShippyarBackup (pg_dump -Z0 -> zstd -> OpenPGP AES-256 -> local repository)
      seed weekly   pg_dumpall > file; gzip file; gpg --symmetric --cipher-algo AES256 file
      Weekly        Invoke-ShippyarBackup -Tier Weekly (globals + every database, zstd, AES-256)
    and reports times and sizes as ratios. Each pipeline runs twice and its faster run counts (these virtual machines'
    speed drifts by a second between runs; every pipeline gets the same treatment). ShippyarDr runs in a child pwsh whose
    peak RSS (VmHWM) is reported, also at -RssScale. Compare ratios from one run, not seconds across runs.

    -Suite Base (or All) times physical base backups of one sandbox loaded at -Scale, with archive_mode on through
    pgBackRest's archive-push (loaded before archiving is turned on, so no backlog of segments is in any timing):
      pg_basebackup   pg_basebackup -Ft -c fast -X fetch -D - | zstd -3 -T2 > file (its WAL in the tar, as ShippyarDr's)
      pgBackRest      pgbackrest backup --type=full (2.45: compress-type=zst, compress-level=3, process-max=2, start-fast=y)
      Base            Invoke-ShippyarBackup -Tier Base -Checkpoint Fast (the preset: zstd 1), unencrypted as the others
      Base zstd 3     the same with -CompressionLevel 3, pgBackRest's level
    pgBackRest must be installed (apt-get install -y pgbackrest); it runs as the postgres OS account.

    -Suite Wal (or All) measures the WAL archive against pgBackRest 2.45 on one sandbox loaded at -Scale, archive_mode on:
      per segment     -WalSegments real segments (written by a load, copied as archived), pushed one process per segment
                      in order as PostgreSQL's archiver does: shippyar-dr wal-push (zstd 3; sync, and --async with a
                      spool) against pgbackrest archive-push (zst 3; sync, and archive-async=y, process-max=2), each into
                      a fresh repository; also shippyar-dr's start-up time and peak RSS per push
      write burst     -BurstMB of WAL with archive_command = each tool's async push: peak .ready segments (WAL waiting
                      behind the archiver), pg_wal's peak size, and the time until archiving caught up
      PITR            both archives fed by one archive_command, a base backup of each, -PitrMB of writes, a target time,
                      a TRUNCATE; each tool recovers to that time into a fresh directory (async WAL fetch for both),
                      started and timed until recovery ends; the rows present prove the target was reached
.EXAMPLE
    dotnet pwsh -NoProfile -File benchmarks/Invoke-Benchmark.ps1 -Scale 20 -RssScale 5
.EXAMPLE
    dotnet pwsh -NoProfile -File benchmarks/Invoke-Benchmark.ps1 -Suite Base -Scale 20
.EXAMPLE
    dotnet pwsh -NoProfile -File benchmarks/Invoke-Benchmark.ps1 -Suite Wal -Scale 20 -WalSegments 64 -BurstMB 2048
#>
param(
    [double] $Scale = 20,
    [double] $RssScale = 5,
    [ValidateSet('Logical', 'Base', 'Wal', 'All')] [string] $Suite = 'Logical',
    [int] $WalSegments = 64,
    [int] $BurstMB = 2048,
    [int] $PitrMB = 512,
    [string] $WorkDirectory = (Join-Path ([IO.Path]::GetTempPath()) "shippyar-bench-$PID")
)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
$module = Join-Path $root 'out/ShippyarDr/ShippyarDr.psd1'
if (-not (Test-Path $module)) { & (Join-Path $root 'build.ps1') -Task Build }
Import-Module $module
$bin = '/usr/lib/postgresql/15/bin'
New-Item -ItemType Directory -Force $WorkDirectory | Out-Null
$passFile = Join-Path $WorkDirectory 'pass'
Set-Content $passFile 'bench-Passphrase-1'

function Measure-Seconds([scriptblock] $Block) { $sw = [Diagnostics.Stopwatch]::StartNew(); & $Block | Out-Null; $sw.Elapsed.TotalSeconds }

# Runs a measurement (a scriptblock returning an object with Seconds) $Times times; keeps the fastest run.
function Get-Fastest([scriptblock] $Measurement, [int] $Times = 2) {
    1..$Times | ForEach-Object { & $Measurement } | Sort-Object Seconds | Select-Object -First 1
}

# Runs a ShippyarDr backup in a child pwsh; returns seconds, stored bytes and the child's peak RSS. -Extra is more
# parameters as PowerShell text (e.g. "Checkpoint = 'Fast'"); -Plain leaves the backup unencrypted.
function Invoke-ShippyarChild($Sandbox, [string] $Tier, [string] $Repository, [string] $Extra = '', [switch] $Plain) {
    $encryption = if ($Plain) { '' } else { "; PassphraseFile = '$passFile'" }
    $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$module'
`$cred = [pscredential]::new('postgres', (ConvertTo-SecureString `$env:BENCH_PW -AsPlainText -Force))
`$sw = [Diagnostics.Stopwatch]::StartNew()
`$args = @{ Server = '127.0.0.1'; Port = $($Sandbox.Port); Credential = `$cred; Repository = '$Repository'; Tier = '$Tier'$encryption }
if ('$Tier' -eq 'Daily') { `$args.Database = 'shippyar' }
`$args += @{ $Extra }
`$b = Invoke-ShippyarBackup @args
`$seconds = `$sw.Elapsed.TotalSeconds
`$hwm = (Get-Content /proc/self/status | Where-Object { `$_ -like 'VmHWM:*' }) -replace '\D', ''
"RESULT {0} {1} {2}" -f `$seconds, `$b.Size, `$hwm
"@
    $file = Join-Path $WorkDirectory 'child.ps1'
    Set-Content $file $script
    $env:BENCH_PW = $Sandbox.GetPassword()
    $exe = [Environment]::ProcessPath
    $prefix = @(if ((Split-Path -Leaf $exe) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' })
    $out = & $exe @prefix -NoProfile -NonInteractive -File $file
    $line = $out | Where-Object { $_ -like 'RESULT *' } | Select-Object -Last 1
    if (-not $line) { throw "The ShippyarDr child failed: $out" }
    $parts = $line.Split(' ')
    [pscustomobject]@{ Seconds = [double]$parts[1]; Bytes = [long]$parts[2]; PeakRssMB = [math]::Round([long]$parts[3] / 1024, 0) }
}

function Invoke-Round([double] $RoundScale, [switch] $Full) {
    $sandbox = New-ShippyarSandbox
    try {
        Write-Host "Loading the sample schema at scale $RoundScale..."
        $load = Measure-Seconds { $sandbox.CreateSampleDatabase('shippyar', $RoundScale) }
        $env:PGHOST = '127.0.0.1'; $env:PGPORT = $sandbox.Port; $env:PGUSER = 'postgres'; $env:PGPASSWORD = $sandbox.GetPassword()
        # Settle the cluster so autovacuum and a checkpoint after the load do not land in one pipeline's timing.
        $sandbox.Execute('shippyar', 'VACUUM ANALYZE')
        $sandbox.Execute('shippyar', 'CHECKPOINT')
        $dbSize = [long]$sandbox.QueryScalar('shippyar', "SELECT pg_database_size('shippyar')")
        Write-Host ("Loaded {0:N0} MB in {1:N0} s." -f ($dbSize / 1MB), $load)
        $rows = [ordered]@{}
        $times = if ($Full) { 2 } else { 1 }
        if ($Full) {
            $rows.floor = Get-Fastest { [pscustomobject]@{ Seconds = (Measure-Seconds { bash -c "$bin/pg_dump -Fc -Z0 -d shippyar > /dev/null" }); Bytes = $null } }
            $seedDaily = Join-Path $WorkDirectory 'seed.dump'
            $rows.'seed daily' = Get-Fastest {
                $seconds = Measure-Seconds { bash -c "$bin/pg_dump -Fc -Z9 -d shippyar > '$seedDaily'" }
                [pscustomobject]@{ Seconds = $seconds; Bytes = (Get-Item $seedDaily).Length }
                Remove-Item $seedDaily
            }
        }
        $repo = New-Item -ItemType Directory -Force (Join-Path $WorkDirectory "repo-$RoundScale")
        $rows.Daily = Get-Fastest -Times $times { Invoke-ShippyarChild $sandbox 'Daily' $repo; Get-ChildItem $repo | Remove-Item -Recurse -Force }
        if ($Full) {
            $seedWeekly = Join-Path $WorkDirectory 'cluster.sql'
            $rows.'seed weekly' = Get-Fastest {
                $seconds = Measure-Seconds { bash -c "set -e; $bin/pg_dumpall > '$seedWeekly'; gzip -f '$seedWeekly'; gpg --batch --yes --pinentry-mode loopback --passphrase-file '$passFile' --symmetric --cipher-algo AES256 '$seedWeekly.gz'" }
                [pscustomobject]@{ Seconds = $seconds; Bytes = (Get-Item "$seedWeekly.gz.gpg").Length }
                Remove-Item "$seedWeekly.gz", "$seedWeekly.gz.gpg"
            }
        }
        $rows.Weekly = Get-Fastest -Times $times { Invoke-ShippyarChild $sandbox 'Weekly' $repo; Get-ChildItem $repo | Remove-Item -Recurse -Force }
        Remove-Item -Recurse -Force $repo
        [pscustomobject]@{ Scale = $RoundScale; DatabaseMB = [math]::Round($dbSize / 1MB); Rows = $rows }
    }
    finally {
        'PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD' | ForEach-Object { Remove-Item "Env:$_" -ErrorAction SilentlyContinue }
        $sandbox | Remove-ShippyarSandbox -Confirm:$false
    }
}

# Base backups of one cluster: pg_basebackup | zstd, pgBackRest and ShippyarDr, each twice, the faster run counting.
function Invoke-BaseRound([double] $RoundScale) {
    if (-not (Get-Command pgbackrest -ErrorAction SilentlyContinue)) { throw 'pgBackRest is not installed: apt-get install -y pgbackrest' }
    $sandbox = New-ShippyarSandbox
    $pgbr = Join-Path $WorkDirectory 'pgbackrest'
    try {
        Write-Host "Loading the sample schema at scale $RoundScale..."
        $load = Measure-Seconds { $sandbox.CreateSampleDatabase('shippyar', $RoundScale) }
        $sandbox.Execute('shippyar', 'VACUUM ANALYZE')
        $dbSize = [long]$sandbox.QueryScalar('postgres', 'SELECT sum(pg_database_size(oid)) FROM pg_database')
        Write-Host ("Loaded {0:N0} MB in {1:N0} s." -f ($dbSize / 1MB), $load)
        $conf = New-PgBackRestConfig $pgbr $sandbox  # Wal.ps1: the one configuration both suites compare against
        # Archiving starts after the load: no backlog of segments waits in front of the backups' own.
        $sandbox.Execute('postgres', 'ALTER SYSTEM SET archive_mode = on')
        $sandbox.Execute('postgres', "ALTER SYSTEM SET archive_command = 'pgbackrest --config=$conf --stanza=bench archive-push %p'")
        $sandbox.Restart()
        runuser -u postgres -- pgbackrest "--config=$conf" --stanza=bench stanza-create | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "pgbackrest stanza-create failed (see $pgbr/log)" }
        $sandbox.Execute('postgres', 'CHECKPOINT')
        $env:PGPASSWORD = $sandbox.GetPassword()
        $rows = [ordered]@{}
        $tarFile = Join-Path $WorkDirectory 'base.tar.zst'
        $rows.pg_basebackup = Get-Fastest {
            $seconds = Measure-Seconds { bash -c "set -o pipefail; $bin/pg_basebackup -h 127.0.0.1 -p $($sandbox.Port) -U postgres -Ft -c fast -X fetch -D - | zstd -3 -T2 -q > '$tarFile'" }
            if ($LASTEXITCODE -ne 0) { throw 'pg_basebackup | zstd failed' }
            [pscustomobject]@{ Seconds = $seconds; Bytes = (Get-Item $tarFile).Length }
            Remove-Item $tarFile
        }
        function Get-RepoBytes { [long](Get-ChildItem -Recurse -File "$pgbr/repo/backup" -ErrorAction SilentlyContinue | Measure-Object Length -Sum).Sum }
        $rows.pgBackRest = Get-Fastest {
            $before = Get-RepoBytes
            $seconds = Measure-Seconds { runuser -u postgres -- pgbackrest "--config=$conf" --stanza=bench --type=full backup }
            if ($LASTEXITCODE -ne 0) { throw "pgbackrest backup failed (see $pgbr/log)" }
            [pscustomobject]@{ Seconds = $seconds; Bytes = (Get-RepoBytes) - $before }
        }
        $repo = New-Item -ItemType Directory -Force (Join-Path $WorkDirectory 'repo-base')
        $rows.Base = Get-Fastest { Invoke-ShippyarChild $sandbox 'Base' $repo "Checkpoint = 'Fast'" -Plain; Get-ChildItem $repo | Remove-Item -Recurse -Force }
        $rows.'Base zstd 3' = Get-Fastest { Invoke-ShippyarChild $sandbox 'Base' $repo "Checkpoint = 'Fast'; CompressionLevel = 3" -Plain; Get-ChildItem $repo | Remove-Item -Recurse -Force }
        [pscustomobject]@{ Scale = $RoundScale; DatabaseMB = [math]::Round($dbSize / 1MB); Rows = $rows }
    }
    finally {
        Remove-Item Env:PGPASSWORD -ErrorAction SilentlyContinue
        $sandbox | Remove-ShippyarSandbox -Confirm:$false
    }
}

. (Join-Path $PSScriptRoot 'Wal.ps1')

function Write-Rows($Round) {
    Write-Host "`nScale $($Round.Scale): database $($Round.DatabaseMB) MB"
    $Round.Rows.GetEnumerator() | ForEach-Object {
        [pscustomobject]@{
            Pipeline  = $_.Key
            Seconds   = [math]::Round($_.Value.Seconds, 1)
            SizeMB    = if ($_.Value.Bytes) { [math]::Round($_.Value.Bytes / 1MB, 1) }
            PeakRssMB = if ($_.Value.PSObject.Properties['PeakRssMB']) { $_.Value.PeakRssMB }
        }
    } | Format-Table -AutoSize | Out-String | Write-Host
}

try {
    if ($Suite -in 'Wal', 'All') {
        Write-WalReport (Invoke-WalRound $Scale $WalSegments ([long]$BurstMB * 1MB) ([long]$PitrMB * 1MB))
        if ($Suite -eq 'Wal') { return }
    }
    if ($Suite -in 'Base', 'All') {
        $base = Invoke-BaseRound $Scale
        $b = $base.Rows
        Write-Rows $base
        $ratios = [ordered]@{
            'Base time / pgBackRest time (target <= 1.0)'          = $b.Base.Seconds / $b.pgBackRest.Seconds
            'Base zstd 3 time / pgBackRest time'                   = $b.'Base zstd 3'.Seconds / $b.pgBackRest.Seconds
            'Base time / pg_basebackup | zstd time'                = $b.Base.Seconds / $b.pg_basebackup.Seconds
            'Base zstd 3 time / pg_basebackup | zstd time'         = $b.'Base zstd 3'.Seconds / $b.pg_basebackup.Seconds
            'Base size / pgBackRest size'                          = $b.Base.Bytes / $b.pgBackRest.Bytes
            'Base zstd 3 size / pgBackRest size'                   = $b.'Base zstd 3'.Bytes / $b.pgBackRest.Bytes
        }
        $ratios.GetEnumerator() | ForEach-Object { '{0,-50} {1:N2}' -f $_.Key, $_.Value } | Write-Host
        Write-Host ("Peak RSS of the Base backup: {0} MB (zstd 3: {1} MB)" -f $b.Base.PeakRssMB, $b.'Base zstd 3'.PeakRssMB)
        if ($Suite -eq 'Base') { return }
    }
    $main = Invoke-Round $Scale -Full
    $rss = if ($RssScale -ne $Scale) { Invoke-Round $RssScale } else { $main }
    $r = $main.Rows
    Write-Rows $main
    $ratios = [ordered]@{
        'Daily time / floor (target <= 1.3)'                  = $r.Daily.Seconds / $r.floor.Seconds
        'seed daily time / Daily time (target >= 4)'          = $r.'seed daily'.Seconds / $r.Daily.Seconds
        'Daily size / seed daily size (target <= 0.85)'       = $r.Daily.Bytes / $r.'seed daily'.Bytes
        'seed weekly time / Weekly time (target >= 4)'        = $r.'seed weekly'.Seconds / $r.Weekly.Seconds
        'Weekly size / seed weekly size'                      = $r.Weekly.Bytes / $r.'seed weekly'.Bytes
    }
    $ratios.GetEnumerator() | ForEach-Object { '{0,-50} {1:N2}' -f $_.Key, $_.Value } | Write-Host
    Write-Host ("Peak RSS (target <= 200 MB): scale {0}: Daily {1} MB, Weekly {2} MB; scale {3}: Daily {4} MB, Weekly {5} MB" -f `
        $rss.Scale, $rss.Rows.Daily.PeakRssMB, $rss.Rows.Weekly.PeakRssMB, $main.Scale, $r.Daily.PeakRssMB, $r.Weekly.PeakRssMB)
}
finally {
    Remove-Item -Recurse -Force $WorkDirectory -ErrorAction SilentlyContinue
}
