using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiOrchestrator.Budgets;

/// <summary>
/// Enforces budgets before every call: reserves the call's worst-case cost on every wallet of its scope path (all or
/// nothing), lowers <see cref="ChatOptions.MaxOutputTokens"/> to what the wallets can still pay for, settles the
/// actual cost afterwards and releases the hold when the call fails, is cancelled, or its stream is abandoned.
/// </summary>
/// <remarks>
/// The budget stage of the shared pipeline (the <c>HttpClient</c> handlers run the same stage). What a call settles
/// comes from usage its provider reported, or from an estimate capped at what was reserved: input at most the
/// reserved bound, output at most the cap sent, cost at most the reservation. Only usage the provider itself reported
/// beyond the cap can exceed a reservation: it is posted as an overrun, counted and logged. A stream whose provider
/// ignores the cap is cut off once its output is certainly past it. A call that outlives its reservation still gets
/// its response, and its cost is posted late. A scope with no wallets is not limited.
/// </remarks>
public sealed class BudgetChatClient : DelegatingChatClient
{
    private readonly BudgetStageOptions _options;

    /// <summary>Creates the budget stage over <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The client the calls go to.</param>
    /// <param name="ledger">The wallets.</param>
    /// <param name="meter">Prices attempts (its catalog and unpriced-model policy), resolves scopes and keeps refusals.</param>
    /// <param name="options">The stage's settings; defaults when null.</param>
    /// <param name="logger">Where clamps, overruns and late settles are logged.</param>
    public BudgetChatClient(IChatClient innerClient, IBudgetLedger ledger, UsageMeter meter, BudgetStageOptions? options = null, ILogger<BudgetChatClient>? logger = null)
        : base(Build(innerClient, ledger, meter, options, logger))
    {
        _options = ((BudgetStage)((AttemptChatClient)InnerClient).Stages[0]).Options;
    }

    /// <summary>
    /// Lower <see cref="ChatOptions.MaxOutputTokens"/> when it is unset or more than the wallets can pay for, so one
    /// call cannot overspend. Default true. When false, an unaffordable call is refused.
    /// </summary>
    public bool ClampMaxOutputTokens
    {
        get => _options.ClampMaxOutputTokens;
        set => _options.ClampMaxOutputTokens = value;
    }

    /// <summary>The output cap reserved for (and set on) calls that set none. Default 4,096 tokens.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public int DefaultMaxOutputTokens
    {
        get => _options.DefaultMaxOutputTokens;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _options.DefaultMaxOutputTokens = value;
        }
    }

    /// <summary>
    /// Wait until a call's settlement is on disk before returning its response. Default false: settlements are
    /// group-committed a few milliseconds later, and a crash in between loses at most those (see the budgets docs).
    /// </summary>
    public bool WaitForDurableSettlement
    {
        get => _options.WaitForDurableSettlement;
        set => _options.WaitForDurableSettlement = value;
    }

    private static AttemptChatClient Build(IChatClient innerClient, IBudgetLedger ledger, UsageMeter meter, BudgetStageOptions? options, ILogger<BudgetChatClient>? logger)
    {
        ArgumentNullException.ThrowIfNull(innerClient);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(meter);
        var stage = AttemptStages.CreateBudget(null, ledger, meter, options ?? new BudgetStageOptions(), logger ?? (ILogger)NullLogger.Instance);
        return new AttemptChatClient(innerClient, [stage], meter);
    }
}
