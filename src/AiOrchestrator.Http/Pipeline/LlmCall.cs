using AiOrchestrator.Budgets;
using AiOrchestrator.Http.Wire;
using AiOrchestrator.Metering;
using AiOrchestrator.Pricing;
using AiOrchestrator.Tokens;
using Microsoft.Extensions.Logging;

namespace AiOrchestrator.Http.Pipeline;

/// <summary>
/// One logical LLM call as the handlers see it: who pays, what was asked, the budget reservation, and the cost of
/// every attempt that reached the provider. The outer stage creates it and passes it to the per-attempt stage in
/// <see cref="HttpRequestMessage.Options"/>. The reservation is resolved once, when the outer stage has returned and
/// every attempt (including a stream still being read) has finished: settled with the sum of the attempts' costs,
/// or released when they cost nothing.
/// </summary>
internal sealed class LlmCall
{
    /// <summary>The request option under which the call travels from the outer to the per-attempt stage.</summary>
    public static readonly HttpRequestOptionsKey<LlmCall> Key = new("aiorchestrator.http.call");

    private readonly UsageMeter _meter;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private IBudgetLedger? _ledger;
    private string? _key;
    private decimal _spent;

    // The outer stage holds one; each attempt holds one until it has finished (a stream: until it ends or is disposed).
    private int _open = 1;

    public LlmCall(UsageMeter meter, ILogger logger, AiScope scope, WireFormat format, string provider, string model, ModelPrice price, long inputTokens, long outputAllowance, bool hasExplicitCap)
    {
        _meter = meter;
        _logger = logger;
        Scope = scope;
        Format = format;
        Provider = provider;
        Model = model;
        Price = price;
        Family = TokenizerFamilies.ForModel(model);
        InputTokens = inputTokens;
        OutputAllowance = outputAllowance;
        HasExplicitCap = hasExplicitCap;
    }

    public AiScope Scope { get; }

    public WireFormat Format { get; }

    public string Provider { get; }

    /// <summary>The model the request names.</summary>
    public string Model { get; }

    public ModelPrice Price { get; }

    public TokenizerFamily Family { get; }

    /// <summary>The conservative estimate of the request's input tokens.</summary>
    public long InputTokens { get; }

    /// <summary>The output tokens the reservation is sized for: the request's cap, or the configured default.</summary>
    public long OutputAllowance { get; }

    /// <summary>True when the request sets a max-tokens field (the provider then enforces the allowance itself).</summary>
    public bool HasExplicitCap { get; }

    public TimeProvider Time => _meter.TimeProvider;

    public ILogger Logger => _logger;

    public Reservation? Reservation { get; private set; }

    /// <summary>True when a stream of this call is cut off once its estimated cost runs past the reservation.</summary>
    public bool CanCutOff => Reservation is not null && !HasExplicitCap;

    /// <summary>The cost of the attempts that have finished.</summary>
    public Money Spent
    {
        get
        {
            lock (_lock)
            {
                return new Money(_spent, Price.Currency);
            }
        }
    }

    /// <summary>Reserves the worst-case cost on <paramref name="wallets"/>; records a rejection when refused.</summary>
    /// <exception cref="BudgetExceededException">A wallet cannot cover the call; nothing was sent.</exception>
    public async ValueTask ReserveAsync(IBudgetLedger ledger, IReadOnlyList<WalletId> wallets, CancellationToken cancellationToken)
    {
        var amount = Price.EstimateMaxCost(InputTokens, OutputAllowance);
        if (amount.Amount <= 0m)
        {
            return;
        }

        var key = "http:" + Guid.NewGuid().ToString("N");
        try
        {
            Reservation = await ledger.ReserveAsync(wallets, amount, key, cancellationToken).ConfigureAwait(false);
        }
        catch (BudgetExceededException ex)
        {
            var now = Time.GetUtcNow();
            Record(default, Model, now, TimeSpan.Zero, null, false, CallOutcome.Rejected, ex.GetType().Name);
            throw;
        }

        _ledger = ledger;
        _key = key;
    }

    /// <summary>An attempt is about to be sent.</summary>
    public void AttemptStarted() => Interlocked.Increment(ref _open);

    /// <summary>The outer stage has returned (or thrown).</summary>
    public void OuterFinished() => Leave();

    /// <summary>Records a finished attempt, adds its cost to the call, and resolves the call when it was the last.</summary>
    public void FinishAttempt(in TokenUsage usage, string? responseModel, DateTimeOffset started, TimeSpan latency, TimeSpan? timeToFirstToken, bool streaming, CallOutcome outcome, string? error)
    {
        var cost = Record(usage, responseModel ?? Model, started, latency, timeToFirstToken, streaming, outcome, error);
        if (cost.Amount != 0m)
        {
            lock (_lock)
            {
                _spent += cost.Amount;
            }
        }

        Leave();
    }

