using System.Collections.ObjectModel;
using System.Globalization;

namespace AiOrchestrator.Pricing;

/// <summary>
/// The price of one model from one provider at one point in time, resolved from the catalog, an override or the
/// fallback price: a price per billable unit (<see cref="PriceUnit"/>). Immutable; computes exact costs in
/// <see cref="decimal"/>.
/// </summary>
/// <remarks>
/// A call's usage is split into disjoint parts, each priced by the most specific priced unit that contains it: a
/// cached audio read is priced as a cached audio read when that unit has a price, else as a cache read, else as input.
/// Tiers are chosen by the request's total input tokens and apply to every count of the tiered unit.
/// </remarks>
public sealed class ModelPrice
{
    private readonly UnitPrice[] _ordered;     // most specific first
    private readonly int[][] _descendants;     // for each of _ordered, the indexes of its strictly more specific priced units
    private readonly UsageField[] _unpriceable; // usage counts that no price covers
    private readonly UnitPrice? _input;
    private readonly UnitPrice? _requests;
    private readonly UnitPrice[] _outputs;
    private static readonly ReadOnlyCollection<string> NoUnits = new([]);

    internal ModelPrice(
        string provider,
        string modelId,
        string currency,
        DateTimeOffset? effectiveFrom,
        PriceSource source,
        UnitPrice[] prices,
        UnitRegistry registry)
    {
        Provider = provider;
        ModelId = modelId;
        Currency = currency;
        EffectiveFrom = effectiveFrom;
        Source = source;
        Registry = registry;
        Prices = new ReadOnlyCollection<UnitPrice>(prices);
        _ordered = [.. prices.OrderByDescending(p => p.Unit.DimensionCount).ThenBy(p => p.Unit.Id, StringComparer.Ordinal)];
        _descendants = new int[_ordered.Length][];
        for (var i = 0; i < _ordered.Length; i++)
        {
            var list = new List<int>();
            for (var j = 0; j < _ordered.Length; j++)
            {
                if (j != i && _ordered[i].Unit.IsAncestorOrSelfOf(_ordered[j].Unit))
                {
                    list.Add(j);
                }
            }

            _descendants[i] = [.. list];
        }

        _input = Find("input_tokens");
        _requests = Array.Find(prices, p => p.Unit.Family == "requests");
        _outputs = Array.FindAll(prices, p => p.Unit.Direction == UnitDirection.Output && p.Unit.Family == "tokens");
        UnreportedUnits = new ReadOnlyCollection<PriceUnit>(Array.FindAll(prices, p => !p.Unit.IsCarriedByUsage).Select(p => p.Unit).ToArray());

        var unpriceable = new List<UsageField>();
        foreach (var unitId in UsageUnits.UnitIds)
        {
            if (registry.TryFind(unitId, out var unit) && unit.Field != UsageField.Requests
                && !Array.Exists(prices, p => p.Unit.IsAncestorOrSelfOf(unit)))
            {
                unpriceable.Add(unit.Field);
            }
        }

        _unpriceable = [.. unpriceable];
    }

    /// <summary>The provider whose price list this is (a catalog provider id such as <c>openai</c>, or the override's provider).</summary>
    public string Provider { get; }

    /// <summary>The model id the price was listed under (the catalog's id, or the override's model pattern).</summary>
    public string ModelId { get; }

    /// <summary>The ISO 4217 currency of every price here.</summary>
    public string Currency { get; }

    /// <summary>When this price took effect, or <see langword="null"/> when it has no start date.</summary>
    public DateTimeOffset? EffectiveFrom { get; }

    /// <summary>Where the price came from, and whether it was a fallback.</summary>
    public PriceSource Source { get; }

    /// <summary>The price of each priced unit.</summary>
    public IReadOnlyList<UnitPrice> Prices { get; }

    /// <summary>
    /// Priced units that <see cref="TokenUsage"/> carries no count for: their tokens are priced by their nearest priced
    /// ancestor. Empty for every price of the shipped catalog; a newer feed may add such units.
    /// </summary>
    public IReadOnlyList<PriceUnit> UnreportedUnits { get; }

    /// <summary>The base price per million plain input tokens (zero when input is not priced).</summary>
    public decimal InputPerMillion => PerMillion("input_tokens");

    /// <summary>The base price per million plain output tokens (zero when output is not priced).</summary>
    public decimal OutputPerMillion => PerMillion("output_tokens");

    /// <summary>The price of one request, on top of the other units (zero for most models).</summary>
    public decimal PerRequest => _requests is null ? 0m : _requests.Price / _requests.Unit.Per;

    /// <summary>True when some unit's price depends on the request's total input tokens.</summary>
    public bool HasTiers => Array.Exists(_ordered, p => p.Tiers.Count > 0);

    internal UnitRegistry Registry { get; }

    /// <summary>The price of a unit, by its id (<c>cache_read_tokens</c>), or <see langword="null"/> when not priced apart.</summary>
    public UnitPrice? Find(string unitId) => Array.Find(_ordered, p => string.Equals(p.Unit.Id, unitId, StringComparison.Ordinal));

