using System.Buffers.Binary;
using System.Numerics;

namespace AiOrchestrator.Budgets;

/// <summary>
/// The on-disk form of journal records: <c>[int32 payload length][uint32 CRC-32C of payload][payload]</c>, little
/// endian. The checksum finds a record torn by a crash mid-write; recovery keeps the records before it.
/// </summary>
internal static class JournalCodec
{
    public const int HeaderSize = 8;

    /// <summary>Records larger than this are treated as corrupt.</summary>
    public const int MaxRecordSize = 1 << 20;

    // Version 1 records always carry a key string; version 2 (written now) carries a flags byte, then only the
    // optional fields present: a string key, a compact call key (16 + 4 bytes) or a late settle's held amount.
    private const byte LegacyVersion = 1;
    private const byte Version = 2;

    private const byte HasKey = 1;
    private const byte HasCall = 2;
    private const byte HasHeld = 4;

    public static void Write(JournalBuffer buffer, in JournalEntry entry)
    {
        var start = buffer.Length;
        buffer.Skip(HeaderSize);
        buffer.WriteByte(Version);
        buffer.WriteByte((byte)entry.Kind);
        buffer.WriteInt64(entry.Sequence);
        buffer.WriteInt64(entry.Ticks);
        buffer.WriteInt64(entry.ReservationId);
        buffer.WriteInt64(entry.Extra);
        buffer.WriteDecimal(entry.Amount);
        buffer.WriteString(entry.Currency);
        var flags = (byte)((entry.Key is null ? 0 : HasKey) | (entry.Call.IsEmpty ? 0 : HasCall) | (entry.Kind == JournalEntryKind.LateSettle ? HasHeld : 0));
        buffer.WriteByte(flags);
        if (entry.Key is not null)
        {
            buffer.WriteString(entry.Key);
        }

        if (!entry.Call.IsEmpty)
        {
            buffer.WriteGuid(entry.Call.CallId);
            buffer.WriteInt32(entry.Call.Attempt);
        }

        if ((flags & HasHeld) != 0)
        {
            buffer.WriteDecimal(entry.Held);
        }

        buffer.WriteString(entry.Wallet.IsEmpty ? null : entry.Wallet.Value);
        WriteWallets(buffer, entry.Wallets);

        switch (entry.Payload)
        {
            case WalletDefinition definition:
                WriteDefinition(buffer, definition);
                break;
            case Rejection rejection:
                buffer.WriteString(rejection.Wallet.Value);
                buffer.WriteDecimal(rejection.Limit.Amount.Amount);
                buffer.WriteByte((byte)rejection.Limit.Period);
                buffer.WriteDecimal(rejection.Spent.Amount);
                buffer.WriteDecimal(rejection.Reserved.Amount);
                buffer.WriteDecimal(rejection.TopUps.Amount);
                buffer.WriteInt64(rejection.ResetsAt?.UtcTicks ?? -1);
                break;
        }

        var payloadLength = buffer.Length - start - HeaderSize;
        var header = buffer.Span(start, HeaderSize);
        BinaryPrimitives.WriteInt32LittleEndian(header, payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Checksum(buffer.Span(start + HeaderSize, payloadLength)));
    }

