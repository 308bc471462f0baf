using System.Runtime.CompilerServices;
using AiOrchestrator.Metering;
using AiOrchestrator.Pricing;
using AiOrchestrator.Tokens;
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
/// Place it outside the metering stage (as <c>UseAiOrchestrator</c> does): the metering stage prices each attempt and
/// this stage settles that price. A scope with no wallets is not limited. The worst case is the estimated input
/// tokens at the input price plus the output cap at the highest output price; prompt-cache writes, which cost more
/// than plain input, can make a call cost slightly more than its reservation: that is posted and reported as an
/// overrun, as is a stream whose provider ignored the cap (it is cut off).
/// </remarks>
public sealed partial class BudgetChatClient : DelegatingChatClient
{
    private readonly IBudgetLedger _ledger;
    private readonly CostCalculator _pricing;
    private readonly ITokenCounter _tokens;
    private readonly UsageMeter _meter;
    private readonly ILogger _logger;
    // Reserve with the cheap bound only while the wallets hold this many times its worst case.
    private const decimal AmpleHeadroom = 20m;
    private const int MessageFramingAllowance = 8;
    private ChatClientMetadata? _metadata;

    /// <summary>Creates the budget stage over <paramref name="innerClient"/>.</summary>
    public BudgetChatClient(IChatClient innerClient, IBudgetLedger ledger, CostCalculator pricing, ITokenCounter tokenCounter, UsageMeter meter, ILogger<BudgetChatClient>? logger = null)
        : base(innerClient)
    {
        _ledger = ledger ?? throw new ArgumentNullException(nameof(ledger));
        _pricing = pricing ?? throw new ArgumentNullException(nameof(pricing));
        _tokens = tokenCounter ?? throw new ArgumentNullException(nameof(tokenCounter));
        _meter = meter ?? throw new ArgumentNullException(nameof(meter));
        _logger = logger ?? NullLogger<BudgetChatClient>.Instance;
    }

    /// <summary>
    /// Lower <see cref="ChatOptions.MaxOutputTokens"/> when it is unset or more than the wallets can pay for, so one
    /// call cannot overspend. Default true. When false, an unaffordable call is refused.
    /// </summary>
    public bool ClampMaxOutputTokens { get; set; } = true;

    /// <summary>The output cap reserved for (and set on) calls that set none. Default 4,096 tokens.</summary>
    public int DefaultMaxOutputTokens { get; set; } = 4096;

    /// <summary>
    /// Wait until a call's settlement is on disk before returning its response. Default false: settlements are
    /// group-committed a few milliseconds later, and a crash in between loses at most those (see the budgets docs).
    /// </summary>
    public bool WaitForDurableSettlement { get; set; }

