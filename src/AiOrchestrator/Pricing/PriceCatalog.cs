using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace AiOrchestrator.Pricing;

/// <summary>
/// Model prices: the catalog shipped inside this package (built from genai-prices data, never fetched over the
/// network), plus any prices added in code or configuration, which take precedence.
/// </summary>
/// <remarks>
/// <para>A provider name (as a client reports it: <c>openai</c>, <c>anthropic</c>, <c>azure.ai.openai</c>,
/// <c>gcp.gemini</c>, <c>aws.bedrock</c>...) is matched by catalog id, then known aliases, then the catalog's provider
/// rules. Model ids are matched case-insensitively by the catalog's rules, including aliases and dated snapshots.
/// When the provider is missing or unknown, or does not list the model, the model is looked up across providers,
/// model makers first (OpenAI for <c>gpt-*</c>, Anthropic for <c>claude*</c>...); <see cref="ModelPrice.Provider"/>
/// says whose price list answered.</para>
/// <para>The first lookup of a (provider, model) pair walks the rules; later lookups are a dictionary hit followed by
/// choosing the price in effect at the given moment. Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed class PriceCatalog
{
    /// <summary>The manifest resource name of the shipped catalog.</summary>
    internal const string ResourceName = "AiOrchestrator.Pricing.Data.price-catalog.json";

    private const int MaxCachedLookups = 10_000;

    private static readonly Lazy<PriceCatalog> Shipped = new(LoadShipped, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly CatalogProvider[] _providers;
    private readonly PriceOverride[] _overrides;
    private readonly ConcurrentDictionary<LookupKey, PriceLookup> _lookups = new();
    private int _cachedLookups;

    private PriceCatalog(CatalogProvider[] providers, string sourceCommit, DateOnly? sourceDate, PriceOverride[] overrides)
    {
        _providers = providers;
        _overrides = overrides;
        SourceCommit = sourceCommit;
        SourceDate = sourceDate;
    }

    /// <summary>The catalog shipped inside this package, loaded once on first use.</summary>
    public static PriceCatalog Default => Shipped.Value;

    /// <summary>The genai-prices commit the shipped data was built from.</summary>
    public string SourceCommit { get; }

    /// <summary>The date of that commit, when recorded.</summary>
    public DateOnly? SourceDate { get; }

    /// <summary>
    /// A catalog with <paramref name="prices"/> added on top of this one's: they take precedence over the shipped
    /// data (and over prices added before).
    /// </summary>
    /// <exception cref="ArgumentException">A definition is invalid; the message lists every problem.</exception>
    public PriceCatalog WithPrices(IEnumerable<ModelPriceDefinition> prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        var added = new List<PriceOverride>();
        var failures = new List<string>();
        var index = 0;
        foreach (var definition in prices)
        {
            PricingOptionsValidator.CollectDefinition(definition, $"{PricingOptions.SectionName}:Prices:{index++}", requireModel: true, failures);
            if (failures.Count > 0)
            {
                continue;
            }

            var model = definition.Model!.Trim();
            var isPrefix = model.EndsWith('*');
            var pattern = (isPrefix ? model[..^1] : model).ToLowerInvariant();
            var providerKey = string.IsNullOrWhiteSpace(definition.Provider) ? null : ProviderKey(definition.Provider.Trim().ToLowerInvariant());
            var price = definition.ToModelPrice(definition.Provider?.Trim() ?? "*", model, PriceSource.Override);
            added.Add(new PriceOverride(providerKey, pattern, isPrefix, price));
        }

        if (failures.Count > 0)
        {
            throw new ArgumentException("Invalid prices: " + string.Join(" ", failures), nameof(prices));
        }

        added.AddRange(_overrides);
        return new PriceCatalog(_providers, SourceCommit, SourceDate, [.. added]);
    }

    /// <summary>Finds the price of <paramref name="modelId"/> from <paramref name="provider"/> in effect at <paramref name="at"/>.</summary>
    /// <param name="provider">The provider name the client reports, or <see langword="null"/> when unknown.</param>
    /// <param name="modelId">The model id as sent to or reported by the provider.</param>
    /// <param name="at">When the call happened: selects the price history entry and time-of-day prices.</param>
    /// <param name="price">The price, when one is known.</param>
    /// <returns><see langword="true"/> when a price is known.</returns>
    public bool TryFindPrice(string? provider, string modelId, DateTimeOffset at, [MaybeNullWhen(false)] out ModelPrice price)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        if (!_lookups.TryGetValue(new LookupKey(provider, modelId), out var lookup))
        {
            lookup = ResolveAndRemember(provider, modelId);
        }

        price = lookup.PriceAt(at);
        return price is not null;
    }

    /// <summary>Finds the price of <paramref name="modelId"/> from <paramref name="provider"/> in effect at <paramref name="at"/>.</summary>
    /// <exception cref="UnpricedModelException">No price is known; the message says how to add one.</exception>
    public ModelPrice FindPrice(string? provider, string modelId, DateTimeOffset at)
        => TryFindPrice(provider, modelId, at, out var price) ? price : throw new UnpricedModelException(provider, modelId);

    /// <summary>Reads a catalog in the generator's format.</summary>
    internal static PriceCatalog Load(Stream stream)
    {
        var (providers, commit, date) = PriceCatalogReader.Read(stream);
        return new PriceCatalog(providers, commit, date, []);
    }

    private static PriceCatalog LoadShipped()
    {
        using var stream = typeof(PriceCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The price catalog resource '{ResourceName}' is missing from {typeof(PriceCatalog).Assembly.GetName().Name}; the package is damaged. Reinstall it.");
        return Load(stream);
    }

    private PriceLookup ResolveAndRemember(string? provider, string modelId)
    {
        var lookup = Resolve(provider, modelId);

        // Model ids come from callers; cap the cache so that a flood of distinct ids cannot grow it without bound.
        if (Volatile.Read(ref _cachedLookups) < MaxCachedLookups && _lookups.TryAdd(new LookupKey(provider, modelId), lookup))
        {
            Interlocked.Increment(ref _cachedLookups);
        }

        return lookup;
    }

    private PriceLookup Resolve(string? provider, string modelId)
    {
        var model = modelId.Trim().ToLowerInvariant();
        var given = string.IsNullOrWhiteSpace(provider) ? null : provider.Trim().ToLowerInvariant();
        var known = given is null ? null : FindProvider(given);
        var candidates = ModelIdAliases.For(model);

        CatalogModel? found = null;
        if (known is not null)
        {
            foreach (var candidate in candidates)
            {
                if ((found = known.FindModel(candidate)) is not null)
                {
                    break;
                }
            }
        }

        if (found is null)
        {
            foreach (var candidate in candidates)
            {
                if ((found = FindAcrossProviders(candidate)) is not null)
                {
                    break;
                }
            }
        }

        // Which provider keys this call answers to, for provider-specific overrides.
        var matched = new List<PriceOverride>();
        foreach (var candidate in _overrides)
        {
            if (!candidate.MatchesModel(candidates))
            {
                continue;
            }

            var key = candidate.ProviderKey;
            if (key is null
                || string.Equals(key, given, StringComparison.Ordinal)
                || string.Equals(key, known?.Id, StringComparison.Ordinal)
                || (known is null && string.Equals(key, found?.ProviderId, StringComparison.Ordinal)))
            {
                matched.Add(candidate);
            }
        }

        // A stable sort keeps later-added overrides (listed first) ahead of earlier ones on ties.
        var ordered = matched.Count == 0 ? [] : matched.Order(Comparer<PriceOverride>.Create(PriceOverride.CompareSpecificity)).ToArray();
        return new PriceLookup(ordered, found);
    }

    private string ProviderKey(string lowerName) => FindProvider(lowerName)?.Id ?? lowerName;

    private CatalogProvider? FindProvider(string lowerName)
    {
        foreach (var provider in _providers)
        {
            if (string.Equals(provider.Id, lowerName, StringComparison.Ordinal))
            {
                return provider;
            }
        }

        if (ProviderAliases.Find(lowerName) is { } alias)
        {
            foreach (var provider in _providers)
            {
                if (string.Equals(provider.Id, alias, StringComparison.Ordinal))
                {
                    return provider;
                }
            }
        }

        foreach (var provider in _providers)
        {
            if (provider.ProviderMatch?.IsMatch(lowerName) == true)
            {
                return provider;
            }
        }

        return null;
    }

    private CatalogModel? FindAcrossProviders(string lowerModelId)
    {
        // Model makers first: the providers whose own model rule claims the id (OpenAI for gpt-*, Anthropic for claude*).
        foreach (var provider in _providers)
        {
            if (provider.ModelMatch?.IsMatch(lowerModelId) == true && provider.FindModel(lowerModelId) is { } model)
            {
                return model;
            }
        }

        foreach (var provider in _providers)
        {
            if (provider.FindModel(lowerModelId) is { } model)
            {
                return model;
            }
        }

        return null;
    }
}
