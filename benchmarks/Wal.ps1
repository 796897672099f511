# The WAL suite of Invoke-Benchmark.ps1 (dot-sourced: it uses its $module, $bin, $WorkDirectory, Measure-Seconds and
# Invoke-ShippyarChild). One sandbox, archive_mode on, three parts measured in one run against pgBackRest:
#   1. per-segment pushes of the same real segments, one process per segment in order, as PostgreSQL's archiver runs
#      them (sync and async), plus the CLI's start-up time and peak RSS per push;
#   2. a write burst with archive_command set to each tool's async push: how far pg_wal grows behind the archiver;
#   3. point-in-time recovery of the same target from a base backup and the WAL archived after it.

$script:SegmentBytes = 16MB

# A bash -c child (its own redirections), without waiting: Start-Process would not quote the script.
function Start-Child([string] $Script) {
    $psi = [Diagnostics.ProcessStartInfo]::new('bash')
    $psi.ArgumentList.Add('-c'); $psi.ArgumentList.Add($Script)
    $psi.UseShellExecute = $false
    [Diagnostics.Process]::Start($psi)
}

function Get-FreePort {
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop(); $port
}

function Invoke-AsPostgres([string] $Program, [string[]] $Arguments) {
    $out = runuser -u postgres -- $Program @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$Program $($Arguments -join ' ') failed ($LASTEXITCODE): $out" }
    $out
}

function New-PostgresDirectory([string] $Path) {
    New-Item -ItemType Directory -Force $Path | Out-Null
    chown postgres: $Path
    chmod 700 $Path
    $Path
}

function Invoke-Psql($Sandbox, [string] $Sql, [string] $Database = 'shippyar') {
    $out = & psql -X -q -At -v ON_ERROR_STOP=1 -h $Sandbox.RootDirectory -p $Sandbox.Port -U postgres -d $Database -c $Sql 2>&1
    if ($LASTEXITCODE -ne 0) { throw "psql failed: $out" }
    $out
}

# WAL of compressible-but-not-trivial rows (text like an orders table's), in committed batches, until $Bytes of WAL.
function Initialize-WalLoad($Sandbox) {
    Invoke-Psql $Sandbox @'
CREATE TABLE IF NOT EXISTS walgen (id bigint, code text, note text, amount numeric);
CREATE OR REPLACE PROCEDURE walgen_load(target bigint) LANGUAGE plpgsql AS $$
DECLARE start pg_lsn := pg_current_wal_lsn(); n bigint := coalesce((SELECT max(id) FROM walgen), 0);
BEGIN
  WHILE pg_wal_lsn_diff(pg_current_wal_lsn(), start) < target LOOP
    INSERT INTO walgen SELECT n + g, md5((n + g)::text), 'order ' || (n + g) || ' ' || repeat(md5(g::text), 2), (g % 9973) / 100.0
      FROM generate_series(1, 50000) g;
    n := n + 50000;
    COMMIT;
  END LOOP;
END $$;
'@ | Out-Null
}

function Get-Archiver($Sandbox) {
    $row = (Invoke-Psql $Sandbox "SELECT coalesce(last_archived_wal, ''), failed_count, coalesce(last_failed_wal, '') FROM pg_stat_archiver" 'postgres') -split '\|'
    [pscustomobject]@{ LastArchived = $row[0]; Failed = [long]$row[1]; LastFailed = $row[2] }
}

function Get-ReadyCount($Sandbox) { @(Get-ChildItem (Join-Path $Sandbox.DataDirectory 'pg_wal/archive_status') -Filter '*.ready' -ErrorAction SilentlyContinue).Count }

function Get-PgWalBytes($Sandbox) {
    [long](Get-ChildItem -File (Join-Path $Sandbox.DataDirectory 'pg_wal') -ErrorAction SilentlyContinue | Measure-Object Length -Sum).Sum
}

# Switches to a new segment and waits until the archiver has archived the one it closed (and nothing waits).
function Wait-ArchiverIdle($Sandbox, [int] $TimeoutSeconds = 600) {
    $closed = Invoke-Psql $Sandbox 'SELECT pg_walfile_name(pg_switch_wal())' 'postgres'
    $deadline = (Get-Date).AddSeconds($TimeoutSeconds)
    while ((Get-Date) -lt $deadline) {
        $a = Get-Archiver $Sandbox
        if ([string]::CompareOrdinal($a.LastArchived, $closed) -ge 0 -and (Get-ReadyCount $Sandbox) -eq 0) { return $closed }
        Start-Sleep -Milliseconds 250
    }
    throw "The archiver did not archive $closed within $TimeoutSeconds s (last failed: $((Get-Archiver $Sandbox).LastFailed); see $($Sandbox.LogFile))"
}

