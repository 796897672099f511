# Each cmdlet's parameter list, exactly (as dbatools tests every command): a parameter added, renamed or lost is a
# change to what scripts call, and shows up here first.
BeforeDiscovery {
    $expected = [ordered]@{
        'Copy-ShippyarBackup'      = 'Destination Id InputObject KmsKeyId Repository S3Credential S3Endpoint S3PathStyle S3Region S3Timeout ServerSideEncryption StorageClass'
        'Get-ShippyarAuditLog'     = 'AuditCredential AuditDatabase AuditServer Database KmsKeyId Last Operation Repository S3Credential S3Endpoint S3PathStyle S3Region S3Timeout ServerSideEncryption Since Status Tier Until'
        'Get-ShippyarBackup'       = 'Database Id KmsKeyId Latest Repository S3Credential S3Endpoint S3PathStyle S3Region S3Timeout ServerSideEncryption Tier'
        'Get-ShippyarBackupStatus' = 'ConnectionString Credential Database KmsKeyId MaxAge Port Repository S3Credential S3Endpoint S3PathStyle S3Region S3Timeout Server ServerSideEncryption'
        'Get-ShippyarRepository'   = 'Name Scope'
        'Get-ShippyarWalArchive'   = 'ConnectionString Credential KmsKeyId Port Repository S3Credential S3Endpoint S3PathStyle S3Region S3Timeout Server ServerSideEncryption'
        'Enable-ShippyarWalArchiving' = 'ArchiveTimeout ConnectionString Credential Port Repository Server'
        'Disable-ShippyarWalArchiving' = 'ConnectionString Credential Port Server'
        'Get-ShippyarLeftover'     = 'ConnectionString Credential KmsKeyId Port Repository S3Credential S3Endpoint S3PathStyle S3Region S3Timeout ScratchCluster Server ServerSideEncryption'
        'Invoke-ShippyarBackup'    = 'Checkpoint Compression CompressionLevel ConnectionString Credential Database KmsKeyId LockWaitTimeout ObjectLockDays ObjectLockMode Passphrase PassphraseFile PassphraseVariable Port Recipient RecipientKeyFile Repository S3Credential S3Endpoint S3PathStyle S3Region S3Timeout Server ServerSideEncryption SigningKeyFile SigningKeyPassphrase StorageClass Tier'
        'Initialize-ShippyarRole'  = 'BackupLogin BackupRole ConnectionString Credential Physical Port RecoveryLogin RecoveryRole Server'
        'New-ShippyarRestorePoint' = 'ConnectionString Credential Name Port Server'
        'New-ShippyarSandbox'      = 'Port SampleDatabase SampleScale'
        'Invoke-ShippyarRetention' = 'Database IncompleteGrace KeepDays KmsKeyId Policy Repository S3Credential S3Endpoint S3PathStyle S3Region S3Timeout ServerSideEncryption Tier WalDays'
        'Remove-ShippyarBackup'    = 'Force InputObject KmsKeyId S3Credential S3Endpoint S3PathStyle S3Region S3Timeout ServerSideEncryption'
        'Register-ShippyarRepository' = 'AuditDatabase AuditPasswordFile AuditPasswordVariable AuditServer AuditUser Default Force KmsKeyId Location Name PassphraseFile PassphraseVariable Recipient RecipientKeyFile RetentionPolicy S3AccessKeyVariable S3Endpoint S3PathStyle S3Profile S3Region S3SecretKeyVariable S3Timeout Scope SecretKeyFile SecretKeyPassphraseFile SecretKeyPassphraseVariable ServerSideEncryption SignerKeyFile SigningKeyFile SigningKeyPassphraseFile SigningKeyPassphraseVariable'
        'Remove-ShippyarLeftover'  = 'ConnectionString Credential InputObject KmsKeyId Port S3Credential S3Endpoint S3PathStyle S3Region S3Timeout Server ServerSideEncryption'
        'Remove-ShippyarSandbox'   = 'InputObject'
        'Restore-ShippyarCluster'  = 'AllowUnauthenticated ConnectionString Credential Database DataDirectory Force Id InputObject KmsKeyId Latest LockWaitTimeout OsUser Passphrase PassphraseFile PassphraseVariable Port Repository S3Credential S3Endpoint S3PathStyle S3Region S3Timeout SecretKeyFile SecretKeyPassphrase Server ServerSideEncryption SignerKeyFile SigningKeyFile SigningKeyPassphrase SkipGlobals Start StartPort TablespaceLocation TargetLsn TargetName TargetTime TargetXid'
        'Restore-ShippyarDatabase' = 'AllowUnauthenticated ConnectionString Credential Force Id InputObject KmsKeyId LockWaitTimeout NoOwner Passphrase PassphraseFile PassphraseVariable Port Repository S3Credential S3Endpoint S3PathStyle S3Region S3Timeout SecretKeyFile SecretKeyPassphrase Server ServerSideEncryption SignerKeyFile SigningKeyFile SigningKeyPassphrase SourceDatabase TargetDatabase'
        'Restore-ShippyarTableData' = 'AllowUnauthenticated ConnectionString Credential Force Id InputObject KmsKeyId OnConflict Passphrase PassphraseFile PassphraseVariable Port Repository S3Credential S3Endpoint S3PathStyle S3Region S3Timeout SecretKeyFile SecretKeyPassphrase Server ServerSideEncryption SignerKeyFile SourceDatabase Table TargetDatabase TargetLsn TargetName TargetTime TargetXid Where'
        'Unregister-ShippyarRepository' = 'Name Scope'
        'Test-ShippyarBackup'      = 'AllowUnauthenticated Check ConnectionString Credential Id InputObject KmsKeyId Level Passphrase PassphraseFile PassphraseVariable Port Repository S3Credential S3Endpoint S3PathStyle S3Region S3Timeout SecretKeyFile SecretKeyPassphrase Server ServerSideEncryption SignerKeyFile'
    }
    $cases = @($expected.GetEnumerator() | ForEach-Object { @{ Name = $_.Key; Parameters = $_.Value } })
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Parameters of <Name>' -ForEach $cases {
    It 'are exactly the documented ones' {
        $actual = (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object
        ($actual -join ' ') | Should -Be $Parameters
    }
}

Describe 'Every exported cmdlet' {
    It 'has its parameter list in this file' {
        $listed = @(Get-Content $PSCommandPath | Select-String "^\s+'([A-Za-z-]+)'\s+=" | ForEach-Object { $_.Matches[0].Groups[1].Value })
        @((Get-Module ShippyarDr).ExportedCmdlets.Keys | Sort-Object) | Should -Be @($listed | Sort-Object)
    }
}
