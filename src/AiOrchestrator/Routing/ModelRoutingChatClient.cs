using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using AiOrchestrator.Pricing;
using AiOrchestrator.Tokens;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Routing;

/// <summary>
/// Routes each call to one of several provider targets: the call's <see cref="ChatOptions.ModelId"/> names an alias
/// (for example <c>smart</c>) whose strategy orders its targets; the router tries them in that order and falls back
/// to the next only on errors that are safe to retry (429, 5xx, timeouts, connection errors, invalid responses),
/// never on client errors such as 400, never on the caller's cancellation, and never once a stream has yielded its
/// first update. Each target has a circuit breaker and a moving average of its speed.
/// </summary>
/// <remarks>
/// Every target is wrapped once, when the router is built, in its own per-attempt stages (metering when AiOrchestrator
/// is registered), so every attempt is metered, priced for its own model and recorded with the target's name in
/// <see cref="UsageRecord.Route"/>. The caller's options are never changed: each call works on a clone whose model id
/// is set to the target's. Calls that name no model use <see cref="RoutingOptions.DefaultAlias"/>, or go to the inner
/// client unrouted when there is none.
/// </remarks>
public sealed partial class ModelRoutingChatClient : DelegatingChatClient
{
    /// <summary>The provider name the router reports in its <see cref="ChatClientMetadata"/>.</summary>
    public const string ProviderName = "aiorchestrator.router";

    private readonly RouteTable _routes;
    private readonly TargetOrder _order;
    private readonly TimeProvider _time;
    private readonly UsageMeter? _meter;
    private readonly IBudgetLedger? _ledger;
    private readonly IChatClient _passThrough;
    private readonly ChatClientMetadata _metadata;
    private readonly ILogger _logger;
    private readonly long _defaultCap;

    /// <summary>Creates a router over <paramref name="innerClient"/>, which serves targets that name no client of their own.</summary>
    /// <param name="innerClient">The client for targets with neither <see cref="RouteTarget.Client"/> nor <see cref="RouteTarget.ClientKey"/>, and for unrouted calls.</param>
    /// <param name="options">The aliases and their targets; validated now.</param>
    /// <param name="services">
    /// Where keyed target clients, the usage meter, prices, token counter, budget ledger, clock and logger come from;
    /// when null, targets are not metered and the shipped prices and the system clock are used.
    /// </param>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names each setting.</exception>
    public ModelRoutingChatClient(IChatClient innerClient, RoutingOptions options, IServiceProvider? services = null)
        : this(innerClient, options, services, null)
    {
    }

