using AiOrchestrator.Ledger.Server.Domain;
using AiOrchestrator.Ledger.Server.Problems;
using AiOrchestrator.Ledger.Server.Storage.Rows;

namespace AiOrchestrator.Ledger.Server.Api;

/// <summary>Rows to the wire contract's shapes.</summary>
internal static class Responses
{
    public static string Name(this AiOrchestrator.Budgets.BudgetPeriod period) => period.ToString().ToLowerInvariant();

    public static WalletResponse ToResponse(WalletRow row, DateTimeOffset now)
    {
        var w = LedgerEngine.Roll(row, now);
        return new WalletResponse(w.Id, w.Currency, Amounts.Format(w.Limit), w.Period.Name(), w.TimeZone, w.Thresholds.Select(Amounts.Format).ToArray(),
            w.PeriodStart, LedgerEngine.PeriodEnd(w), Amounts.Format(w.TopUps), Amounts.Format(w.Spent), Amounts.Format(w.Reserved), Amounts.Format(w.Leased),
            Amounts.Format(LedgerEngine.Available(w)), w.Version);
    }

    public static ReservationResponse ToResponse(ReservationRow r, DateTimeOffset now)
    {
        var state = LedgerEngine.IsDue(r.Status, r.ExpiresAt, now) ? HoldState.Expired : r.Status;
        return new ReservationResponse(r.Id, r.Wallets, Amounts.Format(r.Amount), r.Currency, LedgerEngine.StateName("reservation", state),
            r.Committed is { } c ? Amounts.Format(c) : null, r.CreatedAt, r.ExpiresAt, r.Reference);
    }

    public static LeaseResponse ToResponse(LeaseRow l, DateTimeOffset now)
    {
        var state = LedgerEngine.IsDue(l.Status, l.ExpiresAt, now) ? HoldState.Expired : l.Status;
        return new LeaseResponse(l.Id, l.Wallets, Amounts.Format(l.Amount), Amounts.Format(l.Used), Amounts.Format(LedgerEngine.Held(l)), l.Currency, l.Holder,
            LedgerEngine.StateName("lease", state), l.CreatedAt, l.ExpiresAt);
    }

    public static ApiKeyResponse ToResponse(ApiKeyRow k, string? secret)
        => new(k.Id, secret, k.Role == ApiKeyRole.Admin ? "admin" : "client", k.Organisation, k.Wallets, k.Name, k.CreatedAt, k.RevokedAt);

    public static TransactionResponse ToResponse(TransactionRow t)
        => new(t.Sequence, t.Wallet, t.Kind, Amounts.Format(t.Amount), Amounts.Format(t.SpendChange), t.Currency, t.At, t.Reference);

    public static CheckpointResponse ToResponse(CheckpointRow c) => new(c.Source, c.Size, c.RootHash, c.At, c.Signature, c.KeyId, c.AnchoredAt);
}
