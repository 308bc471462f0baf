namespace AiOrchestrator.Budgets;

/// <summary>
/// The ledger state written to and read from a snapshot, so that a start replays only the journal written after it.
/// </summary>
internal sealed partial class LedgerState
{
    private const byte SnapshotVersion = 2;

    private enum OutcomeTag : byte
    {
        Reservation = 1,
        Rejection = 2,
        Settlement = 3,
        Receipt = 4,
    }

    /// <summary>
    /// Writes the state. Without <paramref name="withMemory"/> it leaves out the idempotency memory (remembered
    /// outcomes and call records): enough to replay history from that point, a fraction of the size.
    /// </summary>
    public void WriteSnapshot(JournalBuffer buffer, bool withMemory = true)
    {
        buffer.WriteByte(SnapshotVersion);
        buffer.WriteInt64(LastSequence);
        buffer.WriteInt64(LastReservationId);

        buffer.WriteInt32(_wallets.Count);
        foreach (var w in _wallets.Values)
        {
            JournalCodec.WriteDefinition(buffer, w.Definition);
            buffer.WriteInt64(w.PeriodStartTicks);
            buffer.WriteDecimal(w.Spent);
            buffer.WriteDecimal(w.TopUps);
            buffer.WriteDecimal(w.Reserved);
            buffer.WriteInt64(w.Crossed);
            buffer.WriteByte(w.Exhausted ? (byte)1 : (byte)0);
            buffer.WriteInt64(w.Overruns);
            buffer.WriteDecimal(w.OverrunAmount);
        }

        buffer.WriteInt32(_reservations.Count);
        foreach (var r in _reservations.Values)
        {
            buffer.WriteInt64(r.Id);
            buffer.WriteByte((byte)r.Status);
            JournalCodec.WriteWallets(buffer, r.WalletArray);
            buffer.WriteDecimal(r.Amount.Amount);
            buffer.WriteString(r.Amount.Currency);
            buffer.WriteInt64(r.CreatedAt.UtcTicks);
            buffer.WriteInt64(r.ExpiresAt.UtcTicks);
            buffer.WriteString(r.IdempotencyKey);
            buffer.WriteGuid(r.Call.CallId);
            buffer.WriteInt32(r.Call.Attempt);
        }

        buffer.WriteInt32(withMemory ? _outcomes.Count : 0);
        foreach (var (key, outcome) in withMemory ? _outcomes : new Dictionary<string, object>())
        {
            buffer.WriteString(key);
            switch (outcome)
            {
                case Reservation r:
                    buffer.WriteByte((byte)OutcomeTag.Reservation);
                    buffer.WriteInt64(r.Id);
                    break;
                case Rejection j:
                    buffer.WriteByte((byte)OutcomeTag.Rejection);
                    WriteRejection(buffer, j);
                    break;
                case Settlement s:
                    buffer.WriteByte((byte)OutcomeTag.Settlement);
                    buffer.WriteInt64(s.ReservationId);
                    buffer.WriteInt64(s.Sequence);
                    buffer.WriteString(s.Posted.Currency);
                    buffer.WriteDecimal(s.Posted.Amount);
                    buffer.WriteDecimal(s.Released.Amount);
                    buffer.WriteDecimal(s.Overrun.Amount);
                    buffer.WriteByte(s.IsLate ? (byte)1 : (byte)0);
                    break;
                case LedgerReceipt l:
                    buffer.WriteByte((byte)OutcomeTag.Receipt);
                    buffer.WriteByte((byte)l.Kind);
                    buffer.WriteInt64(l.Sequence);
                    buffer.WriteString(l.Wallet.IsEmpty ? null : l.Wallet.Value);
                    buffer.WriteString(l.Amount.Currency);
                    buffer.WriteDecimal(l.Amount.Amount);
                    buffer.WriteInt64(l.ReservationId);
                    buffer.WriteByte(l.Definition is null ? (byte)0 : (byte)1);
                    if (l.Definition is not null)
                    {
                        JournalCodec.WriteDefinition(buffer, l.Definition);
                    }

                    break;
            }
        }

        buffer.WriteInt32(withMemory ? _retention.Count : 0);
        foreach (var item in withMemory ? _retention : new Queue<RetentionItem>())
        {
            buffer.WriteInt64(item.Ticks);
            buffer.WriteString(item.Key);
            buffer.WriteInt64(item.ReservationId);
        }

        buffer.WriteInt32(withMemory ? _calls.Count : 0);
        foreach (var key in withMemory ? _callOrder : new Queue<CallKey>())
        {
            var c = _calls[key];
            buffer.WriteGuid(key.CallId);
            buffer.WriteInt32(key.Attempt);
            buffer.WriteInt64(c.ReservationId);
            buffer.WriteInt64(c.Ticks);
            buffer.WriteInt64(c.Sequence);
            buffer.WriteDecimal(c.Amount);
            buffer.WriteDecimal(c.Actual);
            buffer.WriteInt32((int)c.WalletsHash);
            buffer.WriteByte((byte)c.State);
        }

        buffer.WriteInt32(withMemory ? _callRejections.Count : 0);
        foreach (var (key, rejection) in withMemory ? _callRejections : new Dictionary<CallKey, Rejection>())
        {
            buffer.WriteGuid(key.CallId);
            buffer.WriteInt32(key.Attempt);
            WriteRejection(buffer, rejection);
        }
    }

