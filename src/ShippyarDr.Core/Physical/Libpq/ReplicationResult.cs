namespace ShippyarDr.Physical.Libpq;

/// <summary>libpq's ExecStatusType.</summary>
internal enum ResultStatus { EmptyQuery = 0, CommandOk = 1, TuplesOk = 2, CopyOut = 3, CopyIn = 4, BadResponse = 5, NonfatalError = 6, FatalError = 7, CopyBoth = 8 }

/// <summary>One PGresult of a replication session; disposing clears it.</summary>
internal sealed class ReplicationResult : IDisposable
{
    private const int SqlStateField = 'C';
    private readonly LibpqLibrary.Api _pq;
    private IntPtr _res;

    public unsafe ReplicationResult(LibpqLibrary.Api pq, IntPtr res)
    {
        _pq = pq;
        _res = res;
        Status = (ResultStatus)pq.PQresultStatus(res);
    }

    public ResultStatus Status { get; }

    public bool Failed => Status is ResultStatus.FatalError or ResultStatus.BadResponse or ResultStatus.NonfatalError;

    public unsafe string ErrorMessage => ReplicationSession.Text(_pq.PQresultErrorMessage(_res));

    public unsafe string? SqlState => _pq.PQresultErrorField(_res, SqlStateField) is var p && p != IntPtr.Zero ? ReplicationSession.Text(p) : null;

    /// <summary>Every row, each value as text (null for NULL).</summary>
    public unsafe IReadOnlyList<string?[]> Rows()
    {
        var rows = new List<string?[]>();
        var columns = _pq.PQnfields(_res);
        for (var r = 0; r < _pq.PQntuples(_res); r++)
        {
            var row = new string?[columns];
            for (var c = 0; c < columns; c++) row[c] = _pq.PQgetisnull(_res, r, c) == 1 ? null : ReplicationSession.Text(_pq.PQgetvalue(_res, r, c));
            rows.Add(row);
        }
        return rows;
    }

    public unsafe void Dispose()
    {
        if (_res != IntPtr.Zero) _pq.PQclear(_res);
        _res = IntPtr.Zero;
    }
}
