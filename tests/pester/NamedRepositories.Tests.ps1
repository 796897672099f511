# Named repositories through the cmdlets: registering in both scopes, every -Repository taking a name, the registered
# settings applied (and overridden), and what is refused. Configuration files live in temp directories only
# (SHIPPYAR_CONFIG, XDG_CONFIG_HOME), never the real /etc/shippyar or ~/.config.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.02
    $conn = Get-SandboxConnection $sandbox
    $s3 = Start-TestS3Server
    $work = New-TestDirectory
    $saved = @{ SHIPPYAR_CONFIG = $env:SHIPPYAR_CONFIG; XDG_CONFIG_HOME = $env:XDG_CONFIG_HOME }
    $passphrase = 'named-Pester-Pass-58'
    $passFile = Join-Path $work 'pass.txt'
    Set-Content -Path $passFile -Value $passphrase
    chmod 600 $passFile

    # A fresh configuration file for each test, named by SHIPPYAR_CONFIG.
    function Use-FreshConfig {
        $env:SHIPPYAR_CONFIG = Join-Path $work ("config-" + [guid]::NewGuid().ToString('n').Substring(0, 8) + '.json')
        $env:SHIPPYAR_CONFIG
    }
    function New-Repo([string] $Name) { New-Item -ItemType Directory -Path (Join-Path $work $Name) | Select-Object -ExpandProperty FullName }
    function New-Database([string] $Name) { $sandbox.Execute('postgres', "CREATE DATABASE $Name TEMPLATE shippyar"); $Name }

    $gnupg = New-TestGpgHome
    function Export-Key([string] $UserId, [string] $Email, [string] $Usage) { New-TestGpgKey $gnupg $UserId $Email $Usage }
    $dr = Export-Key 'DR Team <dr@shippyar.example>' 'dr@shippyar.example' 'default'
    $hostKey = Export-Key 'Backup Host <host@shippyar.example>' 'host@shippyar.example' 'sign'
}
AfterAll {
    foreach ($k in $saved.Keys) { Set-Item "env:$k" -Value $saved[$k] -ErrorAction SilentlyContinue; if (-not $saved[$k]) { Remove-Item "env:$k" -ErrorAction SilentlyContinue } }
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    Stop-TestS3Server $s3
    & gpgconf --homedir $gnupg --kill gpg-agent 2>$null
    Remove-Item -Recurse -Force $work, $gnupg -ErrorAction SilentlyContinue
}