    private static void WriteRejection(JournalBuffer buffer, Rejection j)
    {
        JournalCodec.WriteWallets(buffer, j.Wallets);
        buffer.WriteString(j.Requested.Currency);
        buffer.WriteDecimal(j.Requested.Amount);
        buffer.WriteString(j.Wallet.Value);
        buffer.WriteDecimal(j.Limit.Amount.Amount);
        buffer.WriteByte((byte)j.Limit.Period);
        buffer.WriteDecimal(j.Spent.Amount);
        buffer.WriteDecimal(j.Reserved.Amount);
        buffer.WriteDecimal(j.TopUps.Amount);
        buffer.WriteInt64(j.ResetsAt?.UtcTicks ?? -1);
    }

    private static Rejection ReadRejection(ref JournalReader reader)
    {
        var path = JournalCodec.ReadWallets(ref reader)!;
        var currency = reader.ReadString()!;
        var requested = new Money(reader.ReadDecimal(), currency);
        var wallet = WalletId.Parse(reader.ReadString()!);
        var limit = new BudgetLimit(new Money(reader.ReadDecimal(), currency), (BudgetPeriod)reader.ReadByte());
        var spent = new Money(reader.ReadDecimal(), currency);
        var reserved = new Money(reader.ReadDecimal(), currency);
        var topUps = new Money(reader.ReadDecimal(), currency);
        var resets = reader.ReadInt64();
        return new Rejection(path, requested, wallet, limit, spent, reserved, topUps, resets < 0 ? null : new DateTimeOffset(resets, TimeSpan.Zero));
    }

