using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Pipeline;

/// <summary>Builds the per-attempt stages from the app's services, in <see cref="AiStageOrder.PerAttempt"/> order, and runs their ends.</summary>
[System.Diagnostics.CodeAnalysis.Experimental(AiCall.ExperimentalDiagnosticId)]
public static class AttemptStages
{
    /// <summary>The per-attempt stages registered in <paramref name="services"/>; empty when AiOrchestrator is not registered.</summary>
    public static AttemptStage[] Create(IServiceProvider? services, AiPipelineOptions? options = null)
    {
        if (services?.GetService<UsageMeter>() is not { } meter)
        {
            return [];
        }

        var stages = new List<AttemptStage>(AiStageOrder.PerAttempt.Count);
        foreach (var name in AiStageOrder.PerAttempt)
        {
            switch (name)
            {
                case AiStageOrder.Audit when options?.EnableAudit != false && services.GetService<Audit.IAuditSink>() is { } sink:
                    stages.Add(new Audit.AuditStage(sink, meter.Pricing, services.GetService<ILogger<Audit.AuditLog>>() ?? (ILogger)NullLogger.Instance));
                    break;
                case AiStageOrder.RateLimits when options?.EnableRateLimits != false && services.GetService<RateLimits.ScopeRateLimiter>() is { } limiter:
                    stages.Add(new RateLimits.RateLimitingStage(limiter, meter));
                    break;
                case AiStageOrder.Budget when options?.EnableBudgets != false && BudgetReservationsOf(services) is { } ledger:
                    stages.Add(CreateBudget(services, ledger, meter, options?.Budget ?? StageOptionsFrom(services), null));
                    break;
                case AiStageOrder.Metering:
                    stages.Add(new MeteringStage(meter));
                    break;
            }
        }

        return [.. stages];
    }

    /// <summary>The pipeline options as registered: the budget stage's settings come from <see cref="BudgetOptions"/>.</summary>
    /// <param name="services">The app's services.</param>
    public static AiPipelineOptions OptionsFrom(IServiceProvider services) => new() { Budget = StageOptionsFrom(services) };

    /// <summary>
    /// Starts <paramref name="stages"/> in order before <paramref name="attempt"/> is sent. When one refuses (throws),
    /// the attempt ends as refused (or cancelled, when <paramref name="cancellationToken"/> was), the stages already
    /// started end innermost first, and the exception propagates: nothing is sent. Every pipeline starts its stages
    /// through this.
    /// </summary>
    public static async ValueTask StartAsync(AttemptStage[] stages, AiCallAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(attempt);
        for (var i = 0; i < stages.Length; i++)
        {
            try
            {
                await stages[i].StartAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                var cancelled = ex is OperationCanceledException && cancellationToken.IsCancellationRequested;
                attempt.End(null, default, null, cancelled ? CallOutcome.Cancelled : CallOutcome.Rejected, ex.GetType().Name, TimeSpan.Zero, null);
                await EndAsync(stages, attempt, i).ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>Ends the first <paramref name="count"/> of <paramref name="stages"/>, innermost first.</summary>
    public static async ValueTask EndAsync(AttemptStage[] stages, AiCallAttempt attempt, int count)
    {
        ArgumentNullException.ThrowIfNull(stages);
        for (var i = count - 1; i >= 0; i--)
        {
            await stages[i].EndAsync(attempt).ConfigureAwait(false);
        }
    }

    /// <summary>The services a runner answers for its stages (the meter, the budget's ledger), or <see langword="null"/>.</summary>
    internal static object? ServiceOf(Type serviceType, object? serviceKey, UsageMeter meter, BudgetStage? budget)
    {
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(UsageMeter))
        {
            return meter;
        }

        return serviceType == typeof(IBudgetLedger) && budget is { Ledger: IBudgetLedger ledger } ? ledger : null;
    }

    /// <summary>
    /// What the budget stage reserves on: an <see cref="IBudgetReservations"/> registered on its own (a ledger that
    /// spends from leases of a central ledger), else the local <see cref="IBudgetLedger"/>.
    /// </summary>
    internal static IBudgetReservations? BudgetReservationsOf(IServiceProvider? services)
        => services?.GetService<IBudgetReservations>() ?? services?.GetService<IBudgetLedger>();

    internal static BudgetStage CreateBudget(IServiceProvider? services, IBudgetReservations ledger, UsageMeter meter, BudgetStageOptions options, ILogger? logger)
    {
        options.Validate();
        logger ??= services?.GetService<ILogger<BudgetChatClient>>() ?? (ILogger)NullLogger.Instance;
        return new BudgetStage(ledger, meter, options, logger);
    }

    private static BudgetStageOptions StageOptionsFrom(IServiceProvider services)
    {
        var budgets = services.GetService<IOptions<BudgetOptions>>()?.Value;
        return budgets is null
            ? new BudgetStageOptions()
            : new BudgetStageOptions
            {
                ClampMaxOutputTokens = budgets.ClampMaxOutputTokens,
                DefaultMaxOutputTokens = budgets.DefaultMaxOutputTokens,
                WaitForDurableSettlement = budgets.WaitForDurableSettlement,
            };
    }
}
