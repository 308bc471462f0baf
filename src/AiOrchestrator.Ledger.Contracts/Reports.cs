namespace AiOrchestrator.Ledger;

/// <summary>Spend grouped by one dimension over a time range.</summary>
/// <param name="By"><c>scope</c>, <c>model</c>, <c>provider</c> or <c>day</c>.</param>
/// <param name="From">Inclusive start.</param>
/// <param name="To">Exclusive end.</param>
/// <param name="Rows">One row per group and currency, largest spend first.</param>
public sealed record SpendReport(string By, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<SpendReportRow> Rows);

/// <summary>One group of a spend report.</summary>
/// <param name="Key">The scope, model, provider or day (<c>yyyy-MM-dd</c>, UTC).</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="Amount">Spend, a decimal string.</param>
/// <param name="Records">Usage records counted.</param>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
public sealed record SpendReportRow(string Key, string Currency, string Amount, long Records, long InputTokens, long OutputTokens);