    /// <summary>Creates a router whose per-attempt stages use <paramref name="pipeline"/>'s settings.</summary>
    internal ModelRoutingChatClient(IChatClient innerClient, RoutingOptions options, IServiceProvider? services, AiPipelineOptions? pipeline)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = services?.GetService<TimeProvider>() ?? TimeProvider.System;
        _routes = RouteTable.Build(options, innerClient, services, _time, pipeline);
        _meter = services?.GetService<UsageMeter>();
        _ledger = services?.GetService<IBudgetLedger>();
        _order = new TargetOrder(
            services?.GetService<CostCalculator>() ?? new CostCalculator(new PricingOptions()),
            services?.GetService<ITokenCounter>() ?? TokenCounter.For(TokenCountingMode.Estimate),
            _ledger,
            _time,
            options.DefaultMaxOutputTokens);
        _passThrough = AttemptPipeline.Build(innerClient, services, pipeline);
        var budgeted = pipeline?.EnableBudgets != false && AttemptStages.BudgetReservationsOf(services) is not null;
        _defaultCap = budgeted ? (pipeline?.Budget ?? AttemptStages.OptionsFrom(services!).Budget).DefaultMaxOutputTokens : long.MaxValue;
        _metadata = new ChatClientMetadata(ProviderName, null, options.DefaultAlias);
        _logger = (ILogger?)services?.GetService<ILogger<ModelRoutingChatClient>>() ?? NullLogger.Instance;
    }

    /// <summary>The weighted strategy's source of randomness (tests make it repeatable).</summary>
    internal Random Random
    {
        get => _order.Random;
        set => _order.Random = value;
    }

    internal RouteTable Routes => _routes;

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(ChatClientMetadata) ? _metadata : base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatCallValidation.Validate(messages, options);
        var route = RouteOf(options);
        if (route is null)
        {
            return await _passThrough.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var callOptions = Prepare(messages, options, streaming: false, out var call);
        var order = _order.For(route, messages, callOptions, call?.Scope, streaming: false);
        using var activity = StartActivity(route);
        List<RouteAttempt>? attempts = null;
        Exception? lastError = null;
        foreach (var entry in order)
        {
            var circuit = entry.Health.Circuit;
            var started = _time.GetTimestamp();
            if (!circuit.TryAcquire(started))
            {
                (attempts ??= []).Add(Skipped(entry, started));
                continue;
            }

            callOptions.ModelId = entry.ModelId;
            if (call is not null)
            {
                call.Route = entry.Name;
            }

            var deadline = entry.Timeout is { } timeout ? new AttemptDeadline(timeout, _time, cancellationToken) : null;
            try
            {
                var response = await entry.Pipeline.GetResponseAsync(messages, callOptions, deadline?.Token ?? cancellationToken).ConfigureAwait(false);
                var now = _time.GetTimestamp();
                circuit.OnSuccess(now);
                entry.Health.Latency.AddLatency(_time.GetElapsedTime(started, now));
                Served(activity, entry, attempts);
                return response;
            }
            catch (Exception ex)
            {
                var attempt = Failed(entry, ex, started, deadline, cancellationToken);
                if (attempt is null)
                {
                    Failed(activity, ex);
                    throw;
                }

                (attempts ??= []).Add(attempt);
                lastError = ex;
            }
            finally
            {
                deadline?.Dispose();
            }
        }

        throw AllFailed(activity, route, attempts!, lastError);
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatCallValidation.Validate(messages, options);
        var route = RouteOf(options);
        return route is null
            ? _passThrough.GetStreamingResponseAsync(messages, options, cancellationToken)
            : StreamAsync(route, messages, options, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        Route route, IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var callOptions = Prepare(messages, options, streaming: true, out var call);
        var order = _order.For(route, messages, callOptions, call?.Scope, streaming: true);
        using var activity = StartActivity(route);
        List<RouteAttempt>? attempts = null;
        Exception? lastError = null;
        foreach (var entry in order)
        {
            var circuit = entry.Health.Circuit;
            var started = _time.GetTimestamp();
            if (!circuit.TryAcquire(started))
            {
                (attempts ??= []).Add(Skipped(entry, started));
                continue;
            }

            callOptions.ModelId = entry.ModelId;
            if (call is not null)
            {
                call.Route = entry.Name;
            }

            var deadline = entry.Timeout is { } timeout ? new AttemptDeadline(timeout, _time, cancellationToken) : null;
            IAsyncEnumerator<ChatResponseUpdate>? updates = null;
            try
            {
                // Until the first update reaches the caller, a retryable failure falls back to the next target.
                updates = entry.Pipeline.GetStreamingResponseAsync(messages, callOptions, deadline?.Token ?? cancellationToken).GetAsyncEnumerator(deadline?.Token ?? cancellationToken);
                if (!await updates.MoveNextAsync().ConfigureAwait(false))
                {
                    // A provider stream always starts with something (a role, a usage); an empty one is not an answer.
                    throw new InvalidDataException($"The stream from routing target '{entry.Name}' ended before its first update.");
                }
            }
            catch (Exception ex)
            {
                if (updates is not null)
                {
                    await updates.DisposeAsync().ConfigureAwait(false);
                }

                var attempt = Failed(entry, ex, started, deadline, cancellationToken);
                deadline?.Dispose();
                if (attempt is null)
                {
                    Failed(activity, ex);
                    throw;
                }

                (attempts ??= []).Add(attempt);
                lastError = ex;
                continue;
            }

            // From here the stream belongs to the caller: a failure is propagated, never retried.
            deadline?.Stop();
            entry.Health.Latency.AddFirstUpdate(_time.GetElapsedTime(started));
            Served(activity, entry, attempts);
            var completed = false;
            try
            {
                while (true)
                {
                    yield return updates.Current;
                    Exception? error = null;
                    var any = false;
                    try
                    {
                        any = await updates.MoveNextAsync().ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        error = ex;
                    }

                    if (error is not null)
                    {
                        var now = _time.GetTimestamp();
                        var verdict = FailureClassifier.Classify(error, cancellationToken.IsCancellationRequested, deadline?.TimedOut == true, _time);
                        if (verdict.CountsAgainstHealth)
                        {
                            RecordFailure(entry, verdict, now);
                        }
                        else
                        {
                            circuit.OnNeutral(now);
                        }

                        completed = true;
                        LogStreamFailed(_logger, entry.Name, route.Name, error);
                        Failed(activity, error);
                        ExceptionDispatchInfo.Throw(error);
                    }

                    if (!any)
                    {
                        break;
                    }
                }

                completed = true;
                var end = _time.GetTimestamp();
                circuit.OnSuccess(end);
                entry.Health.Latency.AddLatency(_time.GetElapsedTime(started, end));
            }
            finally
            {
                if (!completed)
                {
                    // The caller stopped reading: the target answered, so it counts as up.
                    circuit.OnSuccess(_time.GetTimestamp());
                }

                await updates.DisposeAsync().ConfigureAwait(false);
                deadline?.Dispose();
            }

            yield break;
        }

        throw AllFailed(activity, route, attempts!, lastError);
    }

    private Route? RouteOf(ChatOptions? options)
        => options?.ModelId is { } model ? _routes.Find(model) : _routes.Default;

    /// <summary>Clones the caller's options (never changed) and makes sure the call object is in the clone.</summary>
    private ChatOptions Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, out AiCall? call)
    {
        var callOptions = options?.Clone() ?? new ChatOptions();
        call = AiCall.From(callOptions);
        if (call is null && _meter is not null)
        {
            call = AttemptChatClient.CreateCall(messages, options, streaming, _meter, scope: null, _defaultCap);
            call.AttachTo(callOptions);
        }

        return callOptions;
    }

    /// <summary>Records a failed attempt; returns null when the error must go to the caller instead of falling back.</summary>
    private RouteAttempt? Failed(RouteEntry entry, Exception error, long started, AttemptDeadline? deadline, CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        var verdict = FailureClassifier.Classify(error, cancellationToken.IsCancellationRequested, deadline?.TimedOut == true, _time);
        if (!verdict.Retryable)
        {
            // A provider that answered (a 400, say) is up; anything else says nothing about its health.
            if (verdict.StatusCode is not null)
            {
                entry.Health.Circuit.OnSuccess(now);
            }
            else
            {
                entry.Health.Circuit.OnNeutral(now);
            }

            return null;
        }

        if (verdict.CountsAgainstHealth)
        {
            RecordFailure(entry, verdict, now);
        }
        else
        {
            entry.Health.Circuit.OnNeutral(now);
        }

        var elapsed = _time.GetElapsedTime(started, now);
        LogFallback(_logger, entry.Name, verdict.Failure, verdict.StatusCode, elapsed.TotalMilliseconds, error);
        return new RouteAttempt
        {
            Target = entry.Name,
            Model = entry.ModelId,
            Failure = verdict.Failure,
            StatusCode = verdict.StatusCode,
            ErrorType = error.GetType().Name,
            Message = deadline?.TimedOut == true ? $"No answer within the target's timeout of {entry.Timeout}." : error.Message,
            Elapsed = elapsed,
            RetryAfter = verdict.RetryAfter,
        };
    }

    private void RecordFailure(RouteEntry entry, FailureClassification verdict, long now)
    {
        if (entry.Health.Circuit.OnFailure(now, verdict.RetryAfter))
        {
            LogCircuitOpened(_logger, entry.Name, _time.GetElapsedTime(now, entry.Health.Circuit.OpenUntil).TotalSeconds, verdict.Failure);
        }
    }

    private RouteAttempt Skipped(RouteEntry entry, long now)
    {
        var wait = _time.GetElapsedTime(now, entry.Health.Circuit.OpenUntil);
        return new RouteAttempt
        {
            Target = entry.Name,
            Model = entry.ModelId,
            Failure = RouteFailure.CircuitOpen,
            Message = wait > TimeSpan.Zero
                ? $"Skipped: its circuit is open after recent failures; the next probe is in {wait.TotalSeconds:0.#} s."
                : "Skipped: its circuit is half-open and a probe call is in flight.",
            RetryAfter = wait > TimeSpan.Zero ? wait : null,
        };
    }

    private Exception AllFailed(Activity? activity, Route route, List<RouteAttempt> attempts, Exception? lastError)
    {
        // When only budgets refused (no provider failed), the caller needs the budget error itself.
        if (lastError is BudgetExceededException && attempts.TrueForAll(static a => a.Failure is RouteFailure.Refused or RouteFailure.CircuitOpen))
        {
            Failed(activity, lastError);
            return lastError;
        }

        var exception = new AllTargetsFailedException(route.Name, attempts, lastError);
        LogAllFailed(_logger, route.Name, attempts.Count, exception);
        Failed(activity, exception);
        return exception;
    }

    private static Activity? StartActivity(Route route)
    {
        var source = AiOrchestratorTelemetry.ActivitySource;
        if (!source.HasListeners())
        {
            return null;
        }

        var activity = source.StartActivity("aiorchestrator.route");
        activity?.SetTag("aiorchestrator.route.alias", route.Name);
        activity?.SetTag("aiorchestrator.route.strategy", route.Strategy.ToString());
        return activity;
    }

    private static void Served(Activity? activity, RouteEntry entry, List<RouteAttempt>? attempts)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("aiorchestrator.route.target", entry.Name);
        activity.SetTag("gen_ai.request.model", entry.ModelId);
        activity.SetTag("aiorchestrator.route.attempts", (attempts?.Count ?? 0) + 1);
    }

    private static void Failed(Activity? activity, Exception error)
    {
        if (activity is not null)
        {
            activity.SetTag("error.type", error.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Routing target {Target} failed ({Failure}, status {Status}) after {ElapsedMs} ms; trying the next target.")]
    private static partial void LogFallback(ILogger logger, string target, RouteFailure failure, int? status, double elapsedMs, Exception exception);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "The circuit of routing target {Target} opened for {Seconds} s after a {Failure} failure.")]
    private static partial void LogCircuitOpened(ILogger logger, string target, double seconds, RouteFailure failure);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "No target of {Alias} could serve the call ({Attempts} attempts).")]
    private static partial void LogAllFailed(ILogger logger, string alias, int attempts, Exception exception);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "The stream from routing target {Target} for {Alias} failed after its first update; the error goes to the caller.")]
    private static partial void LogStreamFailed(ILogger logger, string target, string alias, Exception exception);
}
