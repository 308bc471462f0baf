using System.Globalization;
using AiOrchestrator.Metering;

namespace AiOrchestrator;

/// <summary>
/// The one id of a call: it keys the ledger's idempotency records of the call's reservations, its usage records and
/// (with the audit stage) its audit entries. Time-ordered (UUID version 7 layout) and unique across processes.
/// </summary>
/// <param name="Value">The id.</param>
public readonly record struct AiCallId(Guid Value)
{
    /// <summary>A new id for a call that starts at <paramref name="at"/>.</summary>
    public static AiCallId New(DateTimeOffset at) => new(UsageRecordId.Next(at));

    /// <summary>The id as 32 hexadecimal digits.</summary>
    public override string ToString() => Value.ToString("N", CultureInfo.InvariantCulture);
}
