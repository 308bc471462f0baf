using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;

namespace AiOrchestrator.Pricing;

/// <summary>
/// Model prices by billable unit: the catalog shipped inside this package (generated from the genai-prices v2 feed
/// and its unit registry, never fetched over the network) or one loaded from a file, plus any prices added in code or
/// configuration, which take precedence.
/// </summary>
/// <remarks>
/// <para>A provider name (as a client reports it: <c>openai</c>, <c>anthropic</c>, <c>azure.ai.openai</c>,
/// <c>gcp.gemini</c>, <c>aws.bedrock</c>...) resolves by catalog id, then the documented aliases, then the catalog's
/// provider rules (<see cref="TryResolveProvider"/>). The model is looked up in that provider's list, then in the lists
/// the provider declares as its fallbacks (Azure → OpenAI, Anthropic), marked <see cref="PriceSource.FallbackProvider"/>;
/// never in any other provider's list. When the call names no provider, the model is looked up in the list of the
/// provider that makes it (OpenAI for <c>gpt-*</c>...), marked <see cref="PriceSource.ModelMaker"/>.</para>
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

    private PriceCatalog(CatalogProvider[] providers, UnitRegistry units, string sourceCommit, DateOnly? sourceDate, string currency, PriceOverride[] overrides)
    {
        _providers = providers;
        _overrides = overrides;
        Units = units;
        SourceCommit = sourceCommit;
        SourceDate = sourceDate;
        Currency = currency;
        ProviderIds = new ReadOnlyCollection<string>([.. providers.Select(p => p.Id)]);
    }

    /// <summary>The catalog shipped inside this package, loaded once on first use.</summary>
    public static PriceCatalog Default => Shipped.Value;

    /// <summary>The genai-prices commit the catalog was built from (empty for a feed file loaded as published).</summary>
    public string SourceCommit { get; }

    /// <summary>The date of that commit, when recorded.</summary>
    public DateOnly? SourceDate { get; }

    /// <summary>The currency of the catalog's prices.</summary>
    public string Currency { get; }

    /// <summary>The billable units the catalog's prices are keyed by.</summary>
    public UnitRegistry Units { get; }

    /// <summary>The catalog's provider ids, in catalog order.</summary>
    public IReadOnlyList<string> ProviderIds { get; }

    /// <summary>
    /// Reads a catalog file: a genai-prices v2 feed as published (<c>data.json</c>, read against this package's unit
    /// registry) or a catalog written by tools/PriceCatalogGenerator (which carries its own registry, so units newer
    /// than this package are priced).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a catalog; the message names the provider, model or key at fault.</exception>
    public static PriceCatalog Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var result = PriceCatalogReader.Read(stream, Default.Units);
        return new PriceCatalog(result.Providers, result.Units, result.SourceCommit, result.SourceDate, result.Currency, []);
    }

    /// <summary>Reads a catalog file from <paramref name="path"/> (see <see cref="Load(Stream)"/>).</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a catalog; the message names the file and the fault.</exception>
    public static PriceCatalog Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The price catalog file '{path}' does not exist.", path);
        }

        using var stream = File.OpenRead(path);
        try
        {
            return Load(stream);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"The price catalog file '{path}' cannot be used: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Resolves a provider name as a client reports it to a catalog provider id: the id itself, a documented alias
    /// (<c>azure.ai.openai</c> → <c>azure</c>, <c>gcp.gemini</c> → <c>google</c>, <c>aws.bedrock</c> → <c>aws</c>...), or
    /// the catalog's provider rules. Case-insensitive.
    /// </summary>
    public bool TryResolveProvider(string providerName, [MaybeNullWhen(false)] out string providerId)
    {
        ArgumentNullException.ThrowIfNull(providerName);
        providerId = FindProvider(providerName.Trim().ToLowerInvariant())?.Id;
        return providerId is not null;
    }

    /// <summary>
    /// The catalog provider whose API endpoint pattern matches <paramref name="endpoint"/> (an OpenAI SDK client pointed at
    /// <c>https://api.groq.com/openai/v1</c> is Groq, whatever name the client reports).
    /// </summary>
    public bool TryResolveEndpoint(Uri endpoint, [MaybeNullWhen(false)] out string providerId)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        providerId = null;
        if (!endpoint.IsAbsoluteUri)
        {
            return false;
        }

        var text = endpoint.AbsoluteUri;
        foreach (var provider in _providers)
        {
            if (provider.ApiPattern?.IsMatch(text) == true)
            {
                providerId = provider.Id;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The provider to price a client's calls with: the catalog provider its endpoint belongs to when the catalog
    /// recognises the endpoint, else the name the client reports.
    /// </summary>
    public string? ProviderFor(string? reportedName, Uri? endpoint)
        => endpoint is not null && TryResolveEndpoint(endpoint, out var byEndpoint) ? byEndpoint : reportedName;

    /// <summary>
    /// A catalog with <paramref name="prices"/> added on top of this one's: they take precedence over the catalog's
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
            var key = $"{PricingOptions.SectionName}:Prices:{index++}";
            var before = failures.Count;
            PricingOptionsValidator.CollectDefinition(definition, key, requireModel: true, failures);
            foreach (var unitKey in definition?.Units.Keys ?? [])
            {
                if (!Units.TryFindByPriceKey(unitKey, out _))
                {
                    failures.Add($"{key}:Units:{unitKey} is not a price key of the catalog's unit registry. Use a key such as web_searches_kcount, cache_audio_read_mtok or output_image_mtok (see docs/pricing.md).");
                }
            }

            if (failures.Count > before)
            {
                continue;
            }

            var model = definition!.Model!.Trim();
            var isPrefix = model.EndsWith('*');
            var pattern = (isPrefix ? model[..^1] : model).ToLowerInvariant();
            var providerKey = string.IsNullOrWhiteSpace(definition.Provider) ? null : ProviderKey(definition.Provider.Trim().ToLowerInvariant());
            try
            {
                var price = definition.ToModelPrice(definition.Provider?.Trim() ?? "*", model, PriceSource.Override, Units);
                added.Add(new PriceOverride(providerKey, pattern, isPrefix, price));
            }
            catch (InvalidDataException ex)
            {
                failures.Add($"{key}: {ex.Message} (under Units).");
            }
        }

        if (failures.Count > 0)
        {
            throw new ArgumentException("Invalid prices: " + string.Join(" ", failures), nameof(prices));
        }

        added.AddRange(_overrides);
        return new PriceCatalog(_providers, Units, SourceCommit, SourceDate, Currency, [.. added]);
    }

    /// <summary>Finds the price of <paramref name="modelId"/> from <paramref name="provider"/> in effect at <paramref name="at"/>.</summary>
    /// <param name="provider">The provider name the client reports, or <see langword="null"/> when unknown.</param>
    /// <param name="modelId">The model id as sent to or reported by the provider.</param>
    /// <param name="at">When the call happened: selects the price history entry and time-of-day prices.</param>
    /// <param name="price">The price, when one is known.</param>
    /// <returns><see langword="true"/> when a price is known.</returns>
    public bool TryFindPrice(string? provider, string modelId, DateTimeOffset at, [MaybeNullWhen(false)] out ModelPrice price)
    {
        price = Lookup(provider, modelId).PriceAt(at);
        return price is not null;
    }

    /// <summary>Finds the price of <paramref name="modelId"/> from <paramref name="provider"/> in effect at <paramref name="at"/>.</summary>
    /// <exception cref="UnpricedModelException">No price is known; <see cref="UnpricedModelException.Reason"/> says why and the message how to add one.</exception>
    public ModelPrice FindPrice(string? provider, string modelId, DateTimeOffset at)
    {
        var lookup = Lookup(provider, modelId);
        return lookup.PriceAt(at) ?? throw new UnpricedModelException(provider, modelId, lookup.Reason);
    }

    /// <summary>Why <paramref name="modelId"/> from <paramref name="provider"/> has no price at <paramref name="at"/>, or <see langword="null"/> when it has one.</summary>
    public UnpricedReason? ExplainUnpriced(string? provider, string modelId, DateTimeOffset at)
    {
        var lookup = Lookup(provider, modelId);
        return lookup.PriceAt(at) is null ? lookup.Reason : null;
    }

    private static PriceCatalog LoadShipped()
    {
        using var stream = typeof(PriceCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The price catalog resource '{ResourceName}' is missing from {typeof(PriceCatalog).Assembly.GetName().Name}; the package is damaged. Reinstall it.");
        var result = PriceCatalogReader.Read(stream, feedUnits: null);
        return new PriceCatalog(result.Providers, result.Units, result.SourceCommit, result.SourceDate, result.Currency, []);
    }

    private PriceLookup Lookup(string? provider, string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return _lookups.TryGetValue(new LookupKey(provider, modelId), out var lookup) ? lookup : ResolveAndRemember(provider, modelId);
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
        var compatible = given is null ? null : ProviderAliases.CompatibleWith(given);
        var known = given is null || compatible is not null ? null : FindProvider(given);
        var candidates = ModelIdAliases.For(model);

        CatalogModel? found = null;
        var source = PriceSource.Catalog;
        var reason = UnpricedReason.UnknownModel;
        if (compatible is not null)
        {
            // A host the pipeline does not know, speaking this provider's format: its list, marked as a fallback.
            if (Array.Find(_providers, p => p.Id == compatible) is { } maker && (found = FindIn(maker, candidates)) is not null)
            {
                source = PriceSource.FallbackProvider;
            }
        }
        else if (known is not null)
        {
            found = FindIn(known, candidates);
            if (found is null)
            {
                // One step along the provider's declared fallbacks, never further and never to any other list.
                foreach (var fallbackId in known.FallbackProviderIds)
                {
                    if (Array.Find(_providers, p => p.Id == fallbackId) is { } fallback && (found = FindIn(fallback, candidates)) is not null)
                    {
                        source = PriceSource.FallbackProvider;
                        break;
                    }
                }
            }
        }
        else if (given is null)
        {
            foreach (var candidate in candidates)
            {
                if ((found = FindAtModelMaker(candidate)) is not null)
                {
                    source = PriceSource.ModelMaker;
                    break;
                }
            }
        }
        else
        {
            reason = UnpricedReason.UnknownProvider;
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
                || (known is null && given is null && string.Equals(key, found?.ProviderId, StringComparison.Ordinal)))
            {
                matched.Add(candidate);
            }
        }

        // A stable sort keeps later-added overrides (listed first) ahead of earlier ones on ties.
        var ordered = matched.Count == 0 ? [] : matched.Order(Comparer<PriceOverride>.Create(PriceOverride.CompareSpecificity)).ToArray();
        return new PriceLookup(ordered, found, source, reason);
    }

    private static CatalogModel? FindIn(CatalogProvider provider, List<string> candidates)
    {
        foreach (var candidate in candidates)
        {
            if (provider.FindModel(candidate) is { } model)
            {
                return model;
            }
        }

        return null;
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

    private CatalogModel? FindAtModelMaker(string lowerModelId)
    {
        // Only the providers whose own model rule claims the id (OpenAI for gpt-*, Anthropic for claude*).
        foreach (var provider in _providers)
        {
            if (provider.ModelMatch?.IsMatch(lowerModelId) == true && provider.FindModel(lowerModelId) is { } model)
            {
                return model;
            }
        }

        return null;
    }
}