function Set-ArchiveCommand($Sandbox, [string] $Command) {
    Invoke-Psql $Sandbox "ALTER SYSTEM SET archive_command = '$($Command.Replace("'", "''"))'" 'postgres' | Out-Null
    $Sandbox.Restart()
}

# Waits (never kills) until no process whose command line holds $Marker runs: the async pushers exit when idle.
function Wait-NoProcess([string] $Marker, [int] $TimeoutSeconds = 60) {
    $deadline = (Get-Date).AddSeconds($TimeoutSeconds)
    while ((Get-Date) -lt $deadline) {
        pgrep -f -- $Marker | Out-Null
        if ($LASTEXITCODE -ne 0) { return }
        Start-Sleep -Milliseconds 250
    }
    Write-Warning "Processes matching $Marker still run after $TimeoutSeconds s."
}

function New-PgBackRestConfig([string] $Directory, $Sandbox, [switch] $Async) {
    New-PostgresDirectory $Directory | Out-Null
    New-PostgresDirectory "$Directory/repo" | Out-Null
    New-PostgresDirectory "$Directory/log" | Out-Null
    $asyncLines = if ($Async) { New-PostgresDirectory "$Directory/spool" | Out-Null; "archive-async=y`nspool-path=$Directory/spool`n" } else { '' }
    $conf = "$Directory/pgbackrest.conf"
    Set-Content $conf @"
[global]
repo1-path=$Directory/repo
log-path=$Directory/log
lock-path=$Directory/log
compress-type=zst
compress-level=3
process-max=2
start-fast=y
repo1-retention-full=99
$asyncLines[bench]
pg1-path=$($Sandbox.DataDirectory)
pg1-port=$($Sandbox.Port)
pg1-socket-path=$($Sandbox.RootDirectory)
pg1-user=postgres
"@
    chown -R postgres: $Directory
    $conf
}

# Part 1: each tool archives the same segments, one process per segment and in order, from a copy of a data
# directory (PG_VERSION, pg_control, pg_wal with every segment .ready): the archiver's view, without a server that
# would archive them itself. After each success the .ready becomes .done, as PostgreSQL does.
# What a tool stored for the segments it pushed: the compressed data objects under its repository, in MB.
function Get-StoredMB([string] $Under) {
    [math]::Round(((Get-ChildItem -Recurse -File $Under -ErrorAction SilentlyContinue | Where-Object Name -match '\.zst' | Measure-Object Length -Sum).Sum) / 1MB, 1)
}

function Measure-SegmentPushes([string] $FakeData, [string[]] $Segments, [string] $Pool, [string] $Label, [scriptblock] $CommandFor, [string] $Wrapper = '') {
    Remove-Item -Recurse -Force "$FakeData/pg_wal" -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force "$FakeData/pg_wal/archive_status" | Out-Null
    foreach ($s in $Segments) {
        Copy-Item "$Pool/$s" "$FakeData/pg_wal/$s"
        New-Item -ItemType File "$FakeData/pg_wal/archive_status/$s.ready" | Out-Null
    }
    chown -R postgres: $FakeData
    sync   # the copies written back first: no tool pays for flushing them in its own fsyncs
    $lines = @('#!/bin/bash', 'set -e', "cd '$FakeData'", 'start=$(date +%s%N)')
    foreach ($s in $Segments) {
        $lines += "$Wrapper$(& $CommandFor "pg_wal/$s")"
        $lines += "mv pg_wal/archive_status/$s.ready pg_wal/archive_status/$s.done"
        $lines += 'echo "SEG $(date +%s%N)"'
    }
    $lines += 'end=$(date +%s%N)', 'echo "RESULT $(( (end - start) / 1000000 ))"'
    $file = Join-Path $WorkDirectory "push-$Label.sh"
    Set-Content $file ($lines -join "`n")
    chmod 755 $file
    $out = runuser -u postgres -- bash $file 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$Label pushes failed: $($out | Select-Object -Last 5)" }
    $ms = [double](($out | Where-Object { $_ -like 'RESULT *' } | Select-Object -Last 1) -replace 'RESULT ', '')
    # Each push's own time, to see whether it grows with the archive: the median of the first and of the last eighth.
    $marks = [double[]]@($out | Where-Object { $_ -like 'SEG *' } | ForEach-Object { [double]($_ -replace 'SEG ', '') / 1e6 })
    $each = @(for ($k = 1; $k -lt $marks.Count; $k++) { $marks[$k] - $marks[$k - 1] })
    $eighth = [math]::Max(1, [math]::Floor($each.Count / 8))
    $median = { param($v) $v = @($v | Sort-Object); if ($v.Count) { $v[[math]::Floor($v.Count / 2)] } }
    [pscustomobject]@{ Label = $Label; Segments = $Segments.Count; TotalMs = $ms; MsPerSegment = $ms / $Segments.Count; Output = $out
        FirstMs = & $median ($each | Select-Object -First $eighth); LastMs = & $median ($each | Select-Object -Last $eighth) }
}

