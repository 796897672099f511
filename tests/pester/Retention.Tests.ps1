BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.02
    $conn = Get-SandboxConnection $sandbox
    $repo = New-TestDirectory
    $backups = @(1..3 | ForEach-Object { Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo; Start-Sleep -Milliseconds 1100 })
    $oldest, $middle, $newest = $backups
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($repo) { Remove-Item -Recurse -Force $repo -ErrorAction SilentlyContinue }
}

Describe 'Invoke-ShippyarRetention and Remove-ShippyarBackup' {
    It 'Test-ShippyarBackup records that a backup passed, outside its folder' {
        $result = Get-ShippyarBackup -Repository $repo -Id $oldest.Id | Test-ShippyarBackup -Level Checksum
        $result.Passed | Should -BeTrue
        $record = Get-Content -Raw (Join-Path $repo "verification/db/shippyar/$($oldest.Id)/Checksum.json") | ConvertFrom-Json
        $record.Passed | Should -BeTrue
        $record.BackupId | Should -Be $oldest.Id
        @(Get-ChildItem (Join-Path $repo $oldest.Prefix)).Name | Should -Not -Contain 'Checksum.json'
    }

    It '-WhatIf explains every decision, returns them, and deletes nothing' {
        $decisions = @(Invoke-ShippyarRetention -Repository $repo -Tier Daily -KeepDays 0 -WhatIf)
        $decisions.Count | Should -Be 3
        $decisions | ForEach-Object { $_.Reason | Should -Not -BeNullOrEmpty; $_.GetType().FullName | Should -Be 'ShippyarDr.RetentionDecision' }
        ($decisions | Where-Object Id -eq $middle.Id).Action | Should -Be WouldRemove
        ($decisions | Where-Object Id -eq $middle.Id).Reason | Should -Match 'older than 0 days'
        ($decisions | Where-Object Id -eq $oldest.Id).Action | Should -Be Keep
        ($decisions | Where-Object Id -eq $oldest.Id).Reason | Should -Match 'passed verification'
        ($decisions | Where-Object Id -eq $newest.Id).Reason | Should -Match 'never left without a complete backup'
        @(Get-ShippyarBackup -Repository $repo).Count | Should -Be 3
        Test-Path (Join-Path $repo 'retention/lock.json') | Should -BeFalse
        # The table view shows the decision.
        ($decisions | Format-Table | Out-String) | Should -Match 'WouldRemove'
    }

    It 'a policy hashtable converts, and a real run removes what it said' {
        $decisions = @(Invoke-ShippyarRetention -Repository $repo -Policy @{ Daily = @{ KeepDays = 0 } } -Confirm:$false)
        ($decisions | Where-Object Id -eq $middle.Id).Action | Should -Be Removed
        @($decisions | Where-Object Action -eq Keep).Count | Should -Be 2
        @(Get-ShippyarBackup -Repository $repo).Id | Sort-Object | Should -Be (@($oldest.Id, $newest.Id) | Sort-Object)
        Test-Path (Join-Path $repo $middle.Prefix) | Should -BeFalse
    }

    It 'a registered policy applies when no -Policy is given' {
        $registered = New-RegisteredTestRepository -Name retained -Passphrase 'Kq9#retention-pass'
        try {
            Register-ShippyarRepository -Name retained -Location $registered.Repository -Force -RetentionPolicy @{ Daily = @{ KeepDays = 7; KeepMonthly = 2 }; WalDays = 3 } -Scope ([Environment]::UserName -eq 'root' ? 'Machine' : 'User') | Out-Null
            (Get-ShippyarRepository -Name retained).Retention | Should -Be 'Daily: 7 days, 2 monthly; WAL: 3 days'
            $b = Invoke-ShippyarBackup @conn -Database shippyar -Repository retained
            $decision = Invoke-ShippyarRetention -Repository retained -WhatIf | Where-Object Id -eq $b.Id
            $decision.Reason | Should -Match 'within 7 days'
            $decision.Reason | Should -Match 'monthly backup of'
        }
        finally { Restore-TestConfiguration $registered }
    }

    It 'Remove-ShippyarBackup removes a piped backup, then refuses the last one of its tier unless forced' {
        $removed = Get-ShippyarBackup -Repository $repo -Id $newest.Id | Remove-ShippyarBackup -Confirm:$false
        $removed.Action | Should -Be Removed
        @(Get-ShippyarBackup -Repository $repo).Id | Should -Be @($oldest.Id)

        $errors = Get-ErrorRecords { Get-ShippyarBackup -Repository $repo | Remove-ShippyarBackup -Confirm:$false }
        $errors[0].FullyQualifiedErrorId | Should -Match '^BackupRemovalRefused'
        $errors[0].Exception.Message | Should -Match 'only complete Daily backup'
        @(Get-ShippyarBackup -Repository $repo).Count | Should -Be 1

        Get-ShippyarBackup -Repository $repo | Remove-ShippyarBackup -Force -WhatIf | Should -BeNullOrEmpty
        @(Get-ShippyarBackup -Repository $repo).Count | Should -Be 1
        (Get-ShippyarBackup -Repository $repo | Remove-ShippyarBackup -Force -Confirm:$false).Action | Should -Be Removed
        @(Get-ShippyarBackup -Repository $repo).Count | Should -Be 0
        Test-Path (Join-Path $repo "verification/db/shippyar/$($oldest.Id)") | Should -BeFalse
    }
}
