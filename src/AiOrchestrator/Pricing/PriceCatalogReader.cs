using System.Globalization;
using System.Text.Json;

namespace AiOrchestrator.Pricing;

/// <summary>Reads the catalog format written by tools/PriceCatalogGenerator.</summary>
internal static class PriceCatalogReader
{
    public const int SupportedFormat = 1;

    public static (CatalogProvider[] Providers, string SourceCommit, DateOnly? SourceDate) Read(Stream stream)
    {
        using var doc = JsonDocument.Parse(stream);
        var root = doc.RootElement;
        var format = root.GetProperty("format").GetInt32();
        if (format != SupportedFormat)
        {
            throw new InvalidDataException($"The price catalog has format {format}; this version of AiOrchestrator reads format {SupportedFormat}.");
        }

        var source = root.GetProperty("source");
        var commit = source.GetProperty("commit").GetString() ?? string.Empty;
        DateOnly? date = source.TryGetProperty("date", out var d)
            ? DateOnly.ParseExact(d.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null;
        var currency = root.GetProperty("currency").GetString() ?? Money.DefaultCurrency;

        var providersJson = root.GetProperty("providers");
        var providers = new CatalogProvider[providersJson.GetArrayLength()];
        var p = 0;
        foreach (var provider in providersJson.EnumerateArray())
        {
            var providerId = provider.GetProperty("id").GetString()!;
            var modelsJson = provider.GetProperty("models");
            var models = new CatalogModel[modelsJson.GetArrayLength()];
            var m = 0;
            foreach (var model in modelsJson.EnumerateArray())
            {
                var modelId = model.GetProperty("id").GetString()!;
                var entriesJson = model.GetProperty("prices");
                var entries = new CatalogPriceEntry[entriesJson.GetArrayLength()];
                var e = 0;
                foreach (var entry in entriesJson.EnumerateArray())
                {
                    entries[e++] = ReadEntry(entry, providerId, modelId, currency);
                }

                models[m++] = new CatalogModel(providerId, modelId, MatchRule.Parse(model.GetProperty("match")), entries);
            }

            providers[p++] = new CatalogProvider(
                providerId,
                provider.TryGetProperty("providerMatch", out var pm) ? MatchRule.Parse(pm) : null,
                provider.TryGetProperty("modelMatch", out var mm) ? MatchRule.Parse(mm) : null,
                models);
        }

        return (providers, commit, date);
    }

    private static CatalogPriceEntry ReadEntry(JsonElement entry, string providerId, string modelId, string currency)
    {
        DateTimeOffset? from = entry.TryGetProperty("from", out var f)
            ? new DateTimeOffset(DateOnly.ParseExact(f.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : null;
        var dailyFrom = CatalogPriceEntry.NoWindow;
        var dailyUntil = CatalogPriceEntry.NoWindow;
        if (entry.TryGetProperty("dailyFrom", out var df))
        {
            dailyFrom = TimeOnly.ParseExact(df.GetString()!, "HH:mm:ss", CultureInfo.InvariantCulture).Ticks;
            dailyUntil = TimeOnly.ParseExact(entry.GetProperty("dailyUntil").GetString()!, "HH:mm:ss", CultureInfo.InvariantCulture).Ticks;
        }

        ModelPrice? price = null;
        if (!entry.TryGetProperty("unpriced", out var unpriced) || !unpriced.GetBoolean())
        {
            var tiers = Array.Empty<PriceTier>();
            if (entry.TryGetProperty("tiers", out var tiersJson))
            {
                tiers = new PriceTier[tiersJson.GetArrayLength()];
                var t = 0;
                foreach (var tier in tiersJson.EnumerateArray())
                {
                    tiers[t++] = new PriceTier(tier.GetProperty("above").GetInt64(), ReadRates(tier));
                }
            }

            price = new ModelPrice(
                providerId,
                modelId,
                currency,
                from,
                PriceSource.Catalog,
                ReadRates(entry),
                entry.TryGetProperty("perRequest", out var perRequest) ? perRequest.GetDecimal() : 0m,
                tiers);
        }

        return new CatalogPriceEntry(price, from?.UtcTicks ?? 0, dailyFrom, dailyUntil);
    }

    private static TokenRates ReadRates(JsonElement element) => TokenRates.Resolve(
        Number(element, "input"),
        Number(element, "cacheRead"),
        Number(element, "cacheWrite"),
        Number(element, "cacheWrite1h"),
        Number(element, "output"),
        reasoning: null,
        Number(element, "inputAudio"),
        Number(element, "outputAudio"));

    private static decimal? Number(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDecimal() : null;
}