Describe 'Registering repositories' {
    It 'registers in user scope under XDG_CONFIG_HOME, 0600, with every path made absolute' {
        Remove-Item env:SHIPPYAR_CONFIG -ErrorAction SilentlyContinue
        $env:XDG_CONFIG_HOME = Join-Path $work 'xdg'
        $repo = New-Repo 'user-repo'
        Push-Location $work
        try { $r = Register-ShippyarRepository -Name mine -Location ./user-repo -PassphraseFile ./pass.txt }
        finally { Pop-Location }
        $file = Join-Path $work 'xdg/shippyar/repositories.json'
        $r.PSTypeNames | Should -Contain 'ShippyarDr.RegisteredRepository'
        $r.Scope | Should -Be 'User'
        $r.Location | Should -Be $repo
        $r.ConfigurationFile | Should -Be $file
        $r.Encryption | Should -Be "passphrase file $passFile"
        (stat -c '%a' $file) | Should -Be '600'
        (Get-ShippyarRepository -Name mine).Location | Should -Be $repo
        (Get-ShippyarRepository -Scope User).Name | Should -Contain 'mine'
        ($r | Out-String) | Should -Match 'mine\s+User\s+passphrase file'
        Remove-Item env:XDG_CONFIG_HOME
    }

    It 'registers in machine scope root:postgres 0640 (SHIPPYAR_CONFIG), and the postgres OS user can read it' {
        $file = Use-FreshConfig
        $r = Register-ShippyarRepository -Name prod -Location (New-Repo 'machine-repo') -Scope Machine -Default
        $r.Scope | Should -Be 'Environment'
        $r.IsDefault | Should -BeTrue
        (stat -c '%a' $file) | Should -Be '640'
        if ((id -u) -eq '0') {
            (stat -c '%U:%G' $file) | Should -Be 'root:postgres'
            # archive_command runs as postgres.
            $read = runuser -u postgres -- cat $file
            $LASTEXITCODE | Should -Be 0
            ($read | ConvertFrom-Json).repositories.prod.location | Should -Be $r.Location
            ($read | ConvertFrom-Json).default | Should -Be 'prod'
        }
        # A later registration without -Scope Machine does not take that away.
        Register-ShippyarRepository -Name other -Location (New-Repo 'machine-other') | Out-Null
        (stat -c '%a' $file) | Should -Be '640'
    }

    It 'writes references, never secrets, and takes no -S3Credential' {
        $file = Use-FreshConfig
        $env:SHIPPYAR_TEST_S3_SECRET = 'Zebra-S3-Secret-77'
        try {
            Register-ShippyarRepository -Name offsite -Location "$($s3.Url)/refs" -S3Endpoint $s3.Endpoint -S3AccessKeyVariable SHIPPYAR_TEST_S3_KEY `
                -S3SecretKeyVariable SHIPPYAR_TEST_S3_SECRET -PassphraseFile $passFile | Out-Null
            $text = Get-Content -Raw $file
            $text | Should -Not -Match 'Zebra-S3-Secret-77'
            $text | Should -Not -Match $passphrase
            $text | Should -Match '"secretKeyVariable": "SHIPPYAR_TEST_S3_SECRET"'
        }
        finally { Remove-Item env:SHIPPYAR_TEST_S3_SECRET }
        { Register-ShippyarRepository -Name x -Location $work -S3Credential $s3.Credential } | Should -Throw -ErrorId 'NamedParameterNotFound,*'
    }

    It '-WhatIf writes nothing; a name registered already needs -Force' {
        $file = Use-FreshConfig
        Register-ShippyarRepository -Name local -Location (New-Repo 'whatif') -WhatIf | Should -BeNullOrEmpty
        $file | Should -Not -Exist
        Register-ShippyarRepository -Name local -Location (Join-Path $work 'whatif') | Out-Null
        Register-ShippyarRepository -Name local -Location $work -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RepositoryAlreadyRegistered,*'
        $err[0].ErrorDetails.RecommendedAction | Should -Match '-Force'
        (Register-ShippyarRepository -Name local -Location $work -Force).Location | Should -Be $work
    }

    It 'unregisters from the pipeline after confirmation (ConfirmImpact High), leaving the backups alone' {
        Use-FreshConfig | Out-Null
        $repo = New-Repo 'unregister'
        Register-ShippyarRepository -Name gone -Location $repo | Out-Null
        Register-ShippyarRepository -Name stays -Location (New-Repo 'stays') | Out-Null
        [System.Management.Automation.CommandMetadata]::new((Get-Command Unregister-ShippyarRepository)).ConfirmImpact | Should -Be 'High'
        Get-ShippyarRepository gone | Unregister-ShippyarRepository -WhatIf
        (Get-ShippyarRepository).Name | Should -Contain 'gone'
        Get-ShippyarRepository gone | Unregister-ShippyarRepository -Confirm:$false
        (Get-ShippyarRepository).Name | Should -Be @('stays')
        $repo | Should -Exist
        Unregister-ShippyarRepository -Name gone -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RepositoryNameUnknown,*'
    }

    It 'completes -Repository, -Destination and -Name with registered names' {
        Use-FreshConfig | Out-Null
        Register-ShippyarRepository -Name prod-east -Location (New-Repo 'east') | Out-Null
        Register-ShippyarRepository -Name prod-west -Location (New-Repo 'west') | Out-Null
        foreach ($line in 'Get-ShippyarBackup -Repository prod', 'Copy-ShippyarBackup -Repository x -Id y -Destination prod', 'Unregister-ShippyarRepository -Name prod') {
            (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be @('prod-east', 'prod-west') -Because $line
        }
    }
}

Describe 'Using a registered name' {
    It 'backs up, lists, verifies and restores a directory by name with its registered passphrase' {
        Use-FreshConfig | Out-Null
        $repo = New-Repo 'by-name'
        Register-ShippyarRepository -Name local -Location $repo -PassphraseFile $passFile | Out-Null
        $db = New-Database 'named_dir'
        $b = Invoke-ShippyarBackup @conn -Database $db -Repository local
        $b.Repository | Should -Be $repo
        $b.Files[0].Encryption.Mode | Should -Be 'passphrase'
        $b.Authentication | Should -Be 'Mac'
        # Piped on, the BackupInfo names its repository by location, which finds the registered passphrase.
        $v = Get-ShippyarBackup -Repository local -Latest | Test-ShippyarBackup -Level Restore @conn
        $v.Passed | Should -BeTrue
        $v.Authenticated | Should -BeTrue
        $r = Restore-ShippyarDatabase -Repository local -Id $b.Id -Force @conn
        $r.Passed | Should -BeTrue
        (Get-ShippyarBackup -Repository local -Id $r.SafetyBackupId).Files[0].Encryption.Mode | Should -Be 'passphrase'
        (Get-ShippyarBackupStatus -Repository local -Database $db).Status | Should -Be 'OK'
    }

    It 'backs up, lists, verifies, restores and copies an s3rver repository by name with its registered S3 settings' {
        Use-FreshConfig | Out-Null
        $env:SHIPPYAR_TEST_S3_KEY = 'S3RVER'; $env:SHIPPYAR_TEST_S3_SECRET = 'S3RVER'
        try {
            Register-ShippyarRepository -Name offsite -Location "$($s3.Url)/named" -S3Endpoint $s3.Endpoint -S3Timeout 20s `
                -S3AccessKeyVariable SHIPPYAR_TEST_S3_KEY -S3SecretKeyVariable SHIPPYAR_TEST_S3_SECRET | Out-Null
            Register-ShippyarRepository -Name copies -Location (New-Repo 'copies') | Out-Null
            $db = New-Database 'named_s3'
            $b = Invoke-ShippyarBackup @conn -Database $db -Repository offsite
            $b.Repository | Should -Be "$($s3.Url)/named"
            $listed = Get-ShippyarBackup -Repository offsite -Database $db
            $listed.Id | Should -Be $b.Id
            ($listed | Test-ShippyarBackup -Level Restore @conn).Passed | Should -BeTrue
            ($listed | Restore-ShippyarDatabase -TargetDatabase named_s3_copy @conn).Passed | Should -BeTrue
            $copy = $listed | Copy-ShippyarBackup -Destination copies
            $copy.Repository | Should -Be (Join-Path $work 'copies')
            (Copy-ShippyarBackup -Repository copies -Id $b.Id -Destination offsite).Id | Should -Be $b.Id
        }
        finally { Remove-Item env:SHIPPYAR_TEST_S3_KEY, env:SHIPPYAR_TEST_S3_SECRET }
    }

    It 'applies the registered recipients, signing key, signer keys and secret key' {
        Use-FreshConfig | Out-Null
        Register-ShippyarRepository -Name vault -Location (New-Repo 'vault') -Recipient dr@shippyar.example -RecipientKeyFile $dr.Public `
            -SigningKeyFile $hostKey.Secret -SignerKeyFile $hostKey.Public -SecretKeyFile $dr.Secret | Out-Null
        $db = New-Database 'named_keys'
        $b = Invoke-ShippyarBackup @conn -Database $db -Repository vault
        $b.Authentication | Should -Be 'Signature'
        $b.Files[0].Encryption.KeyFingerprints | Should -Be @($dr.Fingerprint)
        $v = Test-ShippyarBackup -Repository vault -Id $b.Id -Level Catalog
        $v.Passed | Should -BeTrue
        $v.Authenticity.SignerFingerprint | Should -Be $hostKey.Fingerprint
        (Restore-ShippyarDatabase -Repository vault -Id $b.Id -TargetDatabase named_keys_copy @conn).Passed | Should -BeTrue
    }

    It 'encrypts the safety backup of a plain backup like the repository''s registered encryption' {
        Use-FreshConfig | Out-Null
        $repo = New-Repo 'plain-then-registered'
        $db = New-Database 'named_safety'
        $plain = Invoke-ShippyarBackup @conn -Database $db -Repository $repo
        $plain.Files[0].Encryption | Should -BeNullOrEmpty
        Register-ShippyarRepository -Name guarded -Location $repo -PassphraseFile $passFile | Out-Null
        $r = Restore-ShippyarDatabase -Repository guarded -Id $plain.Id -Force @conn
        $safety = Get-ShippyarBackup -Repository guarded -Id $r.SafetyBackupId
        $safety.Files[0].Encryption.Mode | Should -Be 'passphrase'
        $safety.Authentication | Should -Be 'Mac'
        ($safety | Test-ShippyarBackup -Level Checksum).Authenticated | Should -BeTrue
    }

    It 'takes a Weekly backup encrypted by the registration and restores a database of it by name with Restore-ShippyarCluster' {
        Use-FreshConfig | Out-Null
        Register-ShippyarRepository -Name weekly -Location (New-Repo 'weekly') -PassphraseFile $passFile | Out-Null
        $db = New-Database 'named_cluster'
        # Weekly backups must be encrypted: the registered passphrase does it.
        $w = Invoke-ShippyarBackup @conn -Tier Weekly -Repository weekly
        $w.Files[0].Encryption.Mode | Should -Be 'passphrase'
        $sandbox.Execute($db, "INSERT INTO users VALUES (88888888, 'later@example.com', 'Later', now(), NULL)")
        $r = Restore-ShippyarCluster -Repository weekly -Id $w.Id -Database $db -SkipGlobals -Force @conn
        $r.Passed | Should -BeTrue
        $sandbox.QueryScalar($db, 'SELECT count(*) FROM users WHERE id = 88888888') | Should -Be '0'
        $safetyId = ($r.Databases | Where-Object TargetDatabase -eq $db).SafetyBackupId
        (Get-ShippyarBackup -Repository weekly -Id $safetyId).Files[0].Encryption.Mode | Should -Be 'passphrase'
    }

    It 'lets the command''s own parameters override the registered ones' {
        Use-FreshConfig | Out-Null
        # Registered with an endpoint nobody answers on; -S3Endpoint and -S3Credential of the call win.
        Register-ShippyarRepository -Name moved -Location "$($s3.Url)/moved" -S3Endpoint 'http://127.0.0.1:9' -S3Timeout 2s | Out-Null
        $b = Invoke-ShippyarBackup @conn -Database shippyar -Repository moved -S3Endpoint $s3.Endpoint -S3Credential $s3.Credential
        $b.Repository | Should -Be "$($s3.Url)/moved"
        Register-ShippyarRepository -Name local -Location (New-Repo 'override') -PassphraseFile $passFile | Out-Null
        $enc = Invoke-ShippyarBackup @conn -Database shippyar -Repository local
        # A passphrase given here replaces the registered one: the wrong one does not open the backup.
        $wrong = ConvertTo-SecureString 'not-the-Right-one-4' -AsPlainText -Force
        $result = $enc | Test-ShippyarBackup -Level Checksum -Passphrase $wrong
        $result.Passed | Should -BeFalse
        $result.Checks[0].Detail | Should -Match 'passphrase given is not this backup'
        ($enc | Test-ShippyarBackup -Level Checksum).Passed | Should -BeTrue
    }

    It 'refuses to share one backup between repositories registered with different encryption' {
        Use-FreshConfig | Out-Null
        Register-ShippyarRepository -Name a -Location (New-Repo 'conflict-a') -PassphraseFile $passFile | Out-Null
        Register-ShippyarRepository -Name b -Location (New-Repo 'conflict-b') -PassphraseVariable SHIPPYAR_TEST_OTHER | Out-Null
        Invoke-ShippyarBackup @conn -Database shippyar -Repository a, b -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RegisteredSettingsConflict,*'
        $err[0].Exception.Message | Should -Match 'a and b'
    }

    It 'uses an existing path of the same name, with a warning' {
        Use-FreshConfig | Out-Null
        Register-ShippyarRepository -Name shadow -Location (New-Repo 'shadow-registered') | Out-Null
        $here = New-Repo 'cwd'
        New-Item -ItemType Directory (Join-Path $here 'shadow') | Out-Null
        Push-Location $here
        try { $b = Invoke-ShippyarBackup @conn -Database shippyar -Repository shadow -WarningVariable warned }
        finally { Pop-Location }
        $b.Repository | Should -Be (Join-Path $here 'shadow')
        ($warned -join ' ') | Should -Match "'shadow' is a registered repository .* the path is used"
    }
}

Describe 'Clear errors' {
    It 'an unknown name is RepositoryNameUnknown (ObjectNotFound), listing the registered names' {
        Use-FreshConfig | Out-Null
        Register-ShippyarRepository -Name prod -Location (New-Repo 'known') | Out-Null
        foreach ($command in { Get-ShippyarBackup -Repository prdo }, { Invoke-ShippyarBackup @conn -Database shippyar -Repository prdo }, { Get-ShippyarRepository -Name prdo }) {
            $e = Get-ErrorRecords $command
            $e[0].FullyQualifiedErrorId | Should -BeLike 'RepositoryNameUnknown,*'
            $e[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $e[0].Exception.Message | Should -Match "'prdo' is not a registered repository.*prod"
        }
    }

    It 'a config file others may write is ConfigurationInsecure (PermissionDenied), even for commands given a path' {
        $file = Use-FreshConfig
        $repo = New-Repo 'insecure'
        Register-ShippyarRepository -Name prod -Location $repo | Out-Null
        chmod 666 $file
        try {
            foreach ($command in { Get-ShippyarBackup -Repository prod }, { Get-ShippyarBackup -Repository $repo }, { Get-ShippyarRepository }) {
                $e = Get-ErrorRecords $command
                $e[0].FullyQualifiedErrorId | Should -BeLike 'ConfigurationInsecure,*'
                $e[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
                $e[0].Exception.Message | Should -Match ([regex]::Escape($file))
                $e[0].Exception.Message | Should -Match '0666'
            }
        }
        finally { chmod 600 $file }
    }

    It 'a malformed file is ConfigurationInvalid naming the file and line; a secret in it is SecretNotAllowed' {
        $file = Use-FreshConfig
        Set-Content $file "{`n  `"repositories`": {`n    `"prod`": { `"location`": `"/srv/x`", `"colour`": 1 }`n  }`n}"
        chmod 600 $file
        $e = Get-ErrorRecords { Get-ShippyarRepository }
        $e[0].FullyQualifiedErrorId | Should -BeLike 'ConfigurationInvalid,*'
        $e[0].Exception.Message | Should -Match "$([regex]::Escape($file)).*line 3"
        Set-Content $file '{ "repositories": { "prod": { "location": "/srv/x", "encryption": { "passphrase": "Hunter2-Pester-Only" } } } }'
        $e = Get-ErrorRecords { Get-ShippyarBackup -Repository prod }
        $e[0].FullyQualifiedErrorId | Should -BeLike 'SecretNotAllowed,*'
        ($e[0] | Out-String) | Should -Not -Match 'Hunter2-Pester-Only'
    }
}