    /// <summary>The exact cost of a call's usage.</summary>
    /// <exception cref="InvalidUsageException">The usage is inconsistent (see <see cref="TokenUsage.Validate"/>).</exception>
    public Money CalculateCost(in TokenUsage usage)
    {
        var (input, output, other) = Compute(usage, parts: null);
        return new Money(input + output + other, Currency);
    }

    /// <summary>
    /// The exact cost of a call's usage, with its parts: each priced unit's count and amount, the input, output and
    /// other (searches, requests) totals, and any count no price covers.
    /// </summary>
    /// <exception cref="InvalidUsageException">The usage is inconsistent (see <see cref="TokenUsage.Validate"/>).</exception>
    public CallCost Calculate(in TokenUsage usage)
    {
        var parts = new UnitCost[_ordered.Length];
        var (input, output, other) = Compute(usage, parts);
        return new CallCost(new Money(input + output + other, Currency), this)
        {
            InputCost = input,
            OutputCost = output,
            OtherCost = other,
            Parts = parts,
            UnpricedUnits = UnpricedIn(usage),
        };
    }

    /// <summary>
    /// The most a call can cost, for budget reservations: <paramref name="inputTokens"/> at the input price of the
    /// tier they fall in, plus <paramref name="maxOutputTokens"/> at the highest price any output unit has in that tier
    /// (text, reasoning, audio, image...), plus the per-request price.
    /// </summary>
    /// <remarks>Input is priced as plain input: prompt-cache writes, which cost more, and per-search prices can make the real cost higher.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">A token count is negative.</exception>
    public Money EstimateMaxCost(long inputTokens, long maxOutputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(maxOutputTokens);
        var amount = InputAmount(inputTokens) + OutputAmount(maxOutputTokens, inputTokens) + PerRequest;
        return new Money(amount, Currency);
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

        var remaining = available.Amount - InputAmount(inputTokens) - PerRequest;
        if (remaining <= 0m)
        {
            return 0;
        }

        var perToken = MaxOutputTokenPrice(inputTokens);
        if (perToken == 0m)
        {
            return long.MaxValue;
        }

        decimal tokens;
        try
        {
            tokens = decimal.Floor(remaining / perToken);
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
        while (tokens > 0m && tokens * perToken > remaining)
        {
            tokens--;
        }

        return (long)tokens;
    }

    // Splits the usage into disjoint parts, each priced by the most specific priced unit that contains it.
    private (decimal Input, decimal Output, decimal Other) Compute(in TokenUsage usage, UnitCost[]? parts)
    {
        usage.Validate();
        var ordered = _ordered;
        Span<long> leaves = ordered.Length <= 32 ? stackalloc long[ordered.Length] : new long[ordered.Length];
        decimal input = 0m, output = 0m, other = 0m;
        for (var i = 0; i < ordered.Length; i++)
        {
            var price = ordered[i];
            var count = UsageUnits.Get(usage, price.Unit.Field);
            var leaf = count;
            foreach (var d in _descendants[i])
            {
                leaf -= leaves[d];
            }

            if (leaf < 0)
            {
                throw new InvalidUsageException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Usage is inconsistent for {Provider}/{ModelId}: the more specific units inside {price.Unit.Id} ({count}) add up to {count - leaf}."));
            }

            leaves[i] = leaf;
            var rate = price.PriceAt(usage.InputTokens);
            var amount = price.Amount(leaf, rate);
            if (parts is not null)
            {
                parts[i] = new UnitCost(price.Unit, leaf, rate, amount);
            }

            switch (price.Unit.Direction)
            {
                case UnitDirection.Input: input += amount; break;
                case UnitDirection.Output: output += amount; break;
                default: other += amount; break;
            }
        }

        return (input, output, other);
    }

    /// <summary>Describes the price, for logs and error messages.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Provider}/{ModelId}: {string.Join(", ", Prices)} {Currency} [{Source}]");

    /// <summary>The same price, marked as found another way (a declared fallback provider, the model's maker).</summary>
    internal ModelPrice WithSource(PriceSource source)
        => source == Source ? this : new ModelPrice(Provider, ModelId, Currency, EffectiveFrom, source, [.. Prices], Registry);

    private decimal PerMillion(string unitId)
        => Find(unitId) is { } p ? p.Price * 1_000_000m / p.Unit.Per : 0m;

    private decimal InputAmount(long inputTokens)
        => _input is null ? 0m : _input.Amount(inputTokens, _input.PriceAt(inputTokens));

    private decimal OutputAmount(long outputTokens, long inputTokens) => outputTokens * MaxOutputTokenPrice(inputTokens);

    // The highest price one output token has in any output token unit (text, reasoning, audio, image...).
    private decimal MaxOutputTokenPrice(long inputTokens)
    {
        var best = 0m;
        foreach (var p in _outputs)
        {
            best = Math.Max(best, p.Amount(1, p.PriceAt(inputTokens)));
        }

        return best;
    }

    private System.Collections.ObjectModel.ReadOnlyCollection<string> UnpricedIn(in TokenUsage usage)
    {
        List<string>? found = null;
        foreach (var field in _unpriceable)
        {
            if (UsageUnits.Get(usage, field) > 0)
            {
                (found ??= []).Add(UsageUnits.IdOf(field));
            }
        }

        return found is null ? NoUnits : found.AsReadOnly();
    }
}
