using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ShippyarDr.Diagnostics;
using ShippyarDr.Physical.Libpq;
using ShippyarDr.Streams;

namespace ShippyarDr.Physical;

/// <summary>
/// One BASE_BACKUP command on a replication session (PostgreSQL 15 and newer), read as pg_basebackup reads it: the start
/// position, the tablespace header, then a single COPY stream that holds every archive in the order the server sends
/// them ('n' new archive with its name and tablespace location, 'd' its data, 'p' progress, 'm' the backup manifest
/// follows), then the stop position and the command's own result, which is where a data checksum failure is reported.
/// Parts are read one at a time through <see cref="Current"/>, a stream that ends where the next part begins.
/// </summary>
internal sealed class BaseBackupStream
{
    private readonly ReplicationSession _session;
    private readonly string _command;
    private IntPtr _buffer;
    private int _length;
    private int _offset;
    private (string Name, string? Location)? _pendingArchive;
    private bool _pendingManifest;
    private bool _copyEnded;

    private BaseBackupStream(ReplicationSession session, string command)
    {
        _session = session;
        _command = command;
        Current = new PartStream(this);
    }

    public string StartLsn { get; private set; } = "";
    public int StartTimeline { get; private set; }
    /// <summary>The header's rows: tablespace oid and location (both null for the data directory) and the estimated size in kB.</summary>
    public IReadOnlyList<(uint? Oid, string? Location, long? SizeKb)> Tablespaces { get; private set; } = Array.Empty<(uint?, string?, long?)>();
    /// <summary>Bytes sent so far, as the server's progress messages say.</summary>
    public long BytesDone { get; private set; }
    /// <summary>The part being read: an archive after <see cref="NextArchive"/>, the manifest after <see cref="NextIsManifest"/>.</summary>
    public Stream Current { get; }

    public static BaseBackupStream Start(ReplicationSession session, string command)
    {
        var stream = new BaseBackupStream(session, command);
        session.Send(command);
        using (var start = stream.Result(ResultStatus.TuplesOk, "its start position"))
        {
            var row = start.Rows().Single();
            stream.StartLsn = row[0] ?? "";
            stream.StartTimeline = int.Parse(row[1] ?? "0", CultureInfo.InvariantCulture);
        }
        using (var header = stream.Result(ResultStatus.TuplesOk, "its tablespace header"))
            stream.Tablespaces = header.Rows().Select(r => (
                r[0] is null ? (uint?)null : uint.Parse(r[0]!, CultureInfo.InvariantCulture), r[1] is { Length: > 0 } l ? l : null,
                r[2] is null ? (long?)null : long.Parse(r[2]!, CultureInfo.InvariantCulture))).ToList();
        using (stream.Result(ResultStatus.CopyOut, "its data")) { }
        return stream;
    }

    /// <summary>Moves to the next archive: its name (base.tar, &lt;oid&gt;.tar) and tablespace location; null when the manifest (or the end) comes next.</summary>
    public (string Name, string? Location)? NextArchive()
    {
        SkipToNextPart();
        if (_pendingArchive is not { } archive) return null;
        _pendingArchive = null;
        return archive;
    }

    /// <summary>Moves to the backup manifest; false when the stream ended without one.</summary>
    public bool NextIsManifest()
    {
        SkipToNextPart();
        if (!_pendingManifest) return false;
        _pendingManifest = false;
        return true;
    }

    /// <summary>After the last part: the stop position, and the command's outcome (a data checksum failure is reported here).</summary>
    public (string StopLsn, int StopTimeline) Finish()
    {
        SkipToNextPart();
        if (_pendingArchive is not null || _pendingManifest)
            throw Protocol("it sent more parts after the backup manifest");
        string lsn;
        int timeline;
        using (var stop = Result(ResultStatus.TuplesOk, "its stop position"))
        {
            var row = stop.Rows().Single();
            (lsn, timeline) = (row[0] ?? "", int.Parse(row[1] ?? "0", CultureInfo.InvariantCulture));
        }
        while (_session.NextResult() is { } result)
            using (result) _session.Check(result, _command);
        return (lsn, timeline);
    }

    private ReplicationResult Result(ResultStatus expected, string what)
    {
        var result = _session.NextResult() ?? throw Protocol($"it ended before {what}");
        if (result.Status == expected) return result;
        using (result)
        {
            _session.Check(result, _command);
            throw Protocol($"it answered {result.Status} where {what} was due");
        }
    }

    private void SkipToNextPart()
    {
        var sink = new byte[64 * 1024];
        while (Current.Read(sink) > 0) { }
    }

    /// <summary>Data of the current part; 0 at the part's end (the next part's message is kept for NextArchive/NextIsManifest).</summary>
    private unsafe int ReadPart(Span<byte> buffer)
    {
        while (true)
        {
            if (_offset < _length)
            {
                var n = Math.Min(buffer.Length, _length - _offset);
                new ReadOnlySpan<byte>((byte*)_buffer + _offset, n).CopyTo(buffer);
                _offset += n;
                if (_offset == _length) Release();
                return n;
            }
            if (_copyEnded || _pendingArchive is not null || _pendingManifest) return 0;
            var length = _session.ReadCopyData(out var message);
            if (length == -1) { _copyEnded = true; return 0; }
            if (length < 0) throw _session.Failed(_command, _session.ErrorMessage);
            var span = new ReadOnlySpan<byte>((byte*)message, length);
            switch (length > 0 ? span[0] : 0)
            {
                case (byte)'d':
                    (_buffer, _length, _offset) = (message, length, 1);
                    if (_length == 1) Release();
                    continue;
                case (byte)'p':
                    if (length != 9) throw Protocol("a progress message is malformed");
                    BytesDone = (long)BinaryPrimitives.ReadUInt64BigEndian(span[1..]);
                    break;
                case (byte)'n':
                    var strings = span[1..];
                    var name = CString(ref strings);
                    var location = CString(ref strings);
                    if (name.Length == 0 || name[0] == '.' || name.Contains('/') || name.Contains('\\'))
                        throw Protocol($"it named an archive '{name}'");
                    _pendingArchive = (name, location.Length == 0 ? null : location);
                    break;
                case (byte)'m':
                    _pendingManifest = true;
                    break;
                default:
                    _session.Free(message);
                    throw Protocol($"it sent a message of type {(length > 0 ? span[0] : 0)}");
            }
            _session.Free(message);
        }
    }

    private string CString(ref ReadOnlySpan<byte> span)
    {
        var end = span.IndexOf((byte)0);
        if (end < 0) throw Protocol("a new-archive message is malformed");
        var s = Encoding.UTF8.GetString(span[..end]);
        span = span[(end + 1)..];
        return s;
    }

    private void Release()
    {
        if (_buffer != IntPtr.Zero) _session.Free(_buffer);
        (_buffer, _length, _offset) = (IntPtr.Zero, 0, 0);
    }

    private ShippyarException Protocol(string why) => new(ShippyarErrorKind.InvalidData, ErrorIds.BaseBackupFailed,
        $"The base backup from {_session.Connection.DisplayName} cannot be read: {why}.", _session.Connection.DisplayName);

    /// <summary>Gives libpq back the buffer held (after a failure midway).</summary>
    public void Abandon() => Release();

    private sealed class PartStream(BaseBackupStream owner) : ReadOnlyStreamBase
    {
        public override int Read(Span<byte> buffer) => buffer.IsEmpty ? 0 : owner.ReadPart(buffer);
    }
}