    /// <summary>Parses a usage object in this call's format; null (and a warning) when it is invalid.</summary>
    public TokenUsage? ParseUsage(ReadOnlySpan<byte> usageJson)
    {
        try
        {
            return UsageReader.TryRead(usageJson, Format)
                ?? (Format == WireFormat.AnthropicMessages ? AnthropicUsage.Parse(usageJson) : OpenAIUsage.Parse(usageJson));
        }
        catch (InvalidUsageException ex)
        {
            HttpLog.BadUsage(_logger, ex, Provider, Model);
            return null;
        }
    }

    /// <summary>
    /// Usage estimated from the request and the output seen, keeping the exact input counts of a partial report
    /// (Anthropic's <c>message_start</c>). Marked as estimated.
    /// </summary>
    public TokenUsage Estimate(in TextTally output, TokenUsage? partial)
    {
        var outputTokens = output.Tokens(Family);
        if (partial is { InputTokens: > 0 } p)
        {
            return p with { OutputTokens = Math.Max(p.OutputTokens, outputTokens), IsEstimated = true };
        }

        return new TokenUsage { InputTokens = InputTokens, OutputTokens = outputTokens, IsEstimated = true };
    }

    private Money Record(in TokenUsage usage, string model, DateTimeOffset started, TimeSpan latency, TimeSpan? timeToFirstToken, bool streaming, CallOutcome outcome, string? error)
    {
        var call = new MeteredCall(Scope, null, Provider, model, usage, started, latency, timeToFirstToken, streaming, outcome, error);
        try
        {
            return _meter.Record(call).Cost;
        }
        catch (UnpricedModelException) when (!string.Equals(model, Model, StringComparison.Ordinal))
        {
            // The provider answered with a model id the catalog does not know (a dated snapshot, a deployment name);
            // the request's model was priced before the call was sent, so record it under that one.
            return Record(usage, Model, started, latency, timeToFirstToken, streaming, outcome, error);
        }
#pragma warning disable CA1031 // A failure to keep the record must not lose the cost from the budget.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HttpLog.RecordFailed(_logger, ex, model);
            return usage.InputTokens == 0 && usage.OutputTokens == 0 ? default : Price.CalculateCost(usage);
        }
    }

    private void Leave()
    {
        if (Interlocked.Decrement(ref _open) == 0)
        {
            Resolve();
        }
    }

    private void Resolve()
    {
        if (Reservation is not { } reservation || _ledger is not { } ledger)
        {
            return;
        }

        var spent = Spent;
        try
        {
            if (spent.Amount > 0m)
            {
                var settling = ledger.SettleAsync(reservation.Id, spent, _key + ":settle", CancellationToken.None);
                if (settling.IsCompletedSuccessfully)
                {
                    Settled(settling.Result, reservation);
                }
                else
                {
                    _ = ObserveSettleAsync(settling, reservation, spent);
                }
            }
            else
            {
                var releasing = ledger.ReleaseAsync(reservation.Id, _key + ":release", CancellationToken.None);
                if (!releasing.IsCompletedSuccessfully)
                {
                    _ = ObserveReleaseAsync(releasing, reservation);
                }
            }
        }
        catch (ReservationAlreadyResolvedException) when (spent.Amount > 0m)
        {
            _ = PostAfterExpiryAsync(ledger, reservation, spent);
        }
#pragma warning disable CA1031 // Resolution runs where a stream ends or is disposed; the ledger's expiry is the backstop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HttpLog.ResolveFailed(_logger, ex, reservation.Id, Model);
        }
    }

    private void Settled(Settlement settlement, Reservation reservation)
    {
        if (settlement.IsOverrun)
        {
            HttpLog.Overrun(_logger, Model, settlement.Overrun, reservation.Amount);
        }
    }

    private async Task ObserveSettleAsync(ValueTask<Settlement> settling, Reservation reservation, Money spent)
    {
        try
        {
            Settled(await settling.ConfigureAwait(false), reservation);
        }
        catch (ReservationAlreadyResolvedException)
        {
            await PostAfterExpiryAsync(_ledger!, reservation, spent).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Nothing awaits this task; the failure is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HttpLog.ResolveFailed(_logger, ex, reservation.Id, Model);
        }
    }

    private async Task ObserveReleaseAsync(ValueTask<LedgerReceipt> releasing, Reservation reservation)
    {
        try
        {
            await releasing.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Nothing awaits this task; the failure is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HttpLog.ResolveFailed(_logger, ex, reservation.Id, Model);
        }
    }

    private async Task PostAfterExpiryAsync(IBudgetLedger ledger, Reservation reservation, Money spent)
    {
        // A stream outlived the reservation timeout: the hold is gone, but the provider still charged; post the cost.
        try
        {
            foreach (var wallet in reservation.Wallets)
            {
                await ledger.AdjustAsync(wallet, spent, _key + ":expired:" + wallet.Value, CancellationToken.None).ConfigureAwait(false);
            }

            HttpLog.PostedAfterExpiry(_logger, reservation.Id, Model, spent);
        }
#pragma warning disable CA1031 // Nothing awaits this task; the failure is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HttpLog.ResolveFailed(_logger, ex, reservation.Id, Model);
        }
    }
}
