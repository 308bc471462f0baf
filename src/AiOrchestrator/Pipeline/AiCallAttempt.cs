using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using AiOrchestrator.Pricing;

namespace AiOrchestrator.Pipeline;

/// <summary>
/// One attempt of an <see cref="AiCall"/> at one target: its model, its price (looked up once), the output cap it
/// sends, its budget reservation, and once it has ended, its usage, cost and outcome. The rule that turns what an
/// attempt used into what it costs lives here, once, for every pipeline: usage the provider reported is charged as
/// reported; usage that had to be estimated (no report, an abandoned, cancelled or failed stream) is capped at what
/// was reserved: input at most the reserved input bound, output at most the cap sent, cost at most the reservation.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class AiCallAttempt
{
    private Money? _cost;

    /// <summary>The token and cost permit the rate-limit stage took for this attempt, settled when it ends.</summary>
    internal RateLimits.RateLimitPermit? TokenPermit { get; set; }

    internal AiCallAttempt(AiCall call, int number, string? provider, string model, ModelPrice price, long maxOutputTokens, string? route, DateTimeOffset startedAt, long startTimestamp)
    {
        Call = call;
        Number = number;
        Provider = provider;
        Model = model;
        Price = price;
        MaxOutputTokens = maxOutputTokens;
        Route = route;
        StartedAt = startedAt;
        StartTimestamp = startTimestamp;
    }

    /// <summary>The call this attempt belongs to.</summary>
    public AiCall Call { get; }

    /// <summary>The attempt's number within its call, from 1.</summary>
    public int Number { get; }

    /// <summary>The provider the attempt goes to, as its client names it.</summary>
    public string? Provider { get; }

    /// <summary>The model the attempt asks for.</summary>
    public string Model { get; }

    /// <summary>The price of <see cref="Model"/> when the attempt began.</summary>
    public ModelPrice Price { get; }

    /// <summary>The routing target of the attempt, when a router chose it.</summary>
    public string? Route { get; }

    /// <summary>When the attempt began.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> when the attempt began.</summary>
    public long StartTimestamp { get; }

    /// <summary>The output cap the attempt sends to the provider; a budget stage may lower it before it is sent.</summary>
    public long MaxOutputTokens { get; set; }

    /// <summary>The input tokens the reservation was sized for; 0 when nothing was reserved.</summary>
    public long ReservedInputTokens { get; set; }

    /// <summary>The budget reservation of the attempt, or null.</summary>
    public Reservation? Reservation { get; set; }

    /// <summary>True once the attempt has ended and its usage is known.</summary>
    public bool HasEnded { get; private set; }

    /// <summary>What the attempt used (reported, or estimated and capped); see <see cref="TokenUsage.IsEstimated"/>.</summary>
    public TokenUsage Usage { get; private set; }

    /// <summary>The model the provider says served the attempt, or null when it named none.</summary>
    public string? ServedModel { get; private set; }

    /// <summary>How the attempt ended.</summary>
    public CallOutcome Outcome { get; private set; }

    /// <summary>The error type or reason when it did not succeed.</summary>
    public string? Error { get; private set; }

    /// <summary>How long the attempt took.</summary>
    public TimeSpan Latency { get; private set; }

    /// <summary>The time to the first output of a stream.</summary>
    public TimeSpan? TimeToFirstToken { get; private set; }

    /// <summary>True when an estimated cost was lowered to the reservation.</summary>
    public bool CostCappedAtReservation { get; private set; }

    /// <summary>True when the served model could not be priced and the requested model's price was used.</summary>
    public bool PricedAsRequestedModel { get; private set; }

    /// <summary>True when the price came from the configured fallback price.</summary>
    public bool UsedFallbackPrice { get; private set; }

    /// <summary>
    /// The cost with its parts (input, output, other; by unit) and what it could not price, once <see cref="GetCost"/>
    /// has run; <see langword="null"/> before, and for an attempt that used nothing.
    /// </summary>
    public CallCost? CostDetail { get; private set; }

    /// <summary>
    /// Ends the attempt. <paramref name="reported"/> is the usage the provider reported, if any; otherwise
    /// <paramref name="estimate"/> is used, capped at what was reserved. An attempt ends once: later calls are ignored.
    /// </summary>
    /// <returns>True when this call ended the attempt.</returns>
    public bool End(TokenUsage? reported, in TokenUsage estimate, string? servedModel, CallOutcome outcome, string? error, TimeSpan latency, TimeSpan? timeToFirstToken)
    {
        if (HasEnded)
        {
            return false;
        }

        Usage = reported is { } r ? r : CapEstimate(estimate);
        ServedModel = servedModel;
        Outcome = outcome;
        Error = error;
        Latency = latency;
        TimeToFirstToken = timeToFirstToken;
        HasEnded = true;
        return true;
    }

    /// <summary>
    /// The usage of an attempt whose provider reported no complete usage, for both pipelines: nothing when it failed
    /// or was cancelled before any output and any report (it cost nothing); else the exact input counts of a partial
    /// report (Anthropic's <c>message_start</c>) with the output seen, or the input estimate with the output seen.
    /// <see cref="End"/> then caps it at what was reserved.
    /// </summary>
    /// <param name="outcome">How the attempt ended.</param>
    /// <param name="partial">What the provider reported before the attempt ended, if anything.</param>
    /// <param name="outputTokensSeen">The estimated output tokens seen.</param>
    /// <param name="sawOutput">True when any output arrived.</param>
    /// <param name="estimateInput">Estimates the input tokens; called only when needed.</param>
    public static TokenUsage EstimateUnreported(CallOutcome outcome, TokenUsage? partial, long outputTokensSeen, bool sawOutput, Func<long> estimateInput)
    {
        ArgumentNullException.ThrowIfNull(estimateInput);
        if (outcome is CallOutcome.Failed or CallOutcome.Cancelled && !sawOutput && partial is null)
        {
            return default;
        }

        if (partial is { InputTokens: > 0 } p)
        {
            return p with { OutputTokens = Math.Max(p.OutputTokens, outputTokensSeen), IsEstimated = true };
        }

        return new TokenUsage { InputTokens = estimateInput(), OutputTokens = outputTokensSeen, IsEstimated = true };
    }

    /// <summary>
    /// The attempt's cost: its usage at the price of the model that served it, or at <see cref="Price"/> when that
    /// model cannot be priced (flagged in <see cref="PricedAsRequestedModel"/>); an estimate never costs more than the
    /// reservation. Computed once.
    /// </summary>
    public Money GetCost(CostCalculator pricing)
    {
        ArgumentNullException.ThrowIfNull(pricing);
        if (_cost is { } known)
        {
            return known;
        }

        var usage = Usage;
        Money cost;
        if (usage.InputTokens == 0 && usage.OutputTokens == 0)
        {
            cost = new Money(0m, Price.Currency);
        }
        else
        {
            var price = PriceOfServedModel(pricing);
            UsedFallbackPrice = price.Source == PriceSource.Fallback;
            var detail = price.Calculate(usage);
            cost = detail.Cost;
            if (usage.IsEstimated && Reservation is { } reservation && cost.Currency == reservation.Amount.Currency && cost > reservation.Amount)
            {
                // The cap trims the output first, then the other units, then the input, so the parts still add up.
                cost = reservation.Amount;
                var input = Math.Min(detail.InputCost, cost.Amount);
                var output = Math.Min(detail.OutputCost, cost.Amount - input);
                detail = detail with { Cost = cost, InputCost = input, OutputCost = output, OtherCost = cost.Amount - input - output };
                CostCappedAtReservation = true;
            }

            CostDetail = detail;
        }

        _cost = cost;
        return cost;
    }

    private ModelPrice PriceOfServedModel(CostCalculator pricing)
    {
        if (ServedModel is not { } served || string.Equals(served, Model, StringComparison.Ordinal))
        {
            return Price;
        }

        try
        {
            var price = pricing.GetPrice(Provider, served, StartedAt);
            if (price.Source != PriceSource.Fallback || Price.Source == PriceSource.Fallback)
            {
                return price;
            }
        }
        catch (UnpricedModelException)
        {
        }

        // The provider named a model the catalog cannot price (a deployment name, an unknown snapshot): the requested
        // model was priced before the call was sent, so the call is charged at that price, never left unbooked.
        PricedAsRequestedModel = true;
        return Price;
    }

    private TokenUsage CapEstimate(in TokenUsage estimate)
    {
        var input = estimate.InputTokens;
        if (ReservedInputTokens > 0 && input > ReservedInputTokens)
        {
            input = ReservedInputTokens;
        }

        var output = Math.Min(estimate.OutputTokens, MaxOutputTokens);
        if (input == estimate.InputTokens && output == estimate.OutputTokens)
        {
            return estimate with { IsEstimated = true };
        }

        // Keep the parts of the input within the capped total, and of the output within the capped output.
        var cached = Math.Min(estimate.CachedInputTokens, input);
        var write = Math.Min(estimate.CacheWriteTokens, input - cached);
        var write1h = Math.Min(estimate.CacheWrite1hTokens, input - cached - write);
        var cachedAudio = Math.Min(estimate.CachedAudioInputTokens, cached);
        var cachedImage = Math.Min(estimate.CachedImageInputTokens, cached - cachedAudio);
        var cachedVideo = Math.Min(estimate.CachedVideoInputTokens, cached - cachedAudio - cachedImage);
        var room = input - cached - write - write1h;
        var audio = cachedAudio + Take(estimate.InputAudioTokens - estimate.CachedAudioInputTokens, ref room);
        var image = cachedImage + Take(estimate.InputImageTokens - estimate.CachedImageInputTokens, ref room);
        var video = cachedVideo + Take(estimate.InputVideoTokens - estimate.CachedVideoInputTokens, ref room);
        var outputRoom = output;
        return estimate with
        {
            InputTokens = input,
            CachedInputTokens = cached,
            CacheWriteTokens = write,
            CacheWrite1hTokens = write1h,
            InputAudioTokens = audio,
            CachedAudioInputTokens = cachedAudio,
            InputImageTokens = image,
            CachedImageInputTokens = cachedImage,
            InputVideoTokens = video,
            CachedVideoInputTokens = cachedVideo,
            OutputTokens = output,
            ReasoningTokens = Take(estimate.ReasoningTokens, ref outputRoom),
            OutputAudioTokens = Take(estimate.OutputAudioTokens, ref outputRoom),
            OutputImageTokens = Take(estimate.OutputImageTokens, ref outputRoom),
            OutputVideoTokens = Take(estimate.OutputVideoTokens, ref outputRoom),
            CitationTokens = Take(estimate.CitationTokens, ref outputRoom),
            IsEstimated = true,
        };
    }

    private static long Take(long wanted, ref long room)
    {
        var taken = Math.Clamp(wanted, 0, room);
        room -= taken;
        return taken;
    }
}
