# The PostgreSQL tools a cmdlet starts die with its pwsh, also when pwsh is killed and no cleanup runs.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.02
    $repo = New-TestDirectory
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($repo) { Remove-Item -Recurse -Force $repo -ErrorAction SilentlyContinue }
}

Describe 'pg_dump and the pwsh that started it' {
    It 'pg_dump dies within seconds of a SIG<Signal> to pwsh, and its server session ends' -ForEach @(@{ Signal = 'KILL' }, @{ Signal = 'TERM' }) {
        $bin = New-TestDirectory
        # Records its pid, then becomes the real pg_dump (exec: the same pid and parent-death signal).
        Set-Content (Join-Path $bin 'pg_dump') "#!/bin/sh`n[ `"`$1`" = --version ] && exec /usr/lib/postgresql/15/bin/pg_dump --version`necho `$`$ > '$bin/pid'`nexec /usr/lib/postgresql/15/bin/pg_dump `"`$@`"`n"
        chmod +x (Join-Path $bin 'pg_dump')
        # pg_dump blocks on this lock with its snapshot open: the orphan a killed run used to leave behind.
        $locker = Start-TableLock $sandbox 'shippyar' 'orders'
        $child = $null
        try {
            $child = Start-ChildPwsh -Environment @{
                SHIPPYAR_PG_BINDIR = $bin; PGUSER = $sandbox.Credential.UserName; PGPASSWORD = $sandbox.Credential.GetNetworkCredential().Password
            } -Script @"
Import-Module `$env:SHIPPYAR_MODULE_PATH
Invoke-ShippyarBackup -Server $($sandbox.Server) -Port $($sandbox.Port) -Database shippyar -Repository '$repo' -LockWaitTimeout 0
"@
            Wait-Until { Test-Path "$bin/pid" } 60 | Should -BeTrue -Because "the child pwsh should start pg_dump: $(Get-ChildPwshOutput $child)"
            $dumpPid = [int](Get-Content "$bin/pid")
            # Its server session, waiting for the lock (pg_dump takes the tables' locks one LOCK TABLE at a time).
            $backendOf = "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'LOCK TABLE%orders%'"
            Wait-Until { $sandbox.QueryScalar('shippyar', $backendOf) } 30 | Should -BeTrue -Because 'pg_dump should be connected and waiting for the lock'
            $backend = $sandbox.QueryScalar('shippyar', $backendOf)

            /bin/kill -s $Signal $child.Id
            $LASTEXITCODE | Should -Be 0
            $child.WaitForExit(10000) | Should -BeTrue
            Wait-Until { -not (Test-ProcessRunning $dumpPid) } 5 | Should -BeTrue -Because 'pg_dump must not outlive the pwsh that started it'
        }
        finally {
            Stop-TableLock $sandbox $locker
            Stop-ChildPwsh $child
        }
        # Once the lock is free, the dead pg_dump's backend finds its client gone and ends: no session, no snapshot left.
        Wait-Until { $sandbox.QueryScalar('postgres', "SELECT count(*) FROM pg_stat_activity WHERE pid = $backend") -eq '0' } 15 | Should -BeTrue
        Get-ShippyarBackup -Repository $repo | Should -BeNullOrEmpty
        Remove-Item -Recurse -Force $bin
    }
}
