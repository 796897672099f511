namespace ShippyarDr.Cli;

/// <summary>What `shippyar-dr --help` prints.</summary>
public static class HelpText
{
    public const string Text = """
        shippyar-dr: the WAL archive of ShippyarDr, for PostgreSQL's archive_command and restore_command.

          archive_command = 'shippyar-dr wal-push "%p" --repository prod'
          restore_command = 'shippyar-dr wal-fetch "%f" "%p" --repository prod'

        Both run in the cluster's data directory (as PostgreSQL runs them) and check that the archive is that
        cluster's (system identifier, major version, segment size).

        Repository:  --repository <name | /absolute/directory | s3://bucket/prefix>
                     A bare word is a repository registered with Register-ShippyarRepository (never a relative path:
                     the working directory is the data directory; a relative path is refused). Without --repository,
                     the configuration's default repository. The configuration is /etc/shippyar/repositories.json
                     and the user's ~/.config/shippyar/repositories.json, or only the file SHIPPYAR_CONFIG names; a
                     file that others may write is refused. A registered repository supplies its S3 settings, its
                     encryption and signing key (wal-push) and its reading keys (wal-fetch); options given here win.
                     --s3-endpoint URL  --s3-region R  --s3-path-style  --s3-storage-class C  --s3-timeout 60s
                     --s3-sse AES256|aws:kms  --s3-kms-key-id K   (credentials: the AWS default chain, e.g.
                     AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)
        wal-push:    --compression zstd|gzip|none  --compression-level N (default zstd 1)
                     --passphrase-file F | --passphrase-variable NAME           (encrypt, MAC-sealed manifests)
                     --recipient ID... --recipient-key-file F --signing-key-file F
                     [--signing-key-passphrase-file F | --signing-key-passphrase-variable NAME]
        wal-fetch:   --passphrase-file F | --passphrase-variable NAME | --secret-key-file F
                     [--secret-key-passphrase-file F | --secret-key-passphrase-variable NAME]
                     --signer-key-file F  --allow-unauthenticated
        Both:        --pg-data DIR (default: the working directory)  --verbose

        Exit codes: 0 done; 1 not in the archive (wal-fetch); 2 usage; 3 configuration (also an unknown
        repository name, no default repository, a configuration file that is insecure or unreadable); 4 not this cluster's
        archive; 5 archived already with other content; 6 repository unavailable; 7 refused (not authentic,
        damaged, wrong key); 8 local file; 9 asynchronous push not confirmed in time; 10 unexpected; 11 stopped
        by a signal. Never above 125.
        """;
}
