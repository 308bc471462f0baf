namespace AiOrchestrator.Ledger;

/// <summary>Defines a wallet or updates its definition.</summary>
/// <param name="Currency">ISO 4217 code, such as <c>USD</c>; fixed once the wallet exists.</param>
/// <param name="Limit">The hard limit per period, a non-negative decimal string.</param>
/// <param name="Period"><c>total</c>, <c>day</c>, <c>week</c> or <c>month</c>.</param>
/// <param name="TimeZone">An IANA time zone for period boundaries; UTC when null.</param>
/// <param name="Thresholds">Soft thresholds as fractions of the limit (<c>"0.5"</c>, <c>"0.8"</c>), each in (0, 1].</param>
public sealed record WalletRequest(string Currency, string Limit, string Period, string? TimeZone, IReadOnlyList<string>? Thresholds);

/// <summary>A wallet in its current period. Available = limit + top-ups − spent − reserved − leased (never below zero).</summary>
/// <param name="Id">The wallet id.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="Limit">The hard limit per period.</param>
/// <param name="Period"><c>total</c>, <c>day</c>, <c>week</c> or <c>month</c>.</param>
/// <param name="TimeZone">The time zone of period boundaries.</param>
/// <param name="Thresholds">Soft thresholds as fractions of the limit.</param>
/// <param name="PeriodStart">Start of the current period.</param>
/// <param name="PeriodEnd">End of the current period; null for <c>total</c>.</param>
/// <param name="TopUps">Allowance added this period.</param>
/// <param name="Spent">Posted spend this period.</param>
/// <param name="Reserved">Held by open reservations.</param>
/// <param name="Leased">Held by open leases and not yet reported as spent.</param>
/// <param name="Available">What can still be reserved or leased.</param>
/// <param name="Version">Increases with every change to the wallet.</param>
public sealed record WalletResponse(
    string Id,
    string Currency,
    string Limit,
    string Period,
    string TimeZone,
    IReadOnlyList<string> Thresholds,
    DateTimeOffset PeriodStart,
    DateTimeOffset? PeriodEnd,
    string TopUps,
    string Spent,
    string Reserved,
    string Leased,
    string Available,
    long Version);

/// <summary>A top-up or refund of one wallet.</summary>
/// <param name="Wallet">The wallet id.</param>
/// <param name="Amount">A positive decimal string.</param>
/// <param name="Currency">The wallet's currency.</param>
/// <param name="Reason">Why, for the history.</param>
public sealed record WalletAmountRequest(string Wallet, string Amount, string Currency, string? Reason);

/// <summary>One entry of a wallet's history. The sum of <paramref name="SpendChange"/> over a period is its spend.</summary>
/// <param name="Sequence">Position in the organisation's history (strictly increasing).</param>
/// <param name="Wallet">The wallet id.</param>
/// <param name="Kind"><c>defined</c>, <c>top-up</c>, <c>refund</c>, <c>reserved</c>, <c>committed</c>, <c>released</c>, <c>expired</c>, <c>leased</c>, <c>lease-renewed</c>, <c>lease-returned</c>, <c>lease-expired</c> or <c>usage</c>.</param>
/// <param name="Amount">The amount the entry is about.</param>
/// <param name="SpendChange">How much it changed posted spend (negative for refunds).</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="At">When it was applied.</param>
/// <param name="Reference">The reservation, lease or usage record it belongs to, or the reason given.</param>
public sealed record TransactionResponse(long Sequence, string Wallet, string Kind, string Amount, string SpendChange, string Currency, DateTimeOffset At, string? Reference);

/// <summary>A page of history.</summary>
/// <param name="Items">Entries, oldest first.</param>
/// <param name="Next">The <c>after</c> value for the next page, or null at the end.</param>
public sealed record TransactionPage(IReadOnlyList<TransactionResponse> Items, long? Next);