    public static JournalEntry Read(ReadOnlySpan<byte> payload)
    {
        var reader = new JournalReader(payload);
        var version = reader.ReadByte();
        if (version is not (Version or LegacyVersion))
        {
            throw new InvalidDataException("The budget journal has a record of an unknown version; it was written by a newer AiOrchestrator.");
        }

        var entry = new JournalEntry
        {
            Kind = (JournalEntryKind)reader.ReadByte(),
            Sequence = reader.ReadInt64(),
            Ticks = reader.ReadInt64(),
            ReservationId = reader.ReadInt64(),
            Extra = reader.ReadInt64(),
            Amount = reader.ReadDecimal(),
            Currency = reader.ReadString(),
        };
        if (version == LegacyVersion)
        {
            entry.Key = reader.ReadString();
        }
        else
        {
            var flags = reader.ReadByte();
            if ((flags & HasKey) != 0)
            {
                entry.Key = reader.ReadString();
            }

            if ((flags & HasCall) != 0)
            {
                entry.Call = new CallKey(reader.ReadGuid(), reader.ReadInt32());
            }

            if ((flags & HasHeld) != 0)
            {
                entry.Held = reader.ReadDecimal();
            }
        }

        if (!Enum.IsDefined(entry.Kind))
        {
            throw new InvalidDataException($"The budget journal has a record of unknown kind {(int)entry.Kind}.");
        }

        var wallet = reader.ReadString();
        entry.Wallet = wallet is null ? default : WalletId.Parse(wallet);
        entry.Wallets = ReadWallets(ref reader);

        var currency = entry.Currency ?? Money.DefaultCurrency;
        switch (entry.Kind)
        {
            case JournalEntryKind.Define:
                entry.Payload = ReadDefinition(ref reader);
                break;
            case JournalEntryKind.Reject:
                var failed = WalletId.Parse(reader.ReadString()!);
                var limit = new BudgetLimit(new Money(reader.ReadDecimal(), currency), (BudgetPeriod)reader.ReadByte());
                var spent = new Money(reader.ReadDecimal(), currency);
                var reserved = new Money(reader.ReadDecimal(), currency);
                var topUps = new Money(reader.ReadDecimal(), currency);
                var resets = reader.ReadInt64();
                entry.Payload = new Rejection(entry.Wallets!, new Money(entry.Amount, currency), failed, limit, spent, reserved, topUps,
                    resets < 0 ? null : new DateTimeOffset(resets, TimeSpan.Zero));
                break;
        }

        return entry;
    }

    public static void WriteDefinition(JournalBuffer buffer, WalletDefinition definition)
    {
        buffer.WriteString(definition.Id.Value);
        buffer.WriteDecimal(definition.Limit.Amount.Amount);
        buffer.WriteString(definition.Limit.Amount.Currency);
        buffer.WriteByte((byte)definition.Limit.Period);
        buffer.WriteString(definition.TimeZone);
        buffer.WriteInt32(definition.SoftThresholds.Count);
        for (var i = 0; i < definition.SoftThresholds.Count; i++)
        {
            buffer.WriteDecimal(definition.SoftThresholds[i]);
        }
    }

    public static WalletDefinition ReadDefinition(ref JournalReader reader)
    {
        var id = WalletId.Parse(reader.ReadString()!);
        var amount = reader.ReadDecimal();
        var currency = reader.ReadString()!;
        var period = (BudgetPeriod)reader.ReadByte();
        if (!Enum.IsDefined(period))
        {
            throw new InvalidDataException($"The budget journal defines wallet '{id}' with an unknown period {(int)period}.");
        }

        var timeZone = reader.ReadString()!;
        var thresholds = new decimal[reader.ReadInt32()];
        for (var i = 0; i < thresholds.Length; i++)
        {
            thresholds[i] = reader.ReadDecimal();
        }

        return new WalletDefinition(id, new BudgetLimit(new Money(amount, currency), period)) { TimeZone = timeZone, SoftThresholds = thresholds };
    }

    public static void WriteWallets(JournalBuffer buffer, WalletId[]? wallets)
    {
        buffer.WriteInt32(wallets is null ? -1 : wallets.Length);
        if (wallets is not null)
        {
            foreach (var wallet in wallets)
            {
                buffer.WriteString(wallet.Value);
            }
        }
    }

    public static WalletId[]? ReadWallets(ref JournalReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0)
        {
            return null;
        }

        var wallets = new WalletId[count];
        for (var i = 0; i < count; i++)
        {
            wallets[i] = WalletId.Parse(reader.ReadString()!);
        }

        return wallets;
    }

    public static uint Checksum(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFF_FFFFu;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
