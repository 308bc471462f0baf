using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PriceCatalogGenerator;

/// <summary>
/// Converts genai-prices data into AiOrchestrator's own compact catalog format, keeping only what pricing needs:
/// providers and their match rules, models and their match rules, prices, long-context tiers, effective dates,
/// time-of-day windows and the source commit.
/// </summary>
/// <remarks>
/// Choices made here, each on purpose:
/// <list type="bullet">
/// <item>Tiers are normalised: every tier threshold becomes one complete set of rates, where a kind of token that has
/// no tier at that threshold keeps its base (or lower-tier) price. A tier applies to all tokens of every kind once the
/// request's total input tokens are above its threshold.</item>
/// <item>Anthropic's one-hour cache write price is not in the source. Anthropic publishes it as 2x the base input
/// price (the five-minute write is 1.25x), so it is derived here as 2 x input for every Claude model that has a cache
/// write price, tier by tier. Bedrock and Vertex price Claude's cache the same way.</item>
/// <item>Audio cache reads are dropped: usage records carry no separate count for them.</item>
/// <item>A price entry with no prices at all (free tiers, previews, retired models) is kept as "unpriced" so that its
/// match rule still claims the model id, but the runtime treats it as having no price.</item>
/// <item>Time-of-day windows are converted to UTC times of day.</item>
/// </list>
/// </remarks>
internal static class CatalogConverter
{
    public const int FormatVersion = 1;

    private static readonly (string Source, string Target)[] RateFields =
    [
        ("input_mtok", "input"),
        ("cache_read_mtok", "cacheRead"),
        ("cache_write_mtok", "cacheWrite"),
        ("output_mtok", "output"),
        ("input_audio_mtok", "inputAudio"),
        ("output_audio_mtok", "outputAudio"),
    ];

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ConversionResult Convert(byte[] sourceJson, SourceInfo source)
    {
        using var doc = JsonDocument.Parse(sourceJson);
        var sb = new StringBuilder();
        var models = 0;
        var derived = 0;

        var header = Compact(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("format", FormatVersion);
            w.WriteStartObject("source");
            w.WriteString("name", "genai-prices");
            w.WriteString("repository", SourceInfo.Repository);
            w.WriteString("commit", source.Commit);
            if (source.Date is not null)
            {
                w.WriteString("date", source.Date);
            }

            w.WriteString("license", "MIT");
            w.WriteEndObject();
            w.WriteString("currency", "USD");
            w.WriteString("unit", "USD per million tokens; perRequest in USD per request");
            w.WriteStartArray("derived");
            w.WriteStringValue("cacheWrite1h = 2 x input for Claude models with a cache write price (Anthropic's published rule; not in the source data)");
            w.WriteEndArray();
            w.WriteEndObject();
        });

        // One model per line keeps refreshes reviewable as diffs while the file stays compact.
        sb.Append(header, 0, header.Length - 1).Append(",\"providers\":[\n");
        var providers = doc.RootElement.EnumerateArray().ToList();
        for (var p = 0; p < providers.Count; p++)
        {
            var provider = providers[p];
            var providerId = provider.GetProperty("id").GetString()!;
            var providerHeader = Compact(w =>
            {
                w.WriteStartObject();
                w.WriteString("id", providerId);
                w.WriteString("name", provider.TryGetProperty("name", out var n) ? n.GetString() : providerId);
                if (provider.TryGetProperty("provider_match", out var pm) && pm.ValueKind == JsonValueKind.Object)
                {
                    w.WritePropertyName("providerMatch");
                    WriteRule(w, pm);
                }

                if (provider.TryGetProperty("model_match", out var mm) && mm.ValueKind == JsonValueKind.Object)
                {
                    w.WritePropertyName("modelMatch");
                    WriteRule(w, mm);
                }

                w.WriteEndObject();
            });
            sb.Append(providerHeader, 0, providerHeader.Length - 1).Append(",\"models\":[\n");

            var list = provider.GetProperty("models").EnumerateArray().ToList();
            for (var m = 0; m < list.Count; m++)
            {
                var model = list[m];
                var modelId = model.GetProperty("id").GetString()!;
                var isClaude = providerId == "anthropic" || modelId.Contains("claude", StringComparison.OrdinalIgnoreCase);
                sb.Append(Compact(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("id", modelId);
                    w.WritePropertyName("match");
                    WriteRule(w, model.GetProperty("match"));
                    w.WriteStartArray("prices");
                    var prices = model.GetProperty("prices");
                    if (prices.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var conditional in prices.EnumerateArray())
                        {
                            conditional.TryGetProperty("constraint", out var constraint);
                            derived += WriteEntry(w, conditional.GetProperty("prices"), constraint, isClaude);
                        }
                    }
                    else
                    {
                        derived += WriteEntry(w, prices, default, isClaude);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }));
                sb.Append(m + 1 < list.Count ? ",\n" : "\n");
                models++;
            }