    private ChatClientMetadata Metadata => _metadata ??= InnerClient.GetService<ChatClientMetadata>() ?? new ChatClientMetadata();

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var plan = await PlanAsync(messages, options, cancellationToken).ConfigureAwait(false);
        if (plan is null)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, plan.Options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ResolveAsync(plan, null, messages).ConfigureAwait(false);
            throw;
        }

        await ResolveAsync(plan, response, messages).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return StreamAsync(messages, options, cancellationToken);
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType == typeof(IBudgetLedger) ? _ledger : base.GetService(serviceType, serviceKey);

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(messages, options, cancellationToken).ConfigureAwait(false);
        if (plan is null)
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        var family = TokenizerFamilies.ForModel(plan.Model);
        var exact = family is TokenizerFamily.O200k or TokenizerFamily.Cl100k;
        var watch = new StreamCapWatch(plan.MaxOutputTokens, exact ? family : null);
        var cutOff = false;
        var enumerator = base.GetStreamingResponseAsync(messages, plan.Options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                var update = enumerator.Current;
                var overCap = false;
                foreach (var content in update.Contents)
                {
                    if (content is TextContent { Text.Length: > 0 } text)
                    {
                        overCap |= watch.Add(text.Text);
                    }
                }

                yield return update;
                if (overCap)
                {
                    // The provider ignored the cap: stop reading (it stops generating when the connection closes).
                    cutOff = true;
                    LogCutOff(_logger, plan.Model, plan.MaxOutputTokens, watch.Seen);
                    break;
                }
            }
        }
        finally
        {
            // Disposing the inner stream first lets the metering stage record what was used before it is settled.
            await enumerator.DisposeAsync().ConfigureAwait(false);
            await ResolveAsync(plan, null, messages).ConfigureAwait(false);
        }

        if (cutOff)
        {
            yield return new ChatResponseUpdate { FinishReason = ChatFinishReason.Length, ModelId = plan.Model };
        }
    }

    private async ValueTask<BudgetPlan?> PlanAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var context = AiCallContext.Get(options);
        var scope = context?.Scope ?? _meter.ResolveScope(options);
        var wallets = _ledger.GetWalletPath(scope);
        if (wallets.Count == 0)
        {
            return null;
        }

        var metadata = Metadata;
        var model = options?.ModelId ?? metadata.DefaultModelId
            ?? throw new InvalidOperationException("The call names no model, so its cost cannot be reserved. Set ChatOptions.ModelId, or give the client a default model.");
        var now = _meter.TimeProvider.GetUtcNow();
        var price = _pricing.GetPrice(metadata.ProviderName, model, now);
        var available = Available(wallets, price.Currency);
        long maxOutput = options?.MaxOutputTokens is { } requested && requested > 0 ? requested : DefaultMaxOutputTokens;

        // With ample headroom, reserve for a bound that costs nanoseconds (a token is at least one UTF-8 byte); only
        // when the wallets run low is the input counted more tightly, so calls near the limit are not refused early.
        var inputTokens = InputBytesBound(messages, options);
        var amount = inputTokens < 0 ? default : price.EstimateMaxCost(inputTokens, maxOutput);
        if (inputTokens < 0 || amount.Amount * AmpleHeadroom > available.Amount)
        {
            inputTokens = _tokens.CountInputTokens(messages, options, model);
            amount = price.EstimateMaxCost(inputTokens, maxOutput);
        }

        if (ClampMaxOutputTokens && amount > available)
        {
            var affordable = price.MaxAffordableOutputTokens(available, inputTokens);
            if (affordable >= 1)
            {
                maxOutput = Math.Min(maxOutput, affordable);
                amount = price.EstimateMaxCost(inputTokens, maxOutput);
            }
        }

        var callId = UsageRecordId.Next(now).ToString("N");
        Reservation reservation;
        try
        {
            reservation = await _ledger.ReserveAsync(wallets, amount, callId + "/reserve", cancellationToken).ConfigureAwait(false);
        }
        catch (BudgetExceededException ex)
        {
            _meter.Record(new MeteredCall(scope, context, metadata.ProviderName, model, default, now, TimeSpan.Zero, null, false, CallOutcome.Rejected, ex.GetType().Name));
            throw;
        }

        context ??= new AiCallContext(scope);
        context.Usage = null;
        context.Cost = null;
        var callOptions = options?.Clone() ?? new ChatOptions();
        callOptions.ModelId ??= model;
        callOptions.MaxOutputTokens = (int)Math.Min(maxOutput, int.MaxValue);
        (callOptions.AdditionalProperties ??= [])[AiCallContext.Key] = context;
        return new BudgetPlan(reservation, callId, callOptions, context, price, model, maxOutput);
    }

    /// <summary>
    /// An upper bound of the input tokens of a text-only call: its UTF-8 bytes plus a per-message allowance for the
    /// chat framing; -1 when the call carries anything else (tools, images, function results), which only the
    /// token counter can bound.
    /// </summary>
    private static long InputBytesBound(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        if (options?.Tools is { Count: > 0 } || messages is not IReadOnlyList<ChatMessage> list)
        {
            return -1;
        }

        long bytes = 0;
        for (var i = 0; i < list.Count; i++)
        {
            var contents = list[i].Contents;
            for (var j = 0; j < contents.Count; j++)
            {
                if (contents[j] is not TextContent text)
                {
                    return -1;
                }

                bytes += System.Text.Encoding.UTF8.GetByteCount(text.Text);
            }

            bytes += MessageFramingAllowance;
        }

        return bytes + MessageFramingAllowance;
    }

    private Money Available(IReadOnlyList<WalletId> wallets, string currency)
    {
        if (_ledger is BudgetLedger ledger)
        {
            return ledger.MinimumAvailable(wallets, currency);
        }

        var available = new Money(decimal.MaxValue, currency);
        foreach (var id in wallets)
        {
            var wallet = _ledger.GetWallet(id);
            if (wallet.Available < available)
            {
                available = wallet.Available;
            }
        }

        return available.Amount < 0m ? new Money(0m, currency) : available;
    }

    /// <summary>Settles what the call cost (as the metering stage priced it), or releases the hold if it cost nothing.</summary>
    private async Task ResolveAsync(BudgetPlan plan, ChatResponse? response, IEnumerable<ChatMessage> messages)
    {
        var cost = plan.Context.Cost;
        if (cost is null && response is not null)
        {
            // No metering stage inside: price the response here.
            var usage = response.Usage is { } details ? details.ToTokenUsage(response.RawRepresentation) : default;
            if (response.Usage is null)
            {
                usage = new TokenUsage
                {
                    InputTokens = _tokens.CountInputTokens(messages, plan.Options, plan.Model),
                    OutputTokens = _tokens.CountOutputTokens(response.Text, plan.Model),
                    IsEstimated = true,
                };
            }

            cost = plan.Price.CalculateCost(usage);
        }

        if (cost is { Amount: > 0m } actual)
        {
            var settlement = await _ledger.SettleAsync(plan.Reservation.Id, actual, plan.CallId + "/settle", CancellationToken.None).ConfigureAwait(false);
            if (settlement.IsOverrun)
            {
                LogOverrun(_logger, plan.Model, plan.Reservation.Amount.ToString(), actual.ToString());
            }

            if (WaitForDurableSettlement)
            {
                await settlement.Durable.ConfigureAwait(false);
            }
        }
        else
        {
            await _ledger.ReleaseAsync(plan.Reservation.Id, plan.CallId + "/release", CancellationToken.None).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "The stream of model {Model} ran past its cap of {MaxOutputTokens} output tokens ({Seen} seen); it was cut off and settled as an overrun.")]
    private static partial void LogCutOff(ILogger logger, string model, long maxOutputTokens, long seen);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "A call to {Model} cost {Actual}, more than its reservation of {Reserved}; the overrun was posted.")]
    private static partial void LogOverrun(ILogger logger, string model, string reserved, string actual);

    private sealed record BudgetPlan(
        Reservation Reservation, string CallId, ChatOptions Options, AiCallContext Context, ModelPrice Price, string Model, long MaxOutputTokens);
}
