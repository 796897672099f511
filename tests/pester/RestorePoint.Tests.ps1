BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox
    $conn = Get-SandboxConnection $sandbox
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
}

Describe 'New-ShippyarRestorePoint' {
    It 'writes a named point into the WAL and says where, warning when the server does not archive' {
        $p = New-ShippyarRestorePoint -Name before-release-42 @conn -WarningVariable w -WarningAction SilentlyContinue
        $p.PSTypeNames | Should -Contain 'ShippyarDr.RestorePoint'
        $p.Name | Should -Be 'before-release-42'
        $p.Lsn | Should -Match '^[0-9A-F]+/[0-9A-F]+$'
        $p.WalFile | Should -Match '^[0-9A-F]{24}$'
        $p.Archiving | Should -BeFalse
        $w[0].Message | Should -Match 'does not archive WAL'
    }

    It 'takes the name from the pipeline by property name, and honours -WhatIf' {
        ([pscustomobject]@{ Name = 'piped-point' } | New-ShippyarRestorePoint @conn -WarningAction SilentlyContinue).Name | Should -Be 'piped-point'
        New-ShippyarRestorePoint -Name never-made @conn -WhatIf | Should -BeNullOrEmpty
    }

    It 'refuses a name over 63 bytes with a clear error' {
        $err = Get-ErrorRecords { New-ShippyarRestorePoint -Name ('x' * 64) @conn }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidRestorePointName,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'shows no S3 or passphrase parameters: it talks to a server only' {
        (Get-Command New-ShippyarRestorePoint).Parameters.Keys | Should -Not -Contain 'S3Endpoint'
        (Get-Command New-ShippyarRestorePoint).Parameters.Keys | Should -Not -Contain 'Passphrase'
    }
}
