using System.Collections.ObjectModel;
using System.Globalization;

namespace AiOrchestrator.Pricing;

/// <summary>
/// The price of one model from one provider at one point in time, resolved from the catalog, an override or the
/// fallback price. Immutable; computes exact costs in <see cref="decimal"/>.
/// </summary>
public sealed class ModelPrice
{
    private const decimal TokensPerMillion = 1_000_000m;

    // Multiplying by one millionth is exact in decimal and several times faster than dividing by a million.
    private const decimal OneMillionth = 0.000001m;
    private readonly PriceTier[] _tiers;

    internal ModelPrice(
        string provider,
        string modelId,
        string currency,
        DateTimeOffset? effectiveFrom,
        PriceSource source,
        TokenRates baseRates,
        decimal perRequest,
        PriceTier[] tiers)
    {
        Provider = provider;
        ModelId = modelId;
        Currency = currency;
        EffectiveFrom = effectiveFrom;
        Source = source;
        BaseRates = baseRates;
        PerRequest = perRequest;
        _tiers = tiers;
        Tiers = new ReadOnlyCollection<PriceTier>(tiers);
    }

    /// <summary>The provider whose price list this is (a catalog provider id such as <c>openai</c>, or the override's provider).</summary>
    public string Provider { get; }

    /// <summary>The model id the price was listed under (the catalog's id, or the override's model pattern).</summary>
    public string ModelId { get; }

    /// <summary>The ISO 4217 currency of every price here.</summary>
    public string Currency { get; }

    /// <summary>When this price took effect, or <see langword="null"/> when it has no start date.</summary>
    public DateTimeOffset? EffectiveFrom { get; }

    /// <summary>Where the price came from.</summary>
    public PriceSource Source { get; }

    /// <summary>The prices per million tokens below the first long-context tier.</summary>
    public TokenRates BaseRates { get; }

    /// <summary>Long-context tiers, ordered by threshold; empty when the price does not depend on context length.</summary>
    public IReadOnlyList<PriceTier> Tiers { get; }

    /// <summary>A fixed price per request, on top of the token prices (zero for most models).</summary>
    public decimal PerRequest { get; }

    /// <summary>The base price per million plain input tokens.</summary>
    public decimal InputPerMillion => BaseRates.InputPerMillion;

    /// <summary>The base price per million plain output tokens.</summary>
    public decimal OutputPerMillion => BaseRates.OutputPerMillion;

    /// <summary>The prices that apply to a request with <paramref name="inputTokens"/> input tokens in total.</summary>
    public TokenRates RatesFor(long inputTokens)
    {
        var tiers = _tiers;
        for (var i = tiers.Length - 1; i >= 0; i--)
        {
            if (inputTokens > tiers[i].AboveInputTokens)
            {
                return tiers[i].Rates;
            }
        }

        return BaseRates;
    }

    /// <summary>
    /// The exact cost of a call's usage: uncached input, cache reads, five-minute and one-hour cache writes, audio
    /// input, text output, reasoning and audio output each at their price, plus the per-request price. The tier is
    /// chosen by the usage's total <see cref="TokenUsage.InputTokens"/>.
    /// </summary>
    /// <exception cref="InvalidUsageException">The usage is inconsistent (see <see cref="TokenUsage.Validate"/>).</exception>
    public Money CalculateCost(in TokenUsage usage)
    {
        usage.Validate();
        var rates = RatesFor(usage.InputTokens);
        var perMillion = 0m;
        perMillion += Cost(usage.InputTokens - usage.CachedInputTokens - usage.AllCacheWriteTokens - usage.InputAudioTokens, rates.InputPerMillion);
        perMillion += Cost(usage.CachedInputTokens, rates.CachedInputPerMillion);
        perMillion += Cost(usage.CacheWriteTokens, rates.CacheWritePerMillion);
        perMillion += Cost(usage.CacheWrite1hTokens, rates.CacheWrite1hPerMillion);
        perMillion += Cost(usage.InputAudioTokens, rates.InputAudioPerMillion);
        perMillion += Cost(usage.OutputTokens - usage.ReasoningTokens - usage.OutputAudioTokens, rates.OutputPerMillion);
        perMillion += Cost(usage.ReasoningTokens, rates.ReasoningPerMillion);
        perMillion += Cost(usage.OutputAudioTokens, rates.OutputAudioPerMillion);
        return new Money((perMillion * OneMillionth) + PerRequest, Currency);
    }

    /// <summary>
    /// The most a call can cost, for budget reservations: <paramref name="inputTokens"/> at the input price of the
    /// tier they fall in, plus <paramref name="maxOutputTokens"/> at the highest output price (text, reasoning or
    /// audio), plus the per-request price.
    /// </summary>
    /// <remarks>Input is priced as plain input: prompt-cache writes, which cost more, can make the real cost higher.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">A token count is negative.</exception>
    public Money EstimateMaxCost(long inputTokens, long maxOutputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(maxOutputTokens);
        var rates = RatesFor(inputTokens);
        var perMillion = Cost(inputTokens, rates.InputPerMillion) + Cost(maxOutputTokens, rates.MaxOutputPerMillion);
        return new Money((perMillion * OneMillionth) + PerRequest, Currency);
    }

    /// <summary>
    /// The largest number of output tokens a call with <paramref name="inputTokens"/> input tokens can produce
    /// without costing more than <paramref name="available"/> (by <see cref="EstimateMaxCost"/>); zero when even the
    /// input is unaffordable, <see cref="long.MaxValue"/> when output is free.
    /// </summary>
    /// <exception cref="CurrencyMismatchException"><paramref name="available"/> is in another currency.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputTokens"/> is negative.</exception>
    public long MaxAffordableOutputTokens(Money available, long inputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        if (!string.Equals(available.Currency, Currency, StringComparison.Ordinal))
        {
            throw new CurrencyMismatchException(Currency, available.Currency);
        }

        var rates = RatesFor(inputTokens);
        var remaining = available.Amount - (Cost(inputTokens, rates.InputPerMillion) / TokensPerMillion) - PerRequest;
        if (remaining <= 0m)
        {
            return 0;
        }

        var perMillion = rates.MaxOutputPerMillion;
        if (perMillion == 0m)
        {
            return long.MaxValue;
        }

        decimal tokens;
        try
        {
            tokens = decimal.Floor(remaining * TokensPerMillion / perMillion);
        }
        catch (OverflowException)
        {
            return long.MaxValue;
        }

        if (tokens >= long.MaxValue)
        {
            return long.MaxValue;
        }

        // Division rounds at 28 significant digits; step back if that rounding made the count one too many.
        while (tokens > 0m && tokens * perMillion / TokensPerMillion > remaining)
        {
            tokens--;
        }

        return (long)tokens;
    }

    /// <summary>Describes the price, for logs and error messages.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Provider}/{ModelId}: input {BaseRates.InputPerMillion}, cached input {BaseRates.CachedInputPerMillion}, output {BaseRates.OutputPerMillion} {Currency} per million tokens{(_tiers.Length > 0 ? $" (+{_tiers.Length} long-context tier(s))" : string.Empty)} [{Source}]");

    private static decimal Cost(long tokens, decimal perMillion) => tokens == 0 ? 0m : tokens * perMillion;
}