function Get-MedianMs([scriptblock] $Block, [int] $Times = 11) {
    $ms = 1..$Times | ForEach-Object { $sw = [Diagnostics.Stopwatch]::StartNew(); & $Block | Out-Null; $sw.Elapsed.TotalMilliseconds } | Sort-Object
    $ms[[int][math]::Floor($Times / 2)]
}

# Part 2: a write burst of $Bytes of WAL with the archive_command already set; samples pg_wal every 0.5 s.
function Measure-Burst($Sandbox, [string] $Label, [long] $Bytes, [int] $TimeoutSeconds = 1200) {
    Invoke-Psql $Sandbox 'TRUNCATE walgen' | Out-Null
    Invoke-Psql $Sandbox 'CHECKPOINT' | Out-Null
    Wait-ArchiverIdle $Sandbox | Out-Null
    $failedBefore = (Get-Archiver $Sandbox).Failed
    $baseline = Get-PgWalBytes $Sandbox
    $startLsn = Invoke-Psql $Sandbox 'SELECT pg_current_wal_lsn()'
    $err = Join-Path $WorkDirectory "burst-$Label.err"
    $load = Start-Child "exec psql -X -q -v ON_ERROR_STOP=1 -h '$($Sandbox.RootDirectory)' -p $($Sandbox.Port) -U postgres -d shippyar -c 'CALL walgen_load($Bytes)' > '$err.out' 2> '$err'"
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $samples = [Collections.Generic.List[object]]::new()
    $loadEnd = $null
    try {
        while ($true) {
            $ready = Get-ReadyCount $Sandbox
            $samples.Add([pscustomobject]@{ Seconds = $clock.Elapsed.TotalSeconds; PgWal = (Get-PgWalBytes $Sandbox); Ready = $ready })
            if ($null -eq $loadEnd -and $load.HasExited) { $loadEnd = $clock.Elapsed.TotalSeconds }
            if ($null -ne $loadEnd -and $ready -eq 0) { break }
            if ($clock.Elapsed.TotalSeconds -gt $TimeoutSeconds) { throw "$Label burst: archiving did not catch up within $TimeoutSeconds s ($ready segments waiting)" }
            Start-Sleep -Milliseconds 500
        }
    }
    finally {
        if (-not $load.HasExited) { $load.Kill(); $load.WaitForExit() }
    }
    $load.WaitForExit()
    if ($load.ExitCode -ne 0) { throw "The $Label burst load failed: $(Get-Content $err -Raw)" }
    $caughtUp = $clock.Elapsed.TotalSeconds
    $wal = [long](Invoke-Psql $Sandbox "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$startLsn')")
    $peakReady = ($samples | Measure-Object Ready -Maximum).Maximum
    $peakWal = ($samples | Measure-Object PgWal -Maximum).Maximum
    [pscustomobject]@{
        Label = $Label; WalMB = [math]::Round($wal / 1MB); LoadSeconds = $loadEnd; CaughtUpSeconds = $caughtUp
        CatchUpAfterLoad = $caughtUp - $loadEnd; PeakReady = $peakReady; PeakBehindMB = $peakReady * $script:SegmentBytes / 1MB
        BaselinePgWalMB = [math]::Round($baseline / 1MB); PeakPgWalMB = [math]::Round($peakWal / 1MB); PeakGrowthMB = [math]::Round(($peakWal - $baseline) / 1MB)
        FailedPushes = (Get-Archiver $Sandbox).Failed - $failedBefore; Samples = $samples.Count
    }
}

