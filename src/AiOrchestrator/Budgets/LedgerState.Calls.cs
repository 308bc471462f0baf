namespace AiOrchestrator.Budgets;

/// <summary>
/// The hot path's idempotency memory: one <see cref="CallRecord"/> per call attempt, keyed by <see cref="CallKey"/>,
/// forgotten after the retention window or, beyond <see cref="BudgetOptions.MaxRememberedCalls"/>, oldest first.
/// </summary>
internal sealed partial class LedgerState
{
    private readonly Dictionary<CallKey, CallRecord> _calls = [];
    private readonly Queue<CallKey> _callOrder = new();
    private readonly Dictionary<CallKey, Rejection> _callRejections = [];
    private int _callCapacity;

    /// <summary>How many call records the cap evicted before their retention window ended (since the ledger opened).</summary>
    public long CallsEvictedEarly { get; private set; }

    /// <summary>How many call attempts are remembered.</summary>
    public int RememberedCalls => _calls.Count;

    public bool TryGetCall(CallKey key, out CallRecord record) => _calls.TryGetValue(key, out record);

    public Rejection? CallRejection(CallKey key) => _callRejections.GetValueOrDefault(key);

    private void RememberCall(in JournalEntry e, in CallRecord record, Rejection? rejection)
    {
        if (_calls.ContainsKey(e.Call))
        {
            throw new InvalidDataException($"The budget journal reserves {e.Call.Describe("twice")} (record {e.Sequence}).");
        }

        while (_calls.Count >= _maxCalls && _callOrder.TryDequeue(out var oldest))
        {
            if (_calls.Remove(oldest, out var evicted) && evicted.Ticks >= e.Ticks - _retentionTicks)
            {
                CallsEvictedEarly++;
            }

            _callRejections.Remove(oldest);
        }

        // Grow in steps up to the cap, never past it: the default growth would double past the cap.
        if (_calls.Count == _callCapacity)
        {
            _callCapacity = _calls.EnsureCapacity(Math.Min(_maxCalls, Math.Max(64, _callCapacity * 2)));
            _callOrder.EnsureCapacity(_callCapacity);
        }

        _calls.Add(e.Call, record);
        _callOrder.Enqueue(e.Call);
        if (rejection is not null)
        {
            _callRejections.Add(e.Call, rejection);
        }
    }

    /// <summary>Moves a remembered call to its resolution; a call resolved twice is a corrupt journal.</summary>
    private void ResolveCall(CallKey call, long sequence, long reservationId, CallState expected, CallState state, decimal actual)
    {
        if (call.IsEmpty || !_calls.TryGetValue(call, out var record))
        {
            return;
        }

        if (record.ReservationId != reservationId || record.State != expected)
        {
            throw new InvalidDataException(
                $"The budget journal resolves {call.Describe("reservation")} {reservationId} (record {sequence}) as {state}, but that call is {record.State} for reservation {record.ReservationId}.");
        }

        record.State = state;
        record.Actual = actual;
        record.Sequence = sequence;
        _calls[call] = record;
    }

    private void PruneCalls(long cutoffTicks)
    {
        while (_callOrder.TryPeek(out var key))
        {
            if (_calls.TryGetValue(key, out var record) && record.Ticks >= cutoffTicks)
            {
                return;
            }

            _callOrder.Dequeue();
            _calls.Remove(key);
            _callRejections.Remove(key);
        }
    }
}
