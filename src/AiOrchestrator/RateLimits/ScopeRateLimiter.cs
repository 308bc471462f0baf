using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using AiOrchestrator.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.RateLimits;

/// <summary>
/// The rate limits of every scope: requests per window before routing (<see cref="AcquireRequestAsync"/>), tokens
/// and cost per window for each attempt (<see cref="AcquireTokensAsync"/>, reconciled with
/// <see cref="RateLimitPermit.Settle"/>). A call takes from its user's, its team's and its organisation's limits all or
/// nothing; a refusal is a <see cref="RateLimitExceededException"/> with a retry-after, after waiting in a bounded
/// queue when one is configured. Reloaded options apply to new acquisitions and keep the current windows' counts;
/// partitions of idle scopes are dropped.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class ScopeRateLimiter : IDisposable
{
    private readonly ConcurrentDictionary<PathKey, RateLimitPath> _paths = new();
    private readonly ConcurrentDictionary<PartitionKey, WindowLimiter> _limiters = new();
    private readonly RateLimitClock _clock;
    private readonly ILogger _logger;
    private readonly RateLimitMetrics _metrics;
    private readonly IDisposable? _subscription;
    private readonly Func<PartitionKey, RateLimitRuleSet.RuleMatch, WindowLimiter> _limiterFor;
    private RateLimitRuleSet _rules;
    private long _nextSweep;
    private int _sweeping;

    /// <summary>Creates a limiter that follows <paramref name="options"/>, applying reloaded values as they come.</summary>
    /// <param name="options">The options (reloadable).</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Where refusals and reloads are logged.</param>
    /// <param name="meterFactory">Creates the meter of the rate-limit instruments.</param>
    public ScopeRateLimiter(IOptionsMonitor<RateLimitOptions> options, TimeProvider? timeProvider = null, ILogger<ScopeRateLimiter>? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clock = new RateLimitClock(timeProvider ?? TimeProvider.System);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _metrics = new RateLimitMetrics(meterFactory);
        _rules = new RateLimitRuleSet(options.CurrentValue, 1);
        _nextSweep = _rules.IdleTicks;
        _limiterFor = CreateLimiter;
        _subscription = options.OnChange((o, name) =>
        {
            if (name is null || name == Options.DefaultName)
            {
                Apply(o);
            }
        });
    }

    /// <summary>Creates a limiter with fixed options.</summary>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    public ScopeRateLimiter(RateLimitOptions options, TimeProvider? timeProvider)
        : this(new FixedOptions(options ?? throw new ArgumentNullException(nameof(options))), timeProvider)
    {
    }

    /// <summary>How many partitions (one limit of one scope) are held now.</summary>
    public int PartitionCount => _limiters.Count;

    private int _auditFailureLogged;

    /// <summary>
    /// Takes one request from the request limits of <paramref name="scope"/> (and <paramref name="model"/>, the model or
    /// alias the caller asked for, for rules that name models). Call it once per call, before routing.
    /// </summary>
    /// <exception cref="RateLimitExceededException">A limit refused and the call could not wait (or waited in a full queue).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while the call waited.</exception>
    public ValueTask<RateLimitPermit> AcquireRequestAsync(AiScope scope, string? model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return AcquireAsync(RateLimitStage.Requests, scope, model, 0, 0m, cancellationToken);
    }

    /// <summary>
    /// Takes the attempt's estimated tokens and cost from the token and cost limits of <paramref name="scope"/> on
    /// <paramref name="model"/> (the routed model). Call it per attempt, after the budget reservation; settle the
    /// permit with the attempt's actual usage, or release it when the attempt used nothing.
    /// </summary>
    /// <param name="scope">Who the call is for.</param>
    /// <param name="model">The model of the attempt.</param>
    /// <param name="estimatedTokens">Input tokens plus the output cap: what the attempt may use.</param>
    /// <param name="estimatedCost">What the attempt may cost, in US dollars (the budget's reservation).</param>
    /// <param name="cancellationToken">Stops waiting in a queue.</param>
    /// <exception cref="RateLimitExceededException">A limit refused and the call could not wait (or waited in a full queue).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while the call waited.</exception>
    public ValueTask<RateLimitPermit> AcquireTokensAsync(AiScope scope, string model, long estimatedTokens, decimal estimatedCost, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(estimatedTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(estimatedCost);
        return AcquireAsync(RateLimitStage.Attempt, scope, model, estimatedTokens, estimatedCost, cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _subscription?.Dispose();
        _metrics.Dispose();
    }

    /// <summary>Drops partitions idle for <see cref="RateLimitOptions.IdlePartitionTimeout"/> with nothing in their window.</summary>
    internal void Sweep(long now)
    {
        var idle = Volatile.Read(ref _rules).IdleTicks;
        var paths = 0;
        foreach (var (key, path) in _paths)
        {
            if (now - path.LastUsed >= idle && _paths.TryRemove(new KeyValuePair<PathKey, RateLimitPath>(key, path)))
            {
                paths++;
            }
        }

        var partitions = 0;
        foreach (var (key, limiter) in _limiters)
        {
            if (limiter.TryRetire(now, idle) && _limiters.TryRemove(new KeyValuePair<PartitionKey, WindowLimiter>(key, limiter)))
            {
                limiter.Dispose();
                partitions++;
            }
        }

        if (partitions + paths > 0)
        {
            RateLimitLog.Swept(_logger, partitions, paths, _limiters.Count);
        }
    }

    internal void Settle(RateLimitPath path, long takenAt, in RateLimitAmounts estimated, in RateLimitAmounts actual)
    {
        var now = _clock.Now();
        foreach (var limiter in path.Limiters)
        {
            if (limiter.Kind != RateLimitKind.Requests)
            {
                limiter.Reconcile(limiter.AmountOf(estimated), limiter.AmountOf(actual), takenAt, now);
            }
        }
    }

    private ValueTask<RateLimitPermit> AcquireAsync(RateLimitStage stage, AiScope scope, string? model, long tokens, decimal cost, CancellationToken cancellationToken)
    {
        var now = _clock.Now();
        if (now >= Volatile.Read(ref _nextSweep))
        {
            MaybeSweep(now);
        }

        var path = PathFor(stage, scope, model, now);
        if (path.Limiters.Length == 0)
        {
            return new(new RateLimitPermit(this, path, now, default, TimeSpan.Zero));
        }

        var amounts = stage == RateLimitStage.Requests ? new RateLimitAmounts(1, 0, 0) : path.Amounts(tokens, cost);
        var outcome = RateLimitAcquisition.TryAcquire(path.Limiters, amounts, now, null);
        if (outcome.Result == TakeResult.Taken)
        {
            return new(new RateLimitPermit(this, path, now, amounts, TimeSpan.Zero));
        }

        if (outcome.Result == TakeResult.Retired)
        {
            Forget(path);
        }

        return outcome.Result == TakeResult.Retired || (outcome.Result == TakeResult.Refused && outcome.Limiter!.QueueLimit > 0)
            ? WaitAsync(stage, scope, model, tokens, cost, cancellationToken)
            : ValueTask.FromException<RateLimitPermit>(Refuse(outcome, amounts));
    }

    private async ValueTask<RateLimitPermit> WaitAsync(RateLimitStage stage, AiScope scope, string? model, long tokens, decimal cost, CancellationToken cancellationToken)
    {
        var start = _clock.Now();
        while (true)
        {
            var path = PathFor(stage, scope, model, _clock.Now());
            var amounts = stage == RateLimitStage.Requests ? new RateLimitAmounts(1, 0, 0) : path.Amounts(tokens, cost);
            RateLimitAcquisition.Outcome outcome;
            try
            {
                outcome = await RateLimitAcquisition.AcquireAsync(path.Limiters, amounts, _clock, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _metrics.Queued(TimeSpan.FromTicks(_clock.Now() - start), "canceled");
                throw;
            }

            var waited = TimeSpan.FromTicks(_clock.Now() - start);
            switch (outcome.Result)
            {
                case TakeResult.Taken:
                    if (waited > TimeSpan.Zero)
                    {
                        _metrics.Queued(waited, "acquired");
                    }

                    return new RateLimitPermit(this, path, outcome.TakenAt, amounts, waited);
                case TakeResult.Retired:
                    Forget(path);
                    continue;
                default:
                    if (waited > TimeSpan.Zero)
                    {
                        _metrics.Queued(waited, "rejected");
                    }

                    throw Refuse(outcome, amounts);
            }
        }
    }

    private RateLimitPath PathFor(RateLimitStage stage, AiScope scope, string? model, long now)
    {
        var rules = Volatile.Read(ref _rules);
        var key = new PathKey(stage, scope.Organization, scope.Team, scope.User, rules.UsesModels ? model : null);
        if (_paths.TryGetValue(key, out var path) && path.Version == rules.Version)
        {
            path.LastUsed = now;
            return path;
        }

        path = rules.Resolve(key, _limiterFor);
        path.LastUsed = now;
        _paths[key] = path;
        return path;
    }

    private void Forget(RateLimitPath path) => _paths.TryRemove(new KeyValuePair<PathKey, RateLimitPath>(path.Key, path));

    private WindowLimiter CreateLimiter(PartitionKey key, RateLimitRuleSet.RuleMatch match)
    {
        var segments = match.Options.Segments;
        while (true)
        {
            if (_limiters.TryGetValue(key, out var existing))
            {
                existing.Configure(match.Limit, match.Window, segments, match.QueueLimit);
                return existing;
            }

            var created = new WindowLimiter(_clock, key.Kind, match.Rule.Level, RateLimitRuleSet.Describe(key, match.Rule.Level), match.Limit, match.Window, segments, match.QueueLimit);
            if (_limiters.TryAdd(key, created))
            {
                return created;
            }

            created.Dispose();
        }
    }

    private RateLimitExceededException Refuse(in RateLimitAcquisition.Outcome outcome, in RateLimitAmounts amounts)
    {
        var limiter = outcome.Limiter!;
        var (reason, retryAfter) = outcome.Result switch
        {
            TakeResult.NeverFits => ("never_fits", (TimeSpan?)null),
            TakeResult.QueueFull => ("queue_full", TimeSpan.FromTicks(Math.Max(1, outcome.RetryAfter))),
            _ => ("limit", TimeSpan.FromTicks(Math.Max(1, outcome.RetryAfter))),
        };
        _metrics.Rejected(limiter.Kind, limiter.Level, reason);
        RateLimitLog.Rejected(_logger, limiter.Kind, limiter.Partition, reason, retryAfter);
        var cost = limiter.Kind == RateLimitKind.Cost;
        var requested = limiter.AmountOf(amounts);
        return new RateLimitExceededException(
            limiter.Kind,
            limiter.Level,
            limiter.Partition,
            cost ? RateLimitCost.ToDollars(limiter.Limit) : limiter.Limit,
            cost ? RateLimitCost.ToDollars(requested) : requested,
            limiter.Window,
            retryAfter,
            outcome.Result == TakeResult.QueueFull);
    }

    private void MaybeSweep(long now)
    {
        if (Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0)
        {
            return;
        }

        try
        {
            if (now >= Volatile.Read(ref _nextSweep))
            {
                Volatile.Write(ref _nextSweep, now + Volatile.Read(ref _rules).IdleTicks);
                Sweep(now);
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private void Apply(RateLimitOptions options)
    {
        var failures = RateLimitOptionsValidator.Collect(options);
        if (failures.Count > 0)
        {
            RateLimitLog.ReloadRejected(_logger, string.Join(" ", failures));
            return;
        }

        var current = Volatile.Read(ref _rules);
        Volatile.Write(ref _rules, new RateLimitRuleSet(options, current.Version + 1));
        RateLimitLog.Reloaded(_logger, options.Limits.Count);
        if (Audit is { } sink)
        {
            var entry = new Audit.AuditEvent(AiOrchestrator.Audit.AuditEntryKind.ConfigurationChanged, AiCallId.New(_clock.TimeProvider.GetUtcNow()))
            {
                Attributes = AiOrchestrator.Audit.AuditAttributes.Of(
                    AiOrchestrator.Audit.AuditAttributeKey.Setting, RateLimitOptions.SectionName,
                    AiOrchestrator.Audit.AuditAttributeKey.Count, options.Limits.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            };
            AiOrchestrator.Audit.AuditStage.Append(sink, entry, _logger, ref _auditFailureLogged);
        }
    }

    /// <summary>Where a reload of the limits is audited, when an audit log is registered.</summary>
    internal AiOrchestrator.Audit.IAuditSink? Audit { get; init; }

    /// <summary>Options given in code: they never change.</summary>
    private sealed class FixedOptions(RateLimitOptions value) : IOptionsMonitor<RateLimitOptions>
    {
        public RateLimitOptions CurrentValue => value;

        public RateLimitOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<RateLimitOptions, string?> listener) => null;
    }
}