# Starts a restored data directory (archive_mode off, its own port and socket) and times until recovery has ended.
function Measure-Recovery([string] $DataDirectory, [int] $Port, [string] $Socket, [string] $Log) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    Invoke-AsPostgres "$bin/pg_ctl" @('-D', $DataDirectory, '-l', $Log, '-W', '-o', "-p $Port -k $Socket -c archive_mode=off -c listen_addresses=''", 'start') | Out-Null
    $deadline = (Get-Date).AddMinutes(30)
    while ($true) {
        $state = & psql -X -At -h $Socket -p $Port -U postgres -d postgres -c 'SELECT pg_is_in_recovery()' 2>$null
        if ($state -eq 'f') { break }
        $pidFile = Join-Path $DataDirectory 'postmaster.pid'
        if ($clock.Elapsed.TotalSeconds -gt 15 -and -not (Test-Path $pidFile)) { throw "The restored server on $DataDirectory stopped: $(Get-Content $Log -Tail 5)" }
        if ((Get-Date) -gt $deadline) { throw "Recovery of $DataDirectory did not end in 30 minutes" }
        Start-Sleep -Milliseconds 200
    }
    $seconds = $clock.Elapsed.TotalSeconds
    $rows = [long](& psql -X -At -h $Socket -p $Port -U postgres -d shippyar -c 'SELECT count(*) FROM walgen')
    $stop = (Select-String -Path $Log -Pattern 'recovery stopping .*' | Select-Object -First 1).Matches.Value
    [pscustomobject]@{ Seconds = $seconds; Rows = $rows; Stop = $stop }
}

function Stop-Restored([string] $DataDirectory) {
    if (Test-Path (Join-Path $DataDirectory 'postmaster.pid')) { runuser -u postgres -- "$bin/pg_ctl" -D $DataDirectory -m immediate -w stop 2>&1 | Out-Null }
}

# The physical Restore-ShippyarCluster (point-in-time recovery) when this build has it; otherwise the same steps by
# hand through the engine it would use (BaseBackupRestore, then RecoveryConfiguration with a shippyar-dr wal-fetch
# restore_command), which no cmdlet exposes yet. Returns restore and replay seconds and what the server reached.
function Invoke-ShippyarPitr([string] $Repository, [string] $DataDirectory, [string] $TargetTime, [int] $Port, [string] $Socket, [string] $Cli, [string] $Spool, [string] $Password) {
    $cmd = Get-Command Restore-ShippyarCluster -ErrorAction SilentlyContinue
    if ($cmd -and $cmd.Parameters.ContainsKey('TargetTime')) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $r = Restore-ShippyarCluster -Repository $Repository -DataDirectory $DataDirectory -TargetTime ([datetimeoffset]::Parse($TargetTime)) -Start -StartPort $Port -OsUser postgres -Confirm:$false
        $total = $clock.Elapsed.TotalSeconds
        $seconds = { param($pattern) $v = ($r.PSObject.Properties | Where-Object { $_.Name -like $pattern } | Select-Object -First 1).Value; if ($v -is [timespan]) { $v.TotalSeconds } else { [double]$v } }
        $env:PGPASSWORD = $Password
        try { $rows = [long](& psql -X -At -h 127.0.0.1 -p $Port -U postgres -d shippyar -c 'SELECT count(*) FROM walgen') }
        finally { Remove-Item Env:PGPASSWORD -ErrorAction SilentlyContinue }
        return [pscustomobject]@{ How = 'Restore-ShippyarCluster -TargetTime'; RestoreSeconds = (& $seconds '*Restore*Duration*'); ReplaySeconds = (& $seconds '*Replay*Duration*'); TotalSeconds = $total; Rows = $rows; Stop = "$($r.PointReached)" }
    }
    Write-Host 'PITR not available in this build (Restore-ShippyarCluster has no -TargetTime): timing the engine''s base backup restore and a shippyar-dr wal-fetch recovery by hand.'
    $engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'ShippyarDr.Core' } | Select-Object -First 1
    $backup = Get-ShippyarBackup -Repository $Repository -Tier Base | Sort-Object EndTime | Select-Object -Last 1
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $factory = $engine.GetType('ShippyarDr.Repository.RepositoryFactory', $true)
    $requestType = $engine.GetType('ShippyarDr.Physical.BaseBackupRestoreRequest', $true)
    $restoreType = $engine.GetType('ShippyarDr.Physical.BaseBackupRestore', $true)
    $targetType = $engine.GetType('ShippyarDr.Recovery.RecoveryTarget', $true)
    $configuration = $engine.GetType('ShippyarDr.Recovery.RecoveryConfiguration', $true)
    $store = $factory::Open($Repository)
    try {
        $request = $requestType::new()
        $request.Backup = $backup
        $request.DataDirectory = $DataDirectory
        $restoreType::new($null).Run($request, $store, [Threading.CancellationToken]::None) | Out-Null
    }
    finally { if ($store -is [IDisposable]) { $store.Dispose() } }
    $target = $targetType::AtTime([datetimeoffset]::Parse($TargetTime))
    $configuration::Write($DataDirectory,
        "$Cli wal-fetch %f %p --repository $Repository --async --spool-directory $Spool", $target, [datetimeoffset]::UtcNow) | Out-Null
    chown postgres: (Join-Path $DataDirectory 'recovery.signal') (Join-Path $DataDirectory 'postgresql.auto.conf')
    $restore = $clock.Elapsed.TotalSeconds
    $replay = Measure-Recovery $DataDirectory $Port $Socket (Join-Path (Split-Path $DataDirectory) 'shippyar-restored.log')
    [pscustomobject]@{ How = 'engine by hand (BaseBackupRestore + wal-fetch --async)'; RestoreSeconds = $restore; ReplaySeconds = $replay.Seconds; TotalSeconds = $restore + $replay.Seconds; Rows = $replay.Rows; Stop = $replay.Stop }
}

