using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using AiOrchestrator.Pricing;
using Microsoft.Extensions.Logging;

namespace AiOrchestrator.Audit;

/// <summary>
/// The audit stage, in both pipelines and outermost of the per-attempt stages: when an attempt has ended and every
/// other stage has decided (the budget settled or released, the rate limits reconciled, metering priced it), one entry
/// records what happened, under the call's id: settled (with its cost), released (failed, cancelled or abandoned),
/// limit rejected or blocked (with the refusing rule). No prompt or response text is ever part of an entry. An audit
/// failure never fails the call: it is logged once and counted by the log.
/// </summary>
internal sealed partial class AuditStage(IAuditSink sink, CostCalculator pricing, ILogger logger) : AttemptStage
{
    private int _failureLogged;

    public override string Name => AiStageOrder.Audit;

    public override ValueTask StartAsync(AiCallAttempt attempt, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public override ValueTask EndAsync(AiCallAttempt attempt)
    {
        // The decisions taken for the attempt, in the order they were taken: where it was routed, what the budget
        // reserved, how it ended, and whether the provider's usage went past the reservation.
        if (attempt.Route is { } route)
        {
            Append(sink, Decision(attempt, AuditEntryKind.Routed, null, AuditAttributes.Of(AuditAttributeKey.Route, Short(route))), logger, ref _failureLogged);
        }

        if (attempt.Reservation is { } reservation)
        {
            Append(sink, Decision(attempt, AuditEntryKind.Reserved, reservation.Amount, AuditAttributes.Of(AuditAttributeKey.Reference, reservation.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))), logger, ref _failureLogged);
        }

        var ended = EventOf(attempt, pricing);
        Append(sink, ended, logger, ref _failureLogged);
        if (ended.Kind == AuditEntryKind.Settled && attempt.Reservation is { } reserved && ended.Amount > reserved.Amount.Amount && ended.Currency == reserved.Amount.Currency)
        {
            Append(sink, Decision(attempt, AuditEntryKind.Overrun, new Money(ended.Amount.Value - reserved.Amount.Amount, reserved.Amount.Currency), AuditAttributes.Of(AuditAttributeKey.Reason, "provider-reported usage beyond the reservation")), logger, ref _failureLogged);
        }

        return ValueTask.CompletedTask;
    }

    private static AuditEvent Decision(AiCallAttempt attempt, AuditEntryKind kind, Money? amount, AuditAttributes attributes) => new(kind, attempt.Call.Id)
    {
        Scope = attempt.Call.Scope,
        Provider = attempt.Provider,
        Model = attempt.Model,
        Amount = amount?.Amount,
        Currency = amount?.Currency,
        Attributes = attributes,
    };

    /// <summary>The entry for an ended attempt.</summary>
    internal static AuditEvent EventOf(AiCallAttempt attempt, CostCalculator pricing)
    {
        var (kind, rule) = attempt.Outcome switch
        {
            CallOutcome.Succeeded => (AuditEntryKind.Settled, null),
            CallOutcome.Rejected when attempt.Error == nameof(RateLimits.RateLimitExceededException) => (AuditEntryKind.LimitRejected, "rate-limit"),
            CallOutcome.Rejected when attempt.Error == nameof(Budgets.BudgetExceededException) => (AuditEntryKind.Blocked, "budget"),
            CallOutcome.Rejected => (AuditEntryKind.Blocked, attempt.Error),
            _ => (AuditEntryKind.Released, null),
        };
        var attributes = AuditAttributes.Empty;
        if (rule is not null)
        {
            attributes = attributes.With(AuditAttributeKey.Rule, Short(rule));
        }

        if (attempt.Route is { } route)
        {
            attributes = attributes.With(AuditAttributeKey.Route, Short(route));
        }

        if (kind == AuditEntryKind.Released && attempt.Error is { } error)
        {
            attributes = attributes.With(AuditAttributeKey.Reason, Short(attempt.Outcome + ": " + error));
        }

        Money? cost = attempt.HasEnded ? attempt.GetCost(pricing) : null;
        return new AuditEvent(kind, attempt.Call.Id)
        {
            Scope = attempt.Call.Scope,
            Provider = attempt.Provider,
            Model = attempt.ServedModel ?? attempt.Model,
            Amount = kind == AuditEntryKind.Settled ? cost?.Amount ?? 0m : null,
            Currency = kind == AuditEntryKind.Settled ? cost?.Currency ?? attempt.Price.Currency : null,
            Attributes = attributes,
        };
    }

    /// <summary>Appends without ever throwing at the caller: a failure is logged the first time.</summary>
    internal static void Append(IAuditSink sink, in AuditEvent auditEvent, ILogger logger, ref int failureLogged)
    {
        try
        {
            sink.Append(auditEvent);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or ObjectDisposedException or IOException)
        {
            if (Interlocked.Exchange(ref failureLogged, 1) == 0)
            {
                LogAuditFailed(logger, ex, auditEvent.Kind);
            }
        }
    }

    private static string Short(string value)
    {
        var line = value.ReplaceLineEndings(" ");
        return line.Length <= AuditAttributes.MaxValueLength ? line : line[..AuditAttributes.MaxValueLength];
    }

    [LoggerMessage(EventId = 3701, Level = LogLevel.Error, Message = "An audit entry ({Kind}) could not be appended; calls go on, and later failures are not logged again. Check the audit log's directory and disk.")]
    private static partial void LogAuditFailed(ILogger logger, Exception exception, AuditEntryKind kind);
}
