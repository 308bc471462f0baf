using System.Globalization;
using System.Text.Json;

namespace AiOrchestrator.Pricing;

/// <summary>
/// Reads a price catalog: the format written by tools/PriceCatalogGenerator (an object with <c>format</c> 2, the unit
/// registry and the providers), or a genai-prices v2 feed file as published (a JSON array of providers, read against
/// the shipped unit registry). Everything is checked; a problem fails the load with a message that names where.
/// </summary>
internal static class PriceCatalogReader
{
    public const int SupportedFormat = 2;

    public sealed record Result(CatalogProvider[] Providers, UnitRegistry Units, string SourceCommit, DateOnly? SourceDate, string Currency);

    public static Result Read(Stream stream, UnitRegistry? feedUnits)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The price catalog is not valid JSON: {ex.Message}", ex);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                var units = feedUnits ?? throw new InvalidDataException("A genai-prices v2 feed file needs a unit registry to be read against.");
                return new Result(ReadProviders(root, units, Money.DefaultCurrency), units, string.Empty, null, Money.DefaultCurrency);
            }

            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || !format.TryGetInt32(out var version))
            {
                throw new InvalidDataException("The price catalog is neither a genai-prices v2 feed (a JSON array of providers) nor a catalog written by the generator (an object with a 'format').");
            }

            if (version != SupportedFormat)
            {
                throw new InvalidDataException($"The price catalog has format {version}; this version of AiOrchestrator reads format {SupportedFormat} (regenerate it with tools/PriceCatalogGenerator) or a genai-prices v2 feed file.");
            }

            var commit = string.Empty;
            DateOnly? date = null;
            if (root.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.Object)
            {
                commit = source.TryGetProperty("commit", out var c) ? c.GetString() ?? string.Empty : string.Empty;
                if (source.TryGetProperty("date", out var d) && DateOnly.TryParseExact(d.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                {
                    date = parsed;
                }
            }

            var currency = root.TryGetProperty("currency", out var cur) ? cur.GetString() ?? Money.DefaultCurrency : Money.DefaultCurrency;
            var registry = root.TryGetProperty("units", out var unitsJson)
                ? UnitRegistry.Read(unitsJson)
                : feedUnits ?? throw new InvalidDataException("The price catalog has no 'units'.");
            if (!root.TryGetProperty("providers", out var providers) || providers.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException("The price catalog has no 'providers' array.");
            }

            return new Result(ReadProviders(providers, registry, currency), registry, commit, date, currency);
        }
    }

    private static CatalogProvider[] ReadProviders(JsonElement providersJson, UnitRegistry units, string currency)
    {
        var providers = new List<CatalogProvider>(providersJson.GetArrayLength());
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var fallbacks = new List<(string Provider, string Fallback)>();
        foreach (var provider in providersJson.EnumerateArray())
        {
            var providerId = CatalogJson.RequiredString(provider, "id", "a provider").ToLowerInvariant();
            if (!ids.Add(providerId))
            {
                throw new InvalidDataException($"The price catalog lists provider '{providerId}' twice.");
            }

            if (!provider.TryGetProperty("models", out var modelsJson) || modelsJson.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"Provider '{providerId}' in the price catalog has no 'models' array.");
            }

            var models = new CatalogModel[modelsJson.GetArrayLength()];
            var m = 0;
            foreach (var model in modelsJson.EnumerateArray())
            {
                var modelId = CatalogJson.RequiredString(model, "id", $"a model of provider '{providerId}'");
                var where = $"{providerId}/{modelId}";
                if (!model.TryGetProperty("match", out var match))
                {
                    throw new InvalidDataException($"Model {where} in the price catalog has no 'match' rule.");
                }

                if (!model.TryGetProperty("prices", out var prices))
                {
                    throw new InvalidDataException($"Model {where} in the price catalog has no 'prices'.");
                }

                models[m++] = new CatalogModel(providerId, modelId, MatchRule.Parse(match), ReadEntries(prices, providerId, modelId, units, currency));
            }

            var fallbackIds = Array.Empty<string>();
            if (provider.TryGetProperty("fallback_model_providers", out var fb) && fb.ValueKind == JsonValueKind.Array)
            {
                fallbackIds = [.. fb.EnumerateArray().Select(f => (f.GetString() ?? string.Empty).ToLowerInvariant())];
                fallbacks.AddRange(fallbackIds.Select(f => (providerId, f)));
            }

            providers.Add(new CatalogProvider(
                providerId,
                provider.TryGetProperty("provider_match", out var pm) ? MatchRule.Parse(pm) : null,
                provider.TryGetProperty("model_match", out var mm) ? MatchRule.Parse(mm) : null,
                fallbackIds,
                provider.TryGetProperty("api_pattern", out var api) ? ApiPattern(api, providerId) : null,
                models));
        }

        foreach (var (provider, fallback) in fallbacks)
        {
            if (!ids.Contains(fallback))
            {
                throw new InvalidDataException($"Provider '{provider}' in the price catalog falls back to provider '{fallback}', which the catalog does not list.");
            }
        }

        return [.. providers];
    }

    private static System.Text.RegularExpressions.Regex ApiPattern(JsonElement value, string providerId)
    {
        try
        {
            return new System.Text.RegularExpressions.Regex(
                "^(?:" + (value.GetString() ?? string.Empty) + ")",
                System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant | System.Text.RegularExpressions.RegexOptions.NonBacktracking,
                MatchRule.NoTimeout);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"Provider '{providerId}' in the price catalog has an api_pattern that is not a valid regular expression: {ex.Message}", ex);
        }
    }

    private static CatalogPriceEntry[] ReadEntries(JsonElement prices, string providerId, string modelId, UnitRegistry units, string currency)
    {
        if (prices.ValueKind == JsonValueKind.Object)
        {
            return [ReadEntry(prices, null, providerId, modelId, units, currency)];
        }

        if (prices.ValueKind != JsonValueKind.Array || prices.GetArrayLength() == 0)
        {
            throw new InvalidDataException($"Model {providerId}/{modelId} in the price catalog has 'prices' that are neither a price set nor a non-empty list of conditional prices.");
        }

        var entries = new CatalogPriceEntry[prices.GetArrayLength()];
        var i = 0;
        foreach (var conditional in prices.EnumerateArray())
        {
            if (conditional.ValueKind != JsonValueKind.Object || !conditional.TryGetProperty("prices", out var set))
            {
                throw new InvalidDataException($"Model {providerId}/{modelId} in the price catalog has a conditional price without 'prices'.");
            }

            entries[i++] = ReadEntry(set, conditional.TryGetProperty("constraint", out var c) ? c : null, providerId, modelId, units, currency);
        }

        return entries;
    }

    private static CatalogPriceEntry ReadEntry(JsonElement set, JsonElement? constraint, string providerId, string modelId, UnitRegistry units, string currency)
    {
        var where = $"{providerId}/{modelId}";
        DateTimeOffset? from = null;
        var dailyFrom = CatalogPriceEntry.NoWindow;
        var dailyUntil = CatalogPriceEntry.NoWindow;
        if (constraint is { } c)
        {
            if (c.TryGetProperty("start_date", out var start))
            {
                from = DateOnly.TryParseExact(start.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                    ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
                    : throw new InvalidDataException($"Model {where} in the price catalog has a start_date '{start}' that is not a yyyy-MM-dd date.");
            }
            else if (c.TryGetProperty("start_time", out var st) && c.TryGetProperty("end_time", out var et))
            {
                dailyFrom = TimeOfDay(st, where);
                dailyUntil = TimeOfDay(et, where);
            }
            else
            {
                throw new InvalidDataException($"Model {where} in the price catalog has a constraint that is neither start_date nor start_time/end_time.");
            }
        }

        if (set.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"Model {where} in the price catalog has a price set that is not an object.");
        }

        var unitPrices = new List<UnitPrice>();
        foreach (var property in set.EnumerateObject())
        {
            if (!units.TryFindByPriceKey(property.Name, out var unit))
            {
                throw new InvalidDataException(
                    $"Model {where} in the price catalog has price key '{property.Name}', which the unit registry does not define. The feed is newer than the registry: regenerate the catalog with tools/PriceCatalogGenerator from the feed and its units.yml, and load that file.");
            }

            unitPrices.Add(ReadUnitPrice(property.Value, unit, where));
        }

        // An empty price set lists the model without a price: the unpriced-model policy applies to it.
        ModelPrice? price = null;
        if (unitPrices.Count > 0)
        {
            UnitPriceRules.CheckJoins(unitPrices, units, where);
            price = new ModelPrice(providerId, modelId, currency, from, PriceSource.Catalog, [.. unitPrices], units);
        }

        return new CatalogPriceEntry(price, from?.UtcTicks ?? 0, dailyFrom, dailyUntil);
    }

    private static UnitPrice ReadUnitPrice(JsonElement value, PriceUnit unit, string where)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return new UnitPrice(unit, NonNegative(value, unit, where), []);
        }

        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("base", out var b) && value.TryGetProperty("tiers", out var tiersJson) && tiersJson.ValueKind == JsonValueKind.Array)
        {
            var tiers = new UnitPriceTier[tiersJson.GetArrayLength()];
            var i = 0;
            var previous = -1L;
            foreach (var tier in tiersJson.EnumerateArray())
            {
                if (!tier.TryGetProperty("start", out var s) || !s.TryGetInt64(out var startTokens) || startTokens < 0 || startTokens <= previous
                    || !tier.TryGetProperty("price", out var p))
                {
                    throw new InvalidDataException($"Model {where} in the price catalog has tiers for '{unit.PriceKey}' that are not ascending {{start, price}} pairs.");
                }

                previous = startTokens;
                tiers[i++] = new UnitPriceTier(startTokens, NonNegative(p, unit, where));
            }

            return new UnitPrice(unit, NonNegative(b, unit, where), tiers);
        }

        throw new InvalidDataException($"Model {where} in the price catalog has a price for '{unit.PriceKey}' that is neither a number nor {{base, tiers}}.");
    }

    private static decimal NonNegative(JsonElement value, PriceUnit unit, string where)
        => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && d >= 0m
            ? d
            : throw new InvalidDataException($"Model {where} in the price catalog has price {value.GetRawText()} for '{unit.PriceKey}'; prices must be non-negative numbers.");

    private static long TimeOfDay(JsonElement value, string where)
    {
        var text = (value.GetString() ?? string.Empty).TrimEnd('Z', 'z');
        return TimeOnly.TryParseExact(text, ["HH:mm:ss", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time.Ticks
            : throw new InvalidDataException($"Model {where} in the price catalog has a time of day '{value}' that is not HH:mm:ss (UTC).");
    }
}