function Invoke-WalRound([double] $RoundScale, [int] $Segments, [long] $BurstBytes, [long] $PitrBytes) {
    if (-not (Get-Command pgbackrest -ErrorAction SilentlyContinue)) { throw 'pgBackRest is not installed: apt-get install -y pgbackrest' }
    $cli = Join-Path $root 'out/ShippyarDr/bin/shippyar-dr'
    $sandbox = New-ShippyarSandbox
    $w = New-PostgresDirectory (Join-Path $WorkDirectory 'wal')
    $restored = [Collections.Generic.List[string]]::new()
    try {
        Write-Host "Loading the sample schema at scale $RoundScale..."
        $sandbox.CreateSampleDatabase('shippyar', $RoundScale)
        $sandbox.Execute('shippyar', 'VACUUM ANALYZE')
        $dbSize = [long]$sandbox.QueryScalar('postgres', 'SELECT sum(pg_database_size(oid)) FROM pg_database')
        Initialize-WalLoad $sandbox
        $pool = New-PostgresDirectory "$w/segments"
        Invoke-Psql $sandbox 'ALTER SYSTEM SET archive_mode = on' 'postgres' | Out-Null
        Set-ArchiveCommand $sandbox "test ! -f $pool/%f && cp %p $pool/%f"
        $result = [ordered]@{ Scale = $RoundScale; DatabaseMB = [math]::Round($dbSize / 1MB); LoadAverageAtStart = (Get-Content /proc/loadavg) }

        # --- 1. per-segment pushes -------------------------------------------------------------------------------
        Wait-ArchiverIdle $sandbox | Out-Null
        $first = Invoke-Psql $sandbox 'SELECT pg_walfile_name(pg_current_wal_lsn())'
        Write-Host "Writing $($Segments + 2) segments of WAL..."
        Invoke-Psql $sandbox "CALL walgen_load($(($Segments + 2) * $script:SegmentBytes))" | Out-Null
        Wait-ArchiverIdle $sandbox | Out-Null
        $names = @(Get-ChildItem $pool | Where-Object { $_.Name -match '^[0-9A-F]{24}$' -and $_.Name -gt $first } | Sort-Object Name | Select-Object -First $Segments -ExpandProperty Name)
        if ($names.Count -lt $Segments) { throw "Only $($names.Count) segments were written" }
        $fake = New-PostgresDirectory "$w/fake-data"
        New-Item -ItemType Directory -Force "$fake/global" | Out-Null
        Copy-Item (Join-Path $sandbox.DataDirectory 'PG_VERSION') $fake
        Copy-Item (Join-Path $sandbox.DataDirectory 'global/pg_control') "$fake/global/"
        $pushes = [ordered]@{}
        $i = 0
        function New-ShippyarRepo { New-PostgresDirectory "$w/shippyar-repo-$((++$script:repoCount))" }
        $repo = New-ShippyarRepo
        $pushes.'shippyar-dr sync' = Measure-SegmentPushes $fake $names $pool 'shippyar-sync' { param($p) "$cli wal-push $p --repository $repo" }
        $pushes.'shippyar-dr sync' | Add-Member StoredMB (Get-StoredMB "$repo/wal")
        # Pairs that are compared run one right after the other: this shared machine's speed drifts.
        $conf = New-PgBackRestConfig "$w/pgbr-sync" $sandbox
        Invoke-AsPostgres pgbackrest @("--config=$conf", '--stanza=bench', 'stanza-create') | Out-Null
        $pushes.'pgbackrest sync' = Measure-SegmentPushes $fake $names $pool 'pgbr-sync' { param($p) "pgbackrest --config=$conf --stanza=bench --pg1-path=$fake archive-push $p" }
        $pushes.'pgbackrest sync' | Add-Member StoredMB (Get-StoredMB "$w/pgbr-sync/repo/archive")
        # ShippyarDr's preset is zstd 1 (every tier's); at pgBackRest's level 3 too, for the like-for-like figure.
        $repo = New-ShippyarRepo
        $pushes.'shippyar-dr sync zstd 3' = Measure-SegmentPushes $fake $names $pool 'shippyar-sync-3' { param($p) "$cli wal-push $p --repository $repo --compression-level 3" }
        $pushes.'shippyar-dr sync zstd 3' | Add-Member StoredMB (Get-StoredMB "$repo/wal")
        $repo = New-ShippyarRepo; $spool = New-PostgresDirectory "$w/shippyar-spool-1"
        $pushes.'shippyar-dr async' = Measure-SegmentPushes $fake $names $pool 'shippyar-async' { param($p) "$cli wal-push $p --repository $repo --async --spool-directory $spool" }
        Wait-NoProcess $spool
        $conf = New-PgBackRestConfig "$w/pgbr-async" $sandbox -Async
        Invoke-AsPostgres pgbackrest @("--config=$conf", '--stanza=bench', 'stanza-create') | Out-Null
        $pushes.'pgbackrest async' = Measure-SegmentPushes $fake $names $pool 'pgbr-async' { param($p) "pgbackrest --config=$conf --stanza=bench --pg1-path=$fake archive-push $p" }
        Wait-NoProcess $conf
        $result.Pushes = $pushes

        # Start-up and peak RSS per push (untimed passes over fresh repositories; /usr/bin/time reports the foreground
        # process, a poller the detached background pusher's VmHWM).
        $result.StartupMs = Get-MedianMs { & $cli --version }
        $result.PgBackRestStartupMs = Get-MedianMs { & pgbackrest version }
        $few = $names | Select-Object -First ([math]::Min(8, $names.Count))
        $rssOf = { param($r) [long[]]@($r.Output | Where-Object { $_ -like 'RSS *' } | ForEach-Object { $_ -replace 'RSS ', '' }) | Measure-Object -Maximum }
        $repo = New-ShippyarRepo
        $result.SyncPushRssKB = (& $rssOf (Measure-SegmentPushes $fake $few $pool 'rss-sync' { param($p) "$cli wal-push $p --repository $repo" } "/usr/bin/time -f 'RSS %M' ")).Maximum
        $conf = New-PgBackRestConfig "$w/pgbr-rss" $sandbox
        Invoke-AsPostgres pgbackrest @("--config=$conf", '--stanza=bench', 'stanza-create') | Out-Null
        $result.PgBackRestPushRssKB = (& $rssOf (Measure-SegmentPushes $fake $few $pool 'rss-pgbr' { param($p) "pgbackrest --config=$conf --stanza=bench --pg1-path=$fake archive-push $p" } "/usr/bin/time -f 'RSS %M' ")).Maximum
        $repo = New-ShippyarRepo; $spool = New-PostgresDirectory "$w/shippyar-spool-rss"
        $hwm = Join-Path $WorkDirectory 'worker-hwm'
        $poller = Start-Child "while :; do for p in `$(pgrep -f 'wal-push-[w]orker .*$spool'); do grep VmHWM /proc/`$p/status 2>/dev/null; done; sleep 0.1; done > '$hwm'"
        try {
            $result.AsyncPushRssKB = (& $rssOf (Measure-SegmentPushes $fake $names $pool 'rss-async' { param($p) "$cli wal-push $p --repository $repo --async --spool-directory $spool" } "/usr/bin/time -f 'RSS %M' ")).Maximum
            Wait-NoProcess "wal-push-[w]orker .*$spool"
        }
        finally { if (-not $poller.HasExited) { $poller.Kill() }; $poller.Dispose() }
        $result.WorkerRssKB = (Get-Content $hwm -ErrorAction SilentlyContinue | ForEach-Object { [long]($_ -replace '\D', '') } | Measure-Object -Maximum).Maximum

        # --- 2. write burst ---------------------------------------------------------------------------------------
        $bursts = [ordered]@{}
        $repo = New-ShippyarRepo; $spool = New-PostgresDirectory "$w/shippyar-spool-burst"
        Set-ArchiveCommand $sandbox "$cli wal-push %p --repository $repo --async --spool-directory $spool"
        Write-Host "Burst of $([math]::Round($BurstBytes / 1MB)) MB of WAL, shippyar-dr wal-push --async..."
        $bursts.'shippyar-dr async' = Measure-Burst $sandbox 'shippyar' $BurstBytes
        $conf = New-PgBackRestConfig "$w/pgbr-burst" $sandbox -Async
        Set-ArchiveCommand $sandbox "pgbackrest --config=$conf --stanza=bench archive-push %p"
        Invoke-AsPostgres pgbackrest @("--config=$conf", '--stanza=bench', 'stanza-create') | Out-Null
        Write-Host "Burst of $([math]::Round($BurstBytes / 1MB)) MB of WAL, pgbackrest archive-push (archive-async)..."
        $bursts.'pgbackrest async' = Measure-Burst $sandbox 'pgbackrest' $BurstBytes
        $result.Bursts = $bursts
        Wait-NoProcess $spool
        Wait-NoProcess $conf

        # --- 3. point-in-time recovery ----------------------------------------------------------------------------
        # Both archives get every segment from one archive_command, both base backups are taken, then the same writes;
        # each tool recovers to the same target time into a fresh directory (async WAL fetch for both).
        $repo = New-ShippyarRepo; $spool = New-PostgresDirectory "$w/shippyar-spool-pitr"
        $conf = New-PgBackRestConfig "$w/pgbr-pitr" $sandbox -Async
        Set-ArchiveCommand $sandbox "pgbackrest --config=$conf --stanza=bench archive-push %p && $cli wal-push %p --repository $repo"
        Invoke-AsPostgres pgbackrest @("--config=$conf", '--stanza=bench', 'stanza-create') | Out-Null
        Invoke-Psql $sandbox 'TRUNCATE walgen' | Out-Null
        Wait-ArchiverIdle $sandbox | Out-Null
        Write-Host 'Base backups for the PITR...'
        Invoke-AsPostgres pgbackrest @("--config=$conf", '--stanza=bench', '--type=full', 'backup') | Out-Null
        $cred = [pscredential]::new('postgres', (ConvertTo-SecureString $sandbox.GetPassword() -AsPlainText -Force))
        Invoke-ShippyarBackup -Server 127.0.0.1 -Port $sandbox.Port -Credential $cred -Repository $repo -Tier Base -Checkpoint Fast | Out-Null
        chown -R postgres: $repo
        Write-Host "Writing $([math]::Round($PitrBytes / 1MB)) MB of WAL after the backups, then the target, then a TRUNCATE..."
        Invoke-Psql $sandbox "CALL walgen_load($PitrBytes)" | Out-Null
        $rowsAtTarget = [long](Invoke-Psql $sandbox 'SELECT count(*) FROM walgen')
        Start-Sleep -Milliseconds 1200
        $targetTime = Invoke-Psql $sandbox "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'"
        Start-Sleep -Milliseconds 1200
        Invoke-Psql $sandbox 'TRUNCATE walgen' | Out-Null
        Wait-ArchiverIdle $sandbox | Out-Null
        $socket = New-PostgresDirectory "$w/sockets"
        $pitr = [ordered]@{}

        $dir = "$w/restore-pgbackrest"; $restored.Add($dir)
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Invoke-AsPostgres pgbackrest @("--config=$conf", '--stanza=bench', "--pg1-path=$dir", '--type=time', "--target=$targetTime", '--target-action=promote', 'restore') | Out-Null
        $restoreSeconds = $clock.Elapsed.TotalSeconds
        $replay = Measure-Recovery $dir ((Get-FreePort)) $socket "$w/pgbackrest-restored.log"
        $pitr.pgbackrest = [pscustomobject]@{ How = 'pgbackrest restore --type=time (archive-async)'; RestoreSeconds = $restoreSeconds; ReplaySeconds = $replay.Seconds; TotalSeconds = $restoreSeconds + $replay.Seconds; Rows = $replay.Rows; Stop = $replay.Stop }
        Stop-Restored $dir; Remove-Item -Recurse -Force $dir

        $dir = "$w/restore-shippyar"; $restored.Add($dir)
        try {
            $pitr.'shippyar-dr' = Invoke-ShippyarPitr $repo $dir $targetTime ((Get-FreePort)) $socket $cli (New-PostgresDirectory "$w/shippyar-spool-fetch") $sandbox.GetPassword()
        }
        catch { Write-Warning "ShippyarDr PITR failed: $_"; $pitr.'shippyar-dr' = $null }
        Stop-Restored $dir
        $result.Pitr = $pitr
        $result.LoadAverageAtEnd = Get-Content /proc/loadavg
        $result.RowsAtTarget = $rowsAtTarget
        $result.TargetTime = $targetTime
        [pscustomobject]$result
    }
    finally {
        foreach ($dir in $restored) { Stop-Restored $dir }
        $sandbox | Remove-ShippyarSandbox -Confirm:$false
        # Background pushers exit on their own once idle (never killed by name); their spools go with the work directory.
        Wait-NoProcess "$w/" 30
        Remove-Item -Recurse -Force $w -ErrorAction SilentlyContinue
    }
}

