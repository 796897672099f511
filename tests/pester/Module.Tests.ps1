BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
    $cmdlets = (Get-Module ShippyarDr).ExportedCmdlets.Keys | ForEach-Object { @{ Name = $_ } }
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Module conventions' {
    It 'exports an explicit cmdlet list from a manifest that requires PowerShell 7.4' {
        $manifest = Import-PowerShellDataFile $script:ModulePath
        $manifest.PowerShellVersion | Should -Be '7.4'
        $manifest.CmdletsToExport | Should -Not -Contain '*'
        $manifest.CmdletsToExport.Count | Should -Be (Get-Module ShippyarDr).ExportedCmdlets.Count
    }

    It '<Name> declares its output type and a Shippyar noun' -ForEach $cmdlets {
        $cmd = Get-Command $Name
        $cmd.Noun | Should -BeLike 'Shippyar*'
        $cmd.OutputType | Should -Not -BeNullOrEmpty
    }

    It 'has table views for the objects it returns' {
        foreach ($type in 'ShippyarDr.BackupInfo', 'ShippyarDr.VerificationResult', 'ShippyarDr.VerificationCheck', 'ShippyarDr.RestoreResult', 'ShippyarDr.BackupStatus', 'ShippyarDr.Leftover', 'ShippyarDr.WalArchivingState', 'ShippyarDr.WalArchiveStatus') {
            Get-FormatData -TypeName $type | Should -Not -BeNullOrEmpty -Because "$type needs a view"
        }
    }

    It 'ships shippyar-dr in bin/, runnable by the server''s OS account (archive_command runs as that user)' {
        $cli = Join-Path (Split-Path $script:ModulePath) 'bin/shippyar-dr'
        Test-Path $cli | Should -BeTrue
        $runAs = if ((id -u) -eq '0') { @('runuser', '-u', 'postgres', '--', $cli) } else { @($cli) }
        $out = & $runAs[0] @($runAs | Select-Object -Skip 1) --version
        $LASTEXITCODE | Should -Be 0
        $out | Should -BeLike 'shippyar-dr *'
        & $runAs[0] @($runAs | Select-Object -Skip 1) wal-fetch 2>$null
        $LASTEXITCODE | Should -Be 2
    }

    It 'cmdlets that change things support -WhatIf' {
        foreach ($name in 'Invoke-ShippyarBackup', 'Restore-ShippyarDatabase', 'Restore-ShippyarTableData', 'New-ShippyarSandbox', 'Remove-ShippyarSandbox', 'Remove-ShippyarLeftover', 'Enable-ShippyarWalArchiving', 'Disable-ShippyarWalArchiving') {
            (Get-Command $name).Parameters.Keys | Should -Contain 'WhatIf'
        }
    }
}
