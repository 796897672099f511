# Nothing waits forever: an S3 store that accepts connections and never answers, and a table another session locks.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.02
    $conn = Get-SandboxConnection $sandbox
    $repo = New-TestDirectory
    # The silent store: accepts every connection and holds it, never sending a byte.
    $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $silent.Start()
    $silentPort = $silent.LocalEndpoint.Port
    $held = [System.Collections.Concurrent.ConcurrentBag[object]]::new()
    $acceptor = Start-ThreadJob -ArgumentList $silent, $held {
        param($listener, $held)
        try { while ($true) { $held.Add($listener.AcceptTcpClient()) } } catch { }
    }
    $silentParams = @{
        S3Endpoint = "http://127.0.0.1:$silentPort"; S3Timeout = '1s'
        S3Credential = [pscredential]::new('key', (ConvertTo-SecureString 'not-a-secret' -AsPlainText -Force))
    }
    # 6 attempts × (1 s connect + 1 s without progress) + up to 31 s of backoff, plus slack for a busy machine.
    $bound = 6 * 2 + 31 + 10
}
AfterAll {
    if ($silent) { $silent.Stop() }
    if ($acceptor) { $acceptor | Wait-Job -Timeout 10 | Out-Null; $acceptor | Remove-Job -Force }
    if ($held) { foreach ($c in $held) { $c.Dispose() } }
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($repo) { Remove-Item -Recurse -Force $repo -ErrorAction SilentlyContinue }
}

Describe 'An S3 store that accepts connections and never answers' {
    It 'Get-ShippyarBackup fails within the bound with RepositoryTimeout naming the endpoint and the timeout' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Get-ShippyarBackup -Repository s3://silent-bucket/daily @silentParams -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $clock.Elapsed.TotalSeconds | Should -BeLessThan $bound
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RepositoryTimeout,*'
        $err[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $err[0].Exception.Message | Should -BeLike "*127.0.0.1:$silentPort*for 1 s*"
        $err[0].Exception.Message | Should -Match 's3://silent-bucket/daily'
        $err[0].Exception.Message | Should -Not -Match 'not-a-secret'
    }

    It 'Invoke-ShippyarBackup leaves it out, completes the backup locally and writes an error saying it is not there' {
        $before = @(Get-ShippyarBackup -Repository $repo).Count
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $b = Invoke-ShippyarBackup @conn @silentParams -Database shippyar -Repository $repo, s3://silent-bucket/daily -ErrorVariable err -ErrorAction SilentlyContinue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan ($bound + 30)
        @($b).Count | Should -Be 1
        $b.Repository | Should -Be (Resolve-Path $repo).Path
        @(Get-ShippyarBackup -Repository $repo).Count | Should -Be ($before + 1)
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RepositoryTimeout,*'
        $err[0].TargetObject | Should -Be 's3://silent-bucket/daily'
        $err[0].Exception.Message | Should -BeLike "Backup $($b.Id) could not be stored in s3://silent-bucket/daily, which could not be opened:*It is complete in $($b.Repository)."
    }

    It 'a timeout that is not positive is refused' {
        Get-ShippyarBackup -Repository s3://silent-bucket/daily -S3Endpoint "http://127.0.0.1:$silentPort" -S3Timeout 0 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidS3Options,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'A table locked exclusively by another session' {
    It 'fails Invoke-ShippyarBackup -LockWaitTimeout 2s with PgDumpLockTimeout after the wait, and lists no backup' {
        $before = @(Get-ShippyarBackup -Repository $repo).Count
        $locker = Start-TableLock $sandbox 'shippyar' 'orders'
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -LockWaitTimeout 2s -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 2
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 30
        }
        finally { Stop-TableLock $sandbox $locker }
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PgDumpLockTimeout,*'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $err[0].Exception.Message | Should -BeLike "*database 'shippyar'*2 s*orders*"
        @(Get-ShippyarBackup -Repository $repo).Count | Should -Be $before
        Get-ChildItem -Recurse -File (Join-Path $repo 'shippyar') | Where-Object { -not (Test-Path (Join-Path $_.DirectoryName 'manifest.json')) } | Should -BeNullOrEmpty
    }
}