function Write-WalReport($Round) {
    Write-Host "`nWAL suite, scale $($Round.Scale): database $($Round.DatabaseMB) MB; /proc/loadavg at start $($Round.LoadAverageAtStart), at end $($Round.LoadAverageAtEnd) (2 cores, shared)"
    $p = $Round.Pushes
    $p.GetEnumerator() | ForEach-Object { [pscustomobject]@{ Tool = $_.Key; Segments = $_.Value.Segments; TotalSeconds = [math]::Round($_.Value.TotalMs / 1000, 2); MsPerSegment = [math]::Round($_.Value.MsPerSegment, 1)
        'Ms early (median, first 1/8)' = [math]::Round($_.Value.FirstMs); 'Ms late (median, last 1/8)' = [math]::Round($_.Value.LastMs); StoredMB = $_.Value.StoredMB } } |
        Format-Table -AutoSize | Out-String -Width 250 | Write-Host
    Write-Host ("Start-up (--version, median of 11): shippyar-dr {0:N1} ms, pgbackrest version {1:N1} ms" -f $Round.StartupMs, $Round.PgBackRestStartupMs)
    Write-Host ("Peak RSS per push: shippyar-dr sync {0:N0} MB, async foreground {1:N0} MB, background pusher {2:N0} MB; pgbackrest archive-push {3:N0} MB" -f `
        ($Round.SyncPushRssKB / 1024), ($Round.AsyncPushRssKB / 1024), ($Round.WorkerRssKB / 1024), ($Round.PgBackRestPushRssKB / 1024))
    $b = $Round.Bursts
    $b.Values | ForEach-Object { [pscustomobject]@{ Tool = $_.Label; WalMB = $_.WalMB; LoadS = [math]::Round($_.LoadSeconds, 1); CaughtUpS = [math]::Round($_.CaughtUpSeconds, 1)
        CatchUpAfterLoadS = [math]::Round($_.CatchUpAfterLoad, 1); PeakReady = $_.PeakReady; PeakBehindMB = $_.PeakBehindMB; PgWalMB = "$($_.BaselinePgWalMB) -> $($_.PeakPgWalMB)"; FailedPushes = $_.FailedPushes } } |
        Format-Table -AutoSize | Out-String -Width 250 | Write-Host
    $t = $Round.Pitr
    Write-Host "PITR target $($Round.TargetTime) ($($Round.RowsAtTarget) rows of walgen committed before it; a TRUNCATE after it)"
    $t.GetEnumerator() | ForEach-Object { if ($_.Value) { [pscustomobject]@{ Tool = $_.Key; How = $_.Value.How; RestoreS = [math]::Round($_.Value.RestoreSeconds, 1); ReplayS = [math]::Round($_.Value.ReplaySeconds, 1)
        TotalS = [math]::Round($_.Value.TotalSeconds, 1); Rows = $_.Value.Rows; TargetReached = ($_.Value.Rows -eq $Round.RowsAtTarget) } } } |
        Format-Table -AutoSize | Out-String -Width 250 | Write-Host
    $ratios = [ordered]@{
        'wal-push sync / archive-push sync, ms per segment (target <= 1.0)'   = $p.'shippyar-dr sync'.MsPerSegment / $p.'pgbackrest sync'.MsPerSegment
        'wal-push sync at zstd 3 / archive-push sync (both level 3)'          = $p.'shippyar-dr sync zstd 3'.MsPerSegment / $p.'pgbackrest sync'.MsPerSegment
        'wal-push async / archive-push async, ms per segment (target <= 1.0)' = $p.'shippyar-dr async'.MsPerSegment / $p.'pgbackrest async'.MsPerSegment
        'wal-push async / wal-push sync'                                      = $p.'shippyar-dr async'.MsPerSegment / $p.'shippyar-dr sync'.MsPerSegment
        'burst: peak WAL behind the archiver, shippyar-dr / pgbackrest'       = if ($b.'pgbackrest async'.PeakReady) { $b.'shippyar-dr async'.PeakReady / $b.'pgbackrest async'.PeakReady }
        'burst: time until archiving caught up, shippyar-dr / pgbackrest'     = $b.'shippyar-dr async'.CaughtUpSeconds / $b.'pgbackrest async'.CaughtUpSeconds
    }
    if ($t.'shippyar-dr') {
        $ratios.'PITR restore time, ShippyarDr / pgbackrest'        = $t.'shippyar-dr'.RestoreSeconds / $t.pgbackrest.RestoreSeconds
        $ratios.'PITR replay time, ShippyarDr / pgbackrest'         = $t.'shippyar-dr'.ReplaySeconds / $t.pgbackrest.ReplaySeconds
        $ratios.'PITR restore + replay, ShippyarDr / pgbackrest'    = $t.'shippyar-dr'.TotalSeconds / $t.pgbackrest.TotalSeconds
    }
    $ratios.GetEnumerator() | ForEach-Object { '{0,-70} {1:N2}' -f $_.Key, $_.Value } | Write-Host
}
