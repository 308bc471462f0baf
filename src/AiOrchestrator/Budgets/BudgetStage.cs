using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using AiOrchestrator.Tokens;
using Microsoft.Extensions.Logging;

namespace AiOrchestrator.Budgets;

/// <summary>
/// The budget stage, the same for both pipelines: before an attempt is sent it reserves the attempt's worst-case
/// cost on every wallet of the call's scope path (all or nothing), lowering the output cap to what the wallets can
/// pay for; once the attempt has ended it settles the attempt's cost (never above the reservation unless the
/// provider itself reported the excess: an overrun, counted and logged) or releases the hold when it cost nothing.
/// A settle that comes after the reservation expired is still posted (a late settle).
/// </summary>
internal sealed partial class BudgetStage : AttemptStage
{
    // Reserve with the cheap bound only while the wallets hold this many times its worst case.
    private const decimal AmpleHeadroom = 20m;

    private readonly IBudgetReservations _ledger;
    private readonly UsageMeter _meter;
    private readonly BudgetStageOptions _options;
    private readonly ILogger _logger;

    public BudgetStage(IBudgetReservations ledger, UsageMeter meter, BudgetStageOptions options, ILogger logger)
    {
        _ledger = ledger;
        _meter = meter;
        _options = options;
        _logger = logger;
    }

    public override string Name => "budget";

    public IBudgetReservations Ledger => _ledger;

    public BudgetStageOptions Options => _options;

    public override async ValueTask StartAsync(AiCallAttempt attempt, CancellationToken cancellationToken)
    {
        var call = attempt.Call;
        var wallets = _ledger.GetWalletPath(call.Scope);
        if (wallets.Count == 0)
        {
            return;
        }

        var price = attempt.Price;
        var available = _ledger.GetAvailable(wallets, price.Currency);
        var maxOutput = attempt.MaxOutputTokens;

        // With ample headroom, reserve for the cheap bound (computed once per call and tokenizer family); only when
        // the wallets run low is the input counted more tightly, so calls near the limit are not refused early.
        var input = call.GetInputBound(TokenizerFamilies.ForModel(attempt.Model));
        var amount = price.EstimateMaxCost(input, maxOutput);
        if (amount.Amount * AmpleHeadroom > available.Amount)
        {
            input = Math.Min(input, call.Request.CountInputTokens(attempt.Model));
            amount = price.EstimateMaxCost(input, maxOutput);
        }

        // A call that produces no output (an embedding) has no cap to lower: it is reserved or refused as it is.
        if (maxOutput > 0 && _options.ClampMaxOutputTokens && amount > available)
        {
            var affordable = price.MaxAffordableOutputTokens(available, input);
            if (affordable >= 1)
            {
                LogClamped(_logger, attempt.Model, maxOutput, affordable, available);
                maxOutput = Math.Min(maxOutput, affordable);
            }
            else
            {
                // Not even one output token is affordable: ask for the least the call can cost, so the refusal
                // quotes that rather than the unclamped worst case.
                maxOutput = 1;
            }

            amount = price.EstimateMaxCost(input, maxOutput);
        }

        Reservation reservation;
        try
        {
            reservation = await _ledger.ReserveAsync(call.Id, attempt.Number, wallets, amount, cancellationToken).ConfigureAwait(false);
        }
        catch (BudgetExceededException ex)
        {
            _meter.RecordRefused(attempt, ex.GetType().Name);
            throw;
        }

        attempt.MaxOutputTokens = maxOutput;
        attempt.ReservedInputTokens = input;
        attempt.Reservation = reservation;
    }

    public override async ValueTask EndAsync(AiCallAttempt attempt)
    {
        if (attempt.Reservation is not { } reservation)
        {
            return;
        }

        var call = attempt.Call;
        var cost = attempt.GetCost(_meter.Pricing);
        try
        {
            if (cost.Amount > 0m)
            {
                var settlement = _ledger is IAttemptSettlement detailed
                    ? await detailed.SettleAsync(attempt, reservation, cost, CancellationToken.None).ConfigureAwait(false)
                    : await _ledger.SettleAsync(call.Id, attempt.Number, reservation, cost, CancellationToken.None).ConfigureAwait(false);
                if (settlement.IsOverrun)
                {
                    LogOverrun(_logger, attempt.Model, reservation.Amount, cost, attempt.Usage.OutputTokens, attempt.MaxOutputTokens);
                }

                if (settlement.IsLate)
                {
                    LogLateSettle(_logger, attempt.Model, reservation.Id, cost);
                }

                if (_options.WaitForDurableSettlement)
                {
                    await settlement.Durable.ConfigureAwait(false);
                }
            }
            else
            {
                await _ledger.ReleaseAsync(call.Id, attempt.Number, reservation, CancellationToken.None).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // The response has been received: it goes to the caller; a ledger failure is reported here.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogSettleFailed(_logger, ex, reservation.Id, attempt.Model, cost);
            if (_options.WaitForDurableSettlement)
            {
                throw;
            }
        }
    }

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "A call to {Model} cost {Actual} by its provider's own usage report ({OutputTokens} output tokens against a cap of {MaxOutputTokens}), more than its reservation of {Reserved}; the overrun was posted and counted.")]
    private static partial void LogOverrun(ILogger logger, string model, Money reserved, Money actual, long outputTokens, long maxOutputTokens);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Information, Message = "The output cap of a call to {Model} was lowered from {Requested} to {Clamped} tokens: that is what the scope's wallets can still pay for ({Available} available).")]
    private static partial void LogClamped(ILogger logger, string model, long requested, long clamped, Money available);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Information, Message = "A call to {Model} ended after its reservation {ReservationId} had expired; its cost of {Cost} was posted late.")]
    private static partial void LogLateSettle(ILogger logger, string model, long reservationId, Money cost);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Error, Message = "The cost {Cost} of a call to {Model} could not be settled on reservation {ReservationId}; the reservation expires by itself.")]
    private static partial void LogSettleFailed(ILogger logger, Exception exception, long reservationId, string model, Money cost);
}
