# Relative paths, ~ and PSDrive paths resolve against PowerShell's current location, for every path parameter.
# The process's working directory is deliberately elsewhere, with a decoy repository of its own: a path resolved
# against it (what .NET does) writes into the decoy and fails the tests.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.01
    $conn = Get-SandboxConnection $sandbox
    $work = New-TestDirectory
    $decoy = New-TestDirectory
    New-Item -ItemType Directory (Join-Path $work 'repo'), (Join-Path $work 'copy'), (Join-Path $decoy 'repo'), (Join-Path $decoy 'copy') | Out-Null
    Set-Content (Join-Path $work 'pass.txt') 'relative-Passphrase-31'
    chmod 600 (Join-Path $work 'pass.txt')

    $gnupg = Join-Path $work 'gnupg'
    New-Item -ItemType Directory $gnupg | Out-Null
    $gpg = @('--batch', '--homedir', $gnupg, '--pinentry-mode', 'loopback', '--passphrase', '')
    & gpg @gpg --quick-gen-key 'Paths <paths@shippyar.example>' default default never 2>$null
    & gpg @gpg --armor --output (Join-Path $work 'public.asc') --export paths@shippyar.example 2>$null
    & gpg @gpg --armor --output (Join-Path $work 'secret.asc') --export-secret-keys paths@shippyar.example 2>$null
    & gpgconf --homedir $gnupg --kill gpg-agent 2>$null
    chmod 600 (Join-Path $work 'secret.asc')

    $processDirectory = [Environment]::CurrentDirectory
    [Environment]::CurrentDirectory = $decoy
    Push-Location $work
    # Anything written into the decoy means a path was resolved against the process directory.
    function Get-DecoyFiles { @(Get-ChildItem -Recurse -File $decoy) }
}
AfterAll {
    Pop-Location
    [Environment]::CurrentDirectory = $processDirectory
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    foreach ($d in $work, $decoy) { if ($d) { Remove-Item -Recurse -Force $d -ErrorAction SilentlyContinue } }
}

Describe 'Paths resolve against the current location' {
    It 'backs up to ./repo with a relative -PassphraseFile, and the files land under the current location' {
        $b = Invoke-ShippyarBackup @conn -Database shippyar -Repository ./repo -PassphraseFile ./pass.txt -ErrorAction Stop
        $b.Repository | Should -Be (Join-Path $work 'repo')
        Test-Path (Join-Path $work repo $b.Prefix manifest.json) | Should -BeTrue
        $b.Files[0].Encryption.Mode | Should -Be 'passphrase'
        Get-DecoyFiles | Should -BeNullOrEmpty
    }

    It 'lists, verifies, restores and copies by -Repository ./repo -Id, with relative key and destination paths' {
        $b = Get-ShippyarBackup -Repository ./repo -Latest -ErrorAction Stop
        $b.Repository | Should -Be (Join-Path $work 'repo')
        (Test-ShippyarBackup -Repository ./repo -Id $b.Id -Level Catalog -PassphraseFile ./pass.txt -ErrorAction Stop).Passed | Should -BeTrue
        $r = Restore-ShippyarDatabase -Repository ./repo -Id $b.Id -TargetDatabase shippyar_relative -PassphraseFile ./pass.txt @conn -ErrorAction Stop
        $r.Passed | Should -BeTrue
        $copy = Copy-ShippyarBackup -Repository ./repo -Id $b.Id -Destination ./copy -ErrorAction Stop
        $copy.Repository | Should -Be (Join-Path $work 'copy')
        Test-Path (Join-Path $work copy $copy.Prefix manifest.json) | Should -BeTrue
        (Get-ShippyarBackupStatus -Repository ./repo -ErrorAction Stop).Database | Should -Contain 'shippyar'
        Get-DecoyFiles | Should -BeNullOrEmpty
    }

    It 'a piped BackupInfo keeps its absolute repository wherever the session has moved to' {
        $b = Get-ShippyarBackup -Repository ./repo -Latest
        Push-Location $decoy
        try { ($b | Test-ShippyarBackup -Level Checksum -ErrorAction Stop).Passed | Should -BeTrue }
        finally { Pop-Location }
    }

    It 'encrypts to a relative -RecipientKeyFile, signs with a relative -SigningKeyFile, and reads with relative key files' {
        $b = Invoke-ShippyarBackup @conn -Database shippyar -Repository ./repo -Recipient paths@shippyar.example -RecipientKeyFile ./public.asc -SigningKeyFile ./secret.asc -ErrorAction Stop
        $b.Files[0].Encryption.Mode | Should -Be 'public-key'
        $r = Test-ShippyarBackup -Repository ./repo -Id $b.Id -Level Catalog -SecretKeyFile ./secret.asc -SignerKeyFile ./public.asc -ErrorAction Stop
        $r.Passed | Should -BeTrue
        $r.Authenticated | Should -BeTrue
    }

    It 'expands ~ to the home directory' {
        $fileSystem = Get-PSProvider FileSystem
        $home0 = $fileSystem.Home
        $fileSystem.Home = $work
        try {
            $b = Invoke-ShippyarBackup @conn -Database shippyar -Repository ~/repo -PassphraseFile ~/pass.txt -ErrorAction Stop
            $b.Repository | Should -Be (Join-Path $work 'repo')
            (Get-ShippyarBackup -Repository '~/repo' -Id $b.Id).Id | Should -Be $b.Id
        }
        finally { $fileSystem.Home = $home0 }
    }

    It 'takes PSDrive paths' {
        New-PSDrive -Name ShippyarPaths -PSProvider FileSystem -Root $work | Out-Null
        try {
            $b = Get-ShippyarBackup -Repository ShippyarPaths:/repo -Latest -ErrorAction Stop
            $b.Repository | Should -Be (Join-Path $work 'repo')
            (Test-ShippyarBackup -Repository ShippyarPaths:/repo -Id $b.Id -Level Checksum).Passed | Should -BeTrue
        }
        finally { Remove-PSDrive ShippyarPaths }
    }

    It 'refuses paths of other providers with a clear error' {
        foreach ($case in @(
                { Get-ShippyarBackup -Repository Env:/HOME },
                { Invoke-ShippyarBackup @conn -Database shippyar -Repository ./repo -PassphraseFile Variable:/PSHOME },
                { Get-ShippyarBackup -Repository ./repo -Latest | Test-ShippyarBackup -SecretKeyFile Function:/prompt },
                { Get-ShippyarBackup -Repository ./repo -Latest | Copy-ShippyarBackup -Destination Alias:/dir })) {
            $err = Get-ErrorRecords $case
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFileSystem,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].Exception.Message | Should -Match 'not a file system path'
        }
    }

    It 's3:// repositories are not paths' {
        Get-ShippyarBackup -Repository 's3://Not_A_Bucket' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidS3Url,*'
    }
}
