BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.05
    $conn = Get-SandboxConnection $sandbox
    $repo = New-TestDirectory
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($repo) { Remove-Item -Recurse -Force $repo -ErrorAction SilentlyContinue }
}

Describe 'Get-ShippyarBackupStatus' {
    It 'is OK after fresh backups and reports age, size and count' {
        1..3 | ForEach-Object { Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo } | Out-Null
        $s = Get-ShippyarBackupStatus -Repository $repo -MaxAge 26h
        $s.GetType().FullName | Should -Be 'ShippyarDr.BackupStatus'
        $s.Database | Should -Be 'shippyar'
        $s.Status | Should -Be 'OK'
        $s.BackupCount | Should -Be 3
        $s.Age | Should -BeLessThan ([TimeSpan]::FromMinutes(5))
        $s.LastSize | Should -BeGreaterThan 0
        $s.MedianSize | Should -BeGreaterThan 0
    }

    It 'alerts when the last backup is older than MaxAge (shorthand durations)' {
        Start-Sleep -Seconds 2
        # Unquoted, PowerShell reads 1s as a [short] and 7d as a [decimal]: both must still mean seconds and days.
        $s = Get-ShippyarBackupStatus -Repository $repo -MaxAge 1s
        (Get-ShippyarBackupStatus -Repository $repo -MaxAge 7d).Status | Should -Be 'OK'
        $s.Status | Should -Be 'Alert'
        $s.Reason | Should -Match 'old'
    }

    It 'alerts for a database that must have backups but has none' {
        $s = Get-ShippyarBackupStatus -Repository $repo -Database shippyar, billing | Where-Object Database -eq billing
        $s.Status | Should -Be 'Alert'
        $s.Reason | Should -Match 'No complete'
    }

    It 'warns when the last backup is under half the median size (a truncated backup)' {
        # Lose most of the data, as a bad migration or a truncating bug would, then back up.
        $sandbox.Execute('shippyar', 'TRUNCATE order_items, shipments, orders, users')
        Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo | Out-Null
        $s = Get-ShippyarBackupStatus -Repository $repo -Database shippyar
        $s.Status | Should -Be 'Warning'
        $s.Reason | Should -Match 'median'
    }

    It 'warns about a backup that started after the last complete one and never finished' {
        $last = Get-ShippyarBackup -Repository $repo -Latest
        $later = $last.EndTime.UtcDateTime.AddMinutes(1).ToString('yyyyMMdd-HHmmss') + 'D-dead'
        $dir = New-Item -ItemType Directory (Join-Path $repo "backup/db/shippyar/$later")
        Set-Content (Join-Path $dir 'data.dump') 'partial'
        $s = Get-ShippyarBackupStatus -Repository $repo -Database shippyar
        $s.IncompleteCount | Should -Be 1
        $s.Reason | Should -Match 'never finished'
        (Get-ShippyarBackup -Repository $repo).Id | Should -Not -Contain $later
    }

    It 'rejects a malformed MaxAge and a missing repository with clear errors' {
        { Get-ShippyarBackupStatus -Repository $repo -MaxAge 'soon' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,*'
        Get-ShippyarBackupStatus -Repository (Join-Path $repo nope) -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RepositoryNotFound,*'
    }
}
