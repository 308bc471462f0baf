namespace AiOrchestrator.Budgets;

// Events and metrics, published outside the lock.
public sealed partial class BudgetLedger
{
    private void PublishEvents()
    {
        List<EventArgs>? events;
        lock (_lock)
        {
            events = _state.Events;
            if (events is null)
            {
                return;
            }

            _state.Events = null;
        }

        foreach (var e in events)
        {
            try
            {
                switch (e)
                {
                    case BudgetThresholdCrossedEventArgs crossed:
                        _metrics.RecordThreshold(crossed);
                        BudgetLog.ThresholdCrossed(_logger, crossed.Wallet, crossed.Threshold, crossed.Spent, crossed.Allowance);
                        ThresholdCrossed?.Invoke(this, crossed);
                        break;
                    case WalletExhaustedEventArgs exhausted:
                        _metrics.RecordExhausted(exhausted);
                        BudgetLog.Exhausted(_logger, exhausted.Wallet, exhausted.Spent, exhausted.Reserved, exhausted.Allowance);
                        WalletExhausted?.Invoke(this, exhausted);
                        break;
                }
            }
#pragma warning disable CA1031 // A faulty handler must not undo or hide a ledger change that has already happened.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                BudgetLog.HandlerFailed(_logger, ex);
            }
        }
    }
}