            sb.Append(p + 1 < providers.Count ? "]},\n" : "]}\n");
        }

        sb.Append("]}\n");
        return new ConversionResult(sb.ToString(), providers.Count, models, derived);
    }

    private static int WriteEntry(Utf8JsonWriter w, JsonElement prices, JsonElement constraint, bool isClaude)
    {
        w.WriteStartObject();
        if (constraint.ValueKind == JsonValueKind.Object)
        {
            if (constraint.TryGetProperty("start_date", out var startDate))
            {
                var date = DateOnly.ParseExact(startDate.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                w.WriteString("from", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            if (constraint.TryGetProperty("start_time", out var startTime))
            {
                w.WriteString("dailyFrom", UtcTimeOfDay(startTime.GetString()!));
                w.WriteString("dailyUntil", UtcTimeOfDay(constraint.GetProperty("end_time").GetString()!));
            }
        }

        var fields = new Dictionary<string, TieredValue>(StringComparer.Ordinal);
        foreach (var (sourceName, targetName) in RateFields)
        {
            if (prices.TryGetProperty(sourceName, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                fields[targetName] = TieredValue.Read(value);
            }
        }

        decimal? perRequest = prices.TryGetProperty("requests_kcount", out var kcount) && kcount.ValueKind == JsonValueKind.Number
            ? kcount.GetDecimal() / 1000m
            : null;

        if (fields.Count == 0 && perRequest is null)
        {
            w.WriteBoolean("unpriced", true);
            w.WriteEndObject();
            return 0;
        }

        var derived = 0;
        if (isClaude && fields.ContainsKey("cacheWrite") && fields.TryGetValue("input", out var input))
        {
            fields["cacheWrite1h"] = input.Times(2m);
            derived = 1;
        }

        var thresholds = new SortedSet<long>();
        foreach (var field in fields.Values)
        {
            foreach (var tier in field.Tiers)
            {
                thresholds.Add(tier.Start);
            }
        }

        WriteRates(w, fields, threshold: null);
        if (perRequest is { } pr)
        {
            w.WriteNumber("perRequest", pr);
        }

        if (thresholds.Count > 0)
        {
            w.WriteStartArray("tiers");
            foreach (var threshold in thresholds)
            {
                w.WriteStartObject();
                w.WriteNumber("above", threshold);
                WriteRates(w, fields, threshold);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        return derived;
    }

    private static void WriteRates(Utf8JsonWriter w, Dictionary<string, TieredValue> fields, long? threshold)
    {
        foreach (var name in new[] { "input", "cacheRead", "cacheWrite", "cacheWrite1h", "output", "inputAudio", "outputAudio" })
        {
            if (fields.TryGetValue(name, out var value))
            {
                w.WriteNumber(name, threshold is { } t ? value.At(t) : value.Base);
            }
        }
    }

    private static void WriteRule(Utf8JsonWriter w, JsonElement rule)
    {
        w.WriteStartObject();
        foreach (var property in rule.EnumerateObject())
        {
            switch (property.Name)
            {
                case "equals" or "starts_with" or "ends_with" or "contains" or "regex":
                    w.WriteString(property.Name switch
                    {
                        "starts_with" => "startsWith",
                        "ends_with" => "endsWith",
                        _ => property.Name,
                    }, property.Value.GetString());
                    break;
                case "or" or "and":
                    w.WriteStartArray(property.Name);
                    foreach (var clause in property.Value.EnumerateArray())
                    {
                        WriteRule(w, clause);
                    }

                    w.WriteEndArray();
                    break;
                default:
                    throw new InvalidOperationException($"Unknown match clause '{property.Name}' in the source data; teach the generator and the runtime about it first.");
            }
        }

        w.WriteEndObject();
    }

    private static string UtcTimeOfDay(string text)
    {
        // Source times look like "00:30:00Z" or carry an offset such as "+08:00".
        var parsed = DateTimeOffset.Parse("2000-01-01T" + text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        return parsed.UtcDateTime.TimeOfDay.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
    }

    private static string Compact(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}

/// <summary>What the conversion produced.</summary>
internal sealed record ConversionResult(string Json, int Providers, int Models, int Derived1hPrices);