    public static LedgerState ReadSnapshot(ReadOnlySpan<byte> snapshot, TimeSpan idempotencyRetention, int maxRememberedCalls = int.MaxValue)
    {
        var reader = new JournalReader(snapshot);
        var version = reader.ReadByte();
        if (version is not (1 or SnapshotVersion))
        {
            throw new InvalidDataException("The budget snapshot has an unknown version; it was written by a newer AiOrchestrator.");
        }

        var state = new LedgerState(idempotencyRetention, maxRememberedCalls)
        {
            LastSequence = reader.ReadInt64(),
            LastReservationId = reader.ReadInt64(),
        };

        var wallets = reader.ReadInt32();
        for (var i = 0; i < wallets; i++)
        {
            var definition = JournalCodec.ReadDefinition(ref reader);
            var w = new WalletState(definition, reader.ReadInt64(), reader.ReadDecimal(), reader.ReadDecimal(), reader.ReadDecimal(), reader.ReadInt64(), reader.ReadByte() != 0);
            if (version >= 2)
            {
                w.Overruns = reader.ReadInt64();
                w.OverrunAmount = reader.ReadDecimal();
            }

            state._wallets.Add(w.Id, w);
        }

        var reservations = reader.ReadInt32();
        for (var i = 0; i < reservations; i++)
        {
            var id = reader.ReadInt64();
            var status = (ReservationStatus)reader.ReadByte();
            var path = JournalCodec.ReadWallets(ref reader)!;
            var amount = reader.ReadDecimal();
            var currency = reader.ReadString()!;
            var created = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var expires = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var key = reader.ReadString();
            var call = version >= 2 ? new CallKey(reader.ReadGuid(), reader.ReadInt32()) : default;
            var r = new Reservation(id, path, new Money(amount, currency), created, expires, key) { Status = status, Call = call };
            state._reservations.Add(id, r);
            if (status == ReservationStatus.Pending)
            {
                state._pending.Add(id, r);
            }
        }

        var outcomes = reader.ReadInt32();
        for (var i = 0; i < outcomes; i++)
        {
            var key = reader.ReadString()!;
            object? outcome;
            switch ((OutcomeTag)reader.ReadByte())
            {
                case OutcomeTag.Reservation:
                    outcome = state._reservations.GetValueOrDefault(reader.ReadInt64());
                    break;
                case OutcomeTag.Rejection:
                    outcome = ReadRejection(ref reader);
                    break;

                case OutcomeTag.Settlement:
                {
                    var reservationId = reader.ReadInt64();
                    var sequence = reader.ReadInt64();
                    var currency = reader.ReadString()!;
                    var posted = new Money(reader.ReadDecimal(), currency);
                    var released = new Money(reader.ReadDecimal(), currency);
                    var overrun = new Money(reader.ReadDecimal(), currency);
                    outcome = new Settlement(reservationId, sequence, posted, released, overrun, isLate: version >= 2 && reader.ReadByte() != 0);
                    break;
                }

                case OutcomeTag.Receipt:
                {
                    var kind = (WalletTransactionKind)reader.ReadByte();
                    var sequence = reader.ReadInt64();
                    var wallet = reader.ReadString();
                    var currency = reader.ReadString()!;
                    var amount = new Money(reader.ReadDecimal(), currency);
                    var reservationId = reader.ReadInt64();
                    var definition = reader.ReadByte() != 0 ? JournalCodec.ReadDefinition(ref reader) : null;
                    outcome = new LedgerReceipt(kind, sequence, wallet is null ? default : WalletId.Parse(wallet), amount, reservationId, definition);
                    break;
                }

                default:
                    throw new InvalidDataException("The budget snapshot has an outcome of unknown kind.");
            }

            if (outcome is not null)
            {
                state._outcomes.Add(key, outcome);
            }
        }

        var retained = reader.ReadInt32();
        for (var i = 0; i < retained; i++)
        {
            state._retention.Enqueue(new RetentionItem(reader.ReadInt64(), reader.ReadString(), reader.ReadInt64()));
        }

        if (version >= 2)
        {
            var calls = reader.ReadInt32();
            state._calls.EnsureCapacity(calls);
            state._callOrder.EnsureCapacity(calls);
            for (var i = 0; i < calls; i++)
            {
                var key = new CallKey(reader.ReadGuid(), reader.ReadInt32());
                state._calls.Add(key, new CallRecord
                {
                    ReservationId = reader.ReadInt64(),
                    Ticks = reader.ReadInt64(),
                    Sequence = reader.ReadInt64(),
                    Amount = reader.ReadDecimal(),
                    Actual = reader.ReadDecimal(),
                    WalletsHash = (uint)reader.ReadInt32(),
                    State = (CallState)reader.ReadByte(),
                });
                state._callOrder.Enqueue(key);
            }

            state._callCapacity = state._calls.EnsureCapacity(0);
            var rejections = reader.ReadInt32();
            for (var i = 0; i < rejections; i++)
            {
                var key = new CallKey(reader.ReadGuid(), reader.ReadInt32());
                state._callRejections.Add(key, ReadRejection(ref reader));
            }
        }

        return state;
    }
}
