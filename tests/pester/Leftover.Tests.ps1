BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.05
    $conn = Get-SandboxConnection $sandbox
    $repo = New-TestDirectory
    $backup = Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo
    function Get-DatabaseCount([string] $Name) { $sandbox.QueryScalar('postgres', "SELECT count(*) FROM pg_database WHERE datname = '$Name'") }
    # What a killed run leaves by hand: a database named with a token no session carries, and the run's comment.
    function New-DeadLeftover([string] $Prefix, [string] $Target) {
        $token = -join ((1..12) | ForEach-Object { '0123456789abcdef'[(Get-Random -Maximum 16)] })
        $name = "$Prefix$($token)_$($backup.Id.ToLower().Replace('-', '_'))"
        $sandbox.Execute('postgres', "CREATE DATABASE $name")
        $sandbox.Execute('postgres', "COMMENT ON DATABASE $name IS 'ShippyarDr run $token | Replaced | backup $($backup.Id) | database $Target'")
        [pscustomobject]@{ Name = $name; Token = $token }
    }
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($repo) { Remove-Item -Recurse -Force $repo -ErrorAction SilentlyContinue }
}

Describe 'Get-ShippyarLeftover and Remove-ShippyarLeftover' {
    It 'finds nothing on a clean server' {
        @(Get-ShippyarLeftover @conn).Count | Should -Be 0
    }

    It 'a restore killed with kill -9 leaves a staging database that is owned while the run lives, then a removable leftover' {
        # pg_restore that never finishes: the restore stays in its staging phase until its pwsh is killed.
        $bin = New-TestDirectory
        $pidFile = Join-Path $bin 'pg_restore.pid'
        Set-Content (Join-Path $bin 'pg_restore') "#!/bin/sh`n[ `"`$1`" = --version ] && exec /usr/lib/postgresql/15/bin/pg_restore --version`necho `$`$ > $pidFile`nexec sleep 120`n"
        chmod +x (Join-Path $bin 'pg_restore')
        $script = Join-Path $bin 'restore.ps1'
        Set-Content $script @'
Import-Module $env:SHIPPYAR_MODULE_PATH
$cred = [pscredential]::new('postgres', (ConvertTo-SecureString $env:SANDBOX_PASSWORD -AsPlainText -Force))
Restore-ShippyarDatabase -Repository $env:REPO -Id $env:BACKUP_ID -TargetDatabase shippyar_killed -Server 127.0.0.1 -Port $env:SANDBOX_PORT -Credential $cred
'@
        $psi = [System.Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
        if ((Split-Path -Leaf ([Environment]::ProcessPath)) -like 'dotnet*') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        foreach ($a in '-NoProfile', '-NonInteractive', '-File', $script) { $psi.ArgumentList.Add($a) }
        $psi.Environment['SHIPPYAR_MODULE_PATH'] = (Resolve-Path $script:ModulePath).Path
        $psi.Environment['SHIPPYAR_PG_BINDIR'] = $bin
        $psi.Environment['SANDBOX_PASSWORD'] = $sandbox.GetPassword()
        $psi.Environment['SANDBOX_PORT'] = [string]$sandbox.Port
        $psi.Environment['REPO'] = $repo
        $psi.Environment['BACKUP_ID'] = $backup.Id
        $child = [System.Diagnostics.Process]::Start($psi)
        try {
            $deadline = (Get-Date).AddSeconds(60)
            do { Start-Sleep -Milliseconds 200; $running = @(Get-ShippyarLeftover @conn) } until ($running.Count -gt 0 -and (Test-Path $pidFile) -or (Get-Date) -gt $deadline)
            $running.Count | Should -Be 1
            $running[0].PSTypeNames | Should -Contain 'ShippyarDr.Leftover'
            $running[0].Kind | Should -Be 'Staging'
            $running[0].Name | Should -Match "^shippyar_restore_$($running[0].RunToken)_"
            $running[0].TargetDatabase | Should -Be 'shippyar_killed'
            $running[0].BackupId | Should -Be $backup.Id
            $running[0].OwnedByLiveRun | Should -BeTrue
            $running[0] | Remove-ShippyarLeftover -Confirm:$false @conn -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'LeftoverInUse,*'
            Get-DatabaseCount $running[0].Name | Should -Be '1'

            $child.Kill()
            $child.WaitForExit()
        } finally {
            if (-not $child.HasExited) { $child.Kill(); $child.WaitForExit() }
            if (Test-Path $pidFile) { Stop-Process -Id ([int](Get-Content $pidFile)) -ErrorAction SilentlyContinue }
        }
        # The server ends the dead run's session; its database stays, no longer owned.
        $deadline = (Get-Date).AddSeconds(30)
        do { Start-Sleep -Milliseconds 200; $left = @(Get-ShippyarLeftover @conn) } until (-not $left[0].OwnedByLiveRun -or (Get-Date) -gt $deadline)
        $left.Count | Should -Be 1
        $left[0].Name | Should -Be $running[0].Name
        $left[0].InUse | Should -BeFalse
        ($left | Format-Table | Out-String) | Should -Match 'Staging'
        Get-DatabaseCount 'shippyar_killed' | Should -Be '0'

        $left | Remove-ShippyarLeftover -Confirm:$false @conn
        Get-DatabaseCount $left[0].Name | Should -Be '0'
        @(Get-ShippyarLeftover @conn).Count | Should -Be 0
        Remove-Item -Recurse -Force $bin
    }

    It 'a half-done swap (the replaced copy of a dead run) is listed, removed, and repaired by the next restore' {
        $dead = New-DeadLeftover 'shippyar_replaced_' 'shippyar'
        # The target itself is intact and takes connections.
        $sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM orders') | Should -Be (($backup.Tables | Where-Object Name -eq 'orders').Rows)
        $l = Get-ShippyarLeftover @conn
        $l.Kind | Should -Be 'Replaced'
        $l.Name | Should -Be $dead.Name
        $l.RunToken | Should -Be $dead.Token
        $l.TargetDatabase | Should -Be 'shippyar'
        $l.OwnedByLiveRun | Should -BeFalse
        $l.Size | Should -BeGreaterThan 0
        # Status reports it on the row of its database when given the server, and asks no server otherwise.
        $s = Get-ShippyarBackupStatus -Repository $repo @conn | Where-Object Database -eq 'shippyar'
        ($s.Status, $s.LeftoverCount) | Should -Be @('Warning', 1)
        $s.Reason | Should -Match ([regex]::Escape($dead.Name))
        (Get-ShippyarBackupStatus -Repository $repo | Where-Object Database -eq 'shippyar').LeftoverCount | Should -Be 0
        $l | Remove-ShippyarLeftover -Confirm:$false @conn
        Get-DatabaseCount $dead.Name | Should -Be '0'

        $again = New-DeadLeftover 'shippyar_replaced_' 'shippyar'
        $r = $backup | Restore-ShippyarDatabase -Force @conn -WarningVariable warnings -WarningAction SilentlyContinue
        $r.Passed | Should -BeTrue
        ($warnings | Out-String) | Should -Match ([regex]::Escape("Dropped $($again.Name)"))
        Get-DatabaseCount $again.Name | Should -Be '0'
        @(Get-ShippyarLeftover @conn).Count | Should -Be 0
    }

    It 'never removes a leftover someone is connected to' {
        $dead = New-DeadLeftover 'shippyar_replaced_' 'elsewhere'
        $name = $dead.Name
        $holder = Start-ThreadJob { ($using:sandbox).QueryScalar($using:name, 'SELECT pg_sleep(60)') }
        try {
            $deadline = (Get-Date).AddSeconds(20)
            while ((Get-ShippyarLeftover @conn).Sessions -ne 1 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
            $l = Get-ShippyarLeftover @conn
            $l.Sessions | Should -Be 1
            $l.InUse | Should -BeTrue
            $l | Remove-ShippyarLeftover -Confirm:$false @conn -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'LeftoverInUse,*'
            Get-DatabaseCount $dead.Name | Should -Be '1'
        } finally {
            $sandbox.Execute('postgres', "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$($dead.Name)'")
            $holder | Wait-Job -Timeout 20 | Remove-Job -Force
        }
        Get-ShippyarLeftover @conn | Remove-ShippyarLeftover -Confirm:$false @conn
        Get-DatabaseCount $dead.Name | Should -Be '0'
    }

    It 'lists partial backups of -Repository, and removes only those old enough' {
        $old = Join-Path $repo 'shippyar/20200101-000000D-dead'
        New-Item -ItemType Directory $old | Out-Null
        Set-Content (Join-Path $old 'data.dump.zst') 'interrupted'
        # Only -Repository: the server is not asked.
        $l = @(Get-ShippyarLeftover -Repository $repo)
        $l.Count | Should -Be 1
        $l[0].Kind | Should -Be 'PartialBackup'
        $l[0].Name | Should -Be 'shippyar/20200101-000000D-dead'
        $l[0].Repository | Should -Be $repo
        $l[0].InUse | Should -BeFalse
        @(Get-ShippyarLeftover -Repository $repo @conn).Count | Should -Be 1
        $l | Remove-ShippyarLeftover -WhatIf
        Test-Path (Join-Path $old 'data.dump.zst') | Should -BeTrue
        $l | Remove-ShippyarLeftover -Confirm:$false
        Test-Path (Join-Path $old 'data.dump.zst') | Should -BeFalse
        (Get-ShippyarBackup -Repository $repo -Tier Daily).Id | Should -Contain $backup.Id
    }

    It 'Remove-ShippyarLeftover declares ConfirmImpact High and ShouldProcess' {
        $meta = [System.Management.Automation.CommandMetadata]::new((Get-Command Remove-ShippyarLeftover))
        $meta.ConfirmImpact | Should -Be 'High'
        $meta.SupportsShouldProcess | Should -BeTrue
    }
}

Describe 'Runs of the same backup at the same time' {
    It 'two Test-ShippyarBackup -Level Restore runs both pass' {
        $jobs = 1..2 | ForEach-Object {
            Start-ThreadJob { $c = $using:conn; Import-Module $using:ModulePath; $using:backup | Test-ShippyarBackup -Level Restore @c }
        }
        $results = $jobs | Wait-Job -Timeout 120 | Receive-Job
        $jobs | Remove-Job -Force
        $results.Count | Should -Be 2
        $results | ForEach-Object { $_.Passed | Should -BeTrue }
        $results[0].ScratchDatabase | Should -Not -Be $results[1].ScratchDatabase
        @(Get-ShippyarLeftover @conn).Count | Should -Be 0
    }

    It 'two Restore-ShippyarDatabase runs into different targets both succeed' {
        $jobs = 'shippyar_twin_a', 'shippyar_twin_b' | ForEach-Object {
            Start-ThreadJob -ArgumentList $_ { param($target) $c = $using:conn; Import-Module $using:ModulePath; $using:backup | Restore-ShippyarDatabase -TargetDatabase $target @c }
        }
        $results = $jobs | Wait-Job -Timeout 120 | Receive-Job
        $jobs | Remove-Job -Force
        $results.Count | Should -Be 2
        $results | ForEach-Object { $_.Passed | Should -BeTrue }
        foreach ($t in 'shippyar_twin_a', 'shippyar_twin_b') {
            $sandbox.QueryScalar($t, 'SELECT count(*) FROM orders') | Should -Be $sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM orders')
        }
        @(Get-ShippyarLeftover @conn).Count | Should -Be 0
    }
}

Describe 'A base backup verification killed with its scratch cluster running' {
    It 'leaves a scratch cluster owned while the run lives, then one Remove-ShippyarLeftover stops and deletes' {
        $base = Invoke-ShippyarBackup @conn -Tier Base -Checkpoint Fast -Repository $repo
        # A SQL check that never ends keeps the verification inside its scratch cluster until it is killed.
        $child = Start-ChildPwsh -Environment @{ REPO = $repo; BACKUP_ID = $base.Id } @'
Import-Module $env:SHIPPYAR_MODULE_PATH
Test-ShippyarBackup -Repository $env:REPO -Id $env:BACKUP_ID -Level Restore -Check @{ Name = 'forever'; Sql = 'SELECT pg_sleep(600)'; Database = 'postgres'; Expected = '' }
'@
        try {
            $deadline = (Get-Date).AddSeconds(120)
            do { Start-Sleep -Milliseconds 300; $mine = @(Get-ShippyarLeftover -ScratchCluster | Where-Object { $_.BackupId -eq $base.Id -and $_.Server }) } until ($mine.Count -gt 0 -or (Get-Date) -gt $deadline)
            $mine.Count | Should -Be 1
            $mine[0].Kind | Should -Be 'ScratchCluster'
            $mine[0].OwnedByLiveRun | Should -BeTrue
            $mine[0].Size | Should -BeGreaterThan 0
            $mine[0] | Remove-ShippyarLeftover -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'LeftoverInUse,*'
            Test-Path $mine[0].Name | Should -BeTrue
            $child.Kill()
            $child.WaitForExit()
        } finally {
            Stop-ChildPwsh $child
        }
        # pg_ctl detached the scratch server: it outlives the killed verification.
        $left = @(Get-ShippyarLeftover -ScratchCluster | Where-Object BackupId -eq $base.Id)
        $left.Count | Should -Be 1
        $left[0].OwnedByLiveRun | Should -BeFalse
        $left[0].Server | Should -Be $mine[0].Server
        (ps -eo args | Out-String) | Should -Match ([regex]::Escape("$($left[0].Name)/data"))
        ($left | Format-Table | Out-String) | Should -Match 'ScratchCluster'

        $left | Remove-ShippyarLeftover -Confirm:$false
        Test-Path $left[0].Name | Should -BeFalse
        (ps -eo args | Out-String) | Should -Not -Match ([regex]::Escape("$($left[0].Name)/data"))
        @(Get-ShippyarLeftover -ScratchCluster | Where-Object BackupId -eq $base.Id).Count | Should -Be 0
    }
}
