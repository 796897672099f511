using ShippyarDr.Physical.Tar;
using ShippyarDr.Streams;

namespace ShippyarDr.Physical;

/// <summary>
/// The base tar as the server sends it with its WAL (BASE_BACKUP's WAL option, pg_basebackup -X fetch) holds the data
/// directory and then, at its end, the WAL segments from the backup's start to its stop under pg_wal/. This splits it,
/// in the one forward pass, into two complete archives read one after the other: <see cref="DataDirectory"/> (base.tar:
/// every member up to the first segment, then end-of-archive blocks) and <see cref="Wal"/> (pg_wal.tar: the segments,
/// named pg_wal/…, as the server sent them). Headers and data pass through byte for byte. backup_label and
/// tablespace_map are kept as they pass (small files) for the manifest.
/// </summary>
internal sealed class BaseTarSplitter
{
    private const int CaptureLimit = 1024 * 1024;
    private readonly TarReader _reader;
    private readonly string _where;
    private TarHeader? _firstWal;
    private bool _dataDirectoryDone;

    public BaseTarSplitter(Stream baseTar, string where)
    {
        _reader = new TarReader(baseTar, where);
        _where = where;
        DataDirectory = new Part(this, wal: false);
        Wal = new Part(this, wal: true);
    }

    /// <summary>Read first: the data directory without pg_wal's segments.</summary>
    public Stream DataDirectory { get; }

    /// <summary>Read second: pg_wal's segments (and timeline history files).</summary>
    public Stream Wal { get; }

    public byte[]? BackupLabel { get; private set; }
    public byte[]? TablespaceMap { get; private set; }

    /// <summary>The paths under pg_wal/ the WAL part held, in order ("000000010000000000000002", "archive_status/….done").</summary>
    public List<string> WalFiles { get; } = new();

    /// <summary>What the server appended: a regular file under pg_wal/, a segment or timeline history file or the
    /// archive_status/*.done that keeps a restored copy from archiving it again (the data directory's pass sends pg_wal/
    /// and pg_wal/archive_status/ as empty directories).</summary>
    public static bool IsWalMember(TarHeader header) => header.IsFile && header.Name.StartsWith("pg_wal/", StringComparison.Ordinal);

    private sealed class Part(BaseTarSplitter splitter, bool wal) : ReadOnlyStreamBase
    {
        private TarHeader? _current;
        private int _headerSent;
        private byte[]? _trailer;
        private int _trailerSent;
        private MemoryStream? _capture;
        private bool _done;

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty) return 0;
            while (!_done)
            {
                if (_current is { } header)
                {
                    if (_headerSent < TarHeader.BlockSize)
                    {
                        var h = Math.Min(buffer.Length, TarHeader.BlockSize - _headerSent);
                        header.Raw.AsSpan(_headerSent, h).CopyTo(buffer);
                        _headerSent += h;
                        return h;
                    }
                    var n = splitter._reader.ReadData(buffer);
                    if (n > 0)
                    {
                        if (_capture is not null && _capture.Length + n <= CaptureLimit) _capture.Write(buffer[..n]);
                        return n;
                    }
                    n = splitter._reader.ReadPadding(buffer);
                    if (n > 0) return n;
                    EndMember(header);
                    continue;
                }
                if (_trailer is not null)
                {
                    var t = Math.Min(buffer.Length, _trailer.Length - _trailerSent);
                    _trailer.AsSpan(_trailerSent, t).CopyTo(buffer);
                    _trailerSent += t;
                    if (_trailerSent == _trailer.Length) Finish();
                    return t;
                }
                StartNext();
            }
            return 0;
        }

        private void StartNext()
        {
            if (wal && !splitter._dataDirectoryDone)
                throw new InvalidOperationException("The WAL part of a base tar is read after its data directory part.");
            TarHeader? next;
            if (wal && splitter._firstWal is { } first) { next = first; splitter._firstWal = null; }
            else next = splitter._reader.Next();
            if (next is null) { _trailer = new byte[2 * TarHeader.BlockSize]; return; }
            if (IsWalMember(next) != wal)
            {
                if (wal) throw TarHeader.Corrupt(splitter._where, $"{next.Name} follows pg_wal's segments, which the server sends last");
                splitter._firstWal = next;
                _trailer = new byte[2 * TarHeader.BlockSize];
                return;
            }
            _current = next;
            _headerSent = 0;
            _capture = !wal && next.Name is "backup_label" or "tablespace_map" ? new MemoryStream() : null;
            if (wal) splitter.WalFiles.Add(next.Name["pg_wal/".Length..]);
        }

        private void EndMember(TarHeader header)
        {
            if (_capture is not null && _capture.Length == header.Size)
            {
                if (header.Name == "backup_label") splitter.BackupLabel = _capture.ToArray();
                else splitter.TablespaceMap = _capture.ToArray();
            }
            _capture = null;
            _current = null;
        }

        private void Finish()
        {
            _done = true;
            if (!wal) splitter._dataDirectoryDone = true;
        }
    }
}
