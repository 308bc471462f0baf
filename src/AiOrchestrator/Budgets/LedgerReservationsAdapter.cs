namespace AiOrchestrator.Budgets;

// TEMPORARY until the ledger implements IBudgetReservations itself.
internal sealed class LedgerReservationsAdapter(IBudgetLedger ledger) : IBudgetReservations
{
    public IReadOnlyList<WalletId> GetWalletPath(AiScope scope) => ledger.GetWalletPath(scope);

    public Money GetAvailable(IReadOnlyList<WalletId> wallets, string currency)
    {
        if (ledger is BudgetLedger local)
        {
            return local.MinimumAvailable(wallets, currency);
        }

        var available = new Money(decimal.MaxValue, currency);
        foreach (var id in wallets)
        {
            var wallet = ledger.GetWallet(id);
            if (wallet.Available < available)
            {
                available = wallet.Available;
            }
        }

        return available.Amount < 0m ? new Money(0m, currency) : available;
    }

    public ValueTask<Reservation> ReserveAsync(AiCallId callId, int attempt, IReadOnlyList<WalletId> wallets, Money amount, CancellationToken cancellationToken = default)
        => ledger.ReserveAsync(wallets, amount, $"{callId}/{attempt}/reserve", cancellationToken);

    public ValueTask<Settlement> SettleAsync(AiCallId callId, int attempt, Reservation reservation, Money actual, CancellationToken cancellationToken = default)
        => ledger.SettleAsync(reservation.Id, actual, $"{callId}/{attempt}/settle", cancellationToken);

    public async ValueTask ReleaseAsync(AiCallId callId, int attempt, Reservation reservation, CancellationToken cancellationToken = default)
        => await ledger.ReleaseAsync(reservation.Id, $"{callId}/{attempt}/release", cancellationToken).ConfigureAwait(false);
}
