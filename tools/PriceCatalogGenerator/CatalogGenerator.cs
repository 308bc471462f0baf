using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PriceCatalogGenerator;

/// <summary>Counts for the generator's summary line.</summary>
internal sealed record CatalogSummary(int Providers, int Models, int Units, int PriceEntries, int UnpricedModels)
{
    public override string ToString() =>
        $"{Providers} providers, {Models} models, {Units} units, {PriceEntries} price entries ({UnpricedModels} models with an empty price set)";
}

/// <summary>The generated catalog text and what it holds.</summary>
internal sealed record GeneratedCatalog(string Json, SourceInfo Source, CatalogSummary Summary);

/// <summary>
/// Builds the shipped price catalog (format 2) from the genai-prices v2 feed and its unit registry.
/// </summary>
/// <remarks>
/// The catalog keeps the feed's own shapes and key names and drops only what pricing does not use (names,
/// descriptions, URLs, comments, context windows, usage extractors). Numbers are copied as their decimal text, never
/// through a binary floating-point value. Output is deterministic: fixed key orders, units in registry order, providers
/// and models in feed order, dimensions sorted, two-space indentation, LF line endings and a trailing newline.
/// Every problem found is collected and reported together in a <see cref="CatalogValidationException"/>.
/// </remarks>
internal static partial class CatalogGenerator
{
    public const int FormatVersion = 2;
    public const string SourceName = "genai-prices v2";

    private static readonly string[] MatchTextKinds = ["starts_with", "ends_with", "contains", "equals", "regex"];
    private static readonly string[] MatchListKinds = ["or", "and"];

    /// <summary>Provider keys the feed may carry; the catalog keeps some of them, in this order.</summary>
    private static readonly string[] ProviderKeptKeys = ["id", "api_pattern", "provider_match", "model_match", "fallback_model_providers", "models"];
    private static readonly HashSet<string> ProviderDroppedKeys = ["name", "pricing_urls", "description", "price_comments", "extractors"];
    private static readonly HashSet<string> ModelDroppedKeys = ["name", "description", "context_window", "price_comments", "deprecated"];

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Converts the feed (data.json bytes), the unit registry (units.yml bytes) and SOURCE-COMMIT.txt's text into the catalog.</summary>
    /// <exception cref="CatalogValidationException">The input is malformed or breaks a pricing rule; the message names each problem.</exception>
    public static GeneratedCatalog Generate(byte[] feedJson, byte[] unitsYaml, string sourceCommitText)
    {
        ArgumentNullException.ThrowIfNull(feedJson);
        ArgumentNullException.ThrowIfNull(unitsYaml);
        ArgumentNullException.ThrowIfNull(sourceCommitText);

        var source = SourceInfo.Parse(sourceCommitText);
        string yaml;
        try
        {
            yaml = StrictUtf8.GetString(unitsYaml);
        }
        catch (DecoderFallbackException)
        {
            throw new CatalogValidationException(["units.yml: is not valid UTF-8."]);
        }

        var registry = UnitRegistry.Parse(yaml.TrimStart('\uFEFF'));

        JsonDocument feed;
        try
        {
            feed = JsonDocument.Parse(feedJson, new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new CatalogValidationException([$"data.json: is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine}): {e.Message}"]);
        }

        using (feed)
        {
            var run = new Run(registry);
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteNumber("format", FormatVersion);
                writer.WriteStartObject("source");
                writer.WriteString("name", SourceName);
                writer.WriteString("commit", source.Commit);
                writer.WriteString("date", source.Date);
                writer.WriteEndObject();
                writer.WriteString("currency", "USD");
                WriteUnits(writer, registry);
                writer.WritePropertyName("providers");
                run.WriteProviders(writer, feed.RootElement);
                writer.WriteEndObject();
            }

            run.CheckFallbacks();
            if (run.Errors.Count > 0)
            {
                throw new CatalogValidationException(run.Errors);
            }

            var json = Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
            var summary = new CatalogSummary(run.ProviderIds.Count, run.Models, registry.Units.Count, run.PriceEntries, run.UnpricedModels);
            return new GeneratedCatalog(json, source, summary);
        }
    }

    private static void WriteUnits(Utf8JsonWriter writer, UnitRegistry registry)
    {
        writer.WriteStartArray("units");
        foreach (var unit in registry.Units)
        {
            writer.WriteStartObject();
            writer.WriteString("id", unit.Id);
            writer.WriteString("priceKey", unit.PriceKey);
            writer.WriteNumber("per", unit.Per);
            writer.WriteStartObject("dimensions");
            foreach (var (key, value) in unit.Dimensions)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    [GeneratedRegex("^(?<h>[0-9]{2}):(?<m>[0-9]{2})(:(?<s>[0-9]{2})(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})?$")]
    private static partial Regex TimeOfDay();

    /// <summary>One conversion: the errors found so far and the counts.</summary>
    private sealed class Run(UnitRegistry registry)
    {
        private readonly List<(string Provider, string Fallback)> _fallbacks = [];

        public List<string> Errors { get; } = [];

        public HashSet<string> ProviderIds { get; } = new(StringComparer.Ordinal);

        public int Models { get; private set; }

        public int PriceEntries { get; private set; }

        public int UnpricedModels { get; private set; }

        public void WriteProviders(Utf8JsonWriter writer, JsonElement root)
        {
            writer.WriteStartArray();
            if (root.ValueKind != JsonValueKind.Array)
            {
                Errors.Add("data.json: the feed must be a JSON array of providers.");
            }
            else
            {
                var index = 0;
                foreach (var provider in root.EnumerateArray())
                {
                    WriteProvider(writer, provider, index++);
                }
            }

            writer.WriteEndArray();
        }

        public void CheckFallbacks()
        {
            foreach (var (provider, fallback) in _fallbacks)
            {
                if (!ProviderIds.Contains(fallback))
                {
                    Errors.Add($"provider '{provider}': fallback_model_providers names '{fallback}', which is not a provider of the feed.");
                }
                else if (fallback == provider)
                {
                    Errors.Add($"provider '{provider}': fallback_model_providers names the provider itself.");
                }
            }
        }

        private void WriteProvider(Utf8JsonWriter writer, JsonElement provider, int index)
        {
            if (provider.ValueKind != JsonValueKind.Object)
            {
                Errors.Add($"provider #{index + 1}: must be an object.");
                return;
            }

            var id = RequiredString(provider, "id", $"provider #{index + 1}");
            var where = $"provider '{id ?? $"#{index + 1}"}'";
            if (id is not null && !ProviderIds.Add(id))
            {
                Errors.Add($"{where}: the provider id is used more than once.");
            }

            CheckKeys(provider, where, ProviderKeptKeys, ProviderDroppedKeys);
            var apiPattern = RequiredString(provider, "api_pattern", where);
            if (apiPattern is not null)
            {
                CheckRegex(apiPattern, $"{where}: api_pattern");
            }

            writer.WriteStartObject();
            writer.WriteString("id", id ?? "");
            writer.WriteString("api_pattern", apiPattern ?? "");
            foreach (var matchKey in new[] { "provider_match", "model_match" })
            {
                if (provider.TryGetProperty(matchKey, out var match))
                {
                    writer.WritePropertyName(matchKey);
                    WriteClause(writer, match, $"{where}: {matchKey}");
                }
            }

            if (provider.TryGetProperty("fallback_model_providers", out var fallbacks))
            {
                writer.WriteStartArray("fallback_model_providers");
                if (fallbacks.ValueKind != JsonValueKind.Array)
                {
                    Errors.Add($"{where}: fallback_model_providers must be an array of provider ids.");
                }
                else
                {
                    foreach (var fallback in fallbacks.EnumerateArray())
                    {
                        if (fallback.ValueKind != JsonValueKind.String)
                        {
                            Errors.Add($"{where}: fallback_model_providers must hold provider ids (strings); found {fallback.GetRawText()}.");
                            continue;
                        }

                        var fallbackId = fallback.GetString()!;
                        _fallbacks.Add((id ?? "", fallbackId));
                        writer.WriteStringValue(fallbackId);
                    }
                }

                writer.WriteEndArray();
            }

            writer.WriteStartArray("models");
            if (!provider.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array)
            {
                Errors.Add($"{where}: 'models' must be an array.");
            }
            else
            {
                var modelIds = new HashSet<string>(StringComparer.Ordinal);
                var modelIndex = 0;
                foreach (var model in models.EnumerateArray())
                {
                    WriteModel(writer, model, where, modelIndex++, modelIds);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        private void WriteModel(Utf8JsonWriter writer, JsonElement model, string providerWhere, int index, HashSet<string> modelIds)
        {
            if (model.ValueKind != JsonValueKind.Object)
            {
                Errors.Add($"{providerWhere}, model #{index + 1}: must be an object.");
                return;
            }

            var id = RequiredString(model, "id", $"{providerWhere}, model #{index + 1}");
            var where = $"{providerWhere}, model '{id ?? $"#{index + 1}"}'";
            if (id is not null && !modelIds.Add(id))
            {
                Errors.Add($"{where}: the model id is used more than once in this provider.");
            }

            CheckKeys(model, where, ["id", "match", "prices"], ModelDroppedKeys);
            Models++;

            writer.WriteStartObject();
            writer.WriteString("id", id ?? "");
            writer.WritePropertyName("match");
            if (model.TryGetProperty("match", out var match))
            {
                WriteClause(writer, match, $"{where}: match");
            }
            else
            {
                Errors.Add($"{where}: 'match' is missing.");
                writer.WriteNullValue();
            }

            writer.WritePropertyName("prices");
            if (!model.TryGetProperty("prices", out var prices))
            {
                Errors.Add($"{where}: 'prices' is missing.");
                writer.WriteNullValue();
            }
            else if (prices.ValueKind == JsonValueKind.Object)
            {
                if (!prices.EnumerateObject().Any())
                {
                    UnpricedModels++;
                }

                WritePriceSet(writer, prices, where);
            }
            else if (prices.ValueKind == JsonValueKind.Array)
            {
                WriteConditionalPrices(writer, prices, where);
            }
            else
            {
                Errors.Add($"{where}: 'prices' must be a price set (object) or a list of conditional prices; found {prices.ValueKind}.");
                writer.WriteNullValue();
            }

            writer.WriteEndObject();
        }

        private void WriteConditionalPrices(Utf8JsonWriter writer, JsonElement list, string where)
        {
            writer.WriteStartArray();
            if (list.GetArrayLength() == 0)
            {
                Errors.Add($"{where}: the list of conditional prices is empty.");
            }

            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                var itemWhere = $"{where}, prices[{index++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    Errors.Add($"{itemWhere}: must be an object with 'prices' and an optional 'constraint'.");
                    continue;
                }

                CheckKeys(item, itemWhere, ["constraint", "prices"], []);
                writer.WriteStartObject();
                if (item.TryGetProperty("constraint", out var constraint))
                {
                    writer.WritePropertyName("constraint");
                    WriteConstraint(writer, constraint, itemWhere);
                }

                writer.WritePropertyName("prices");
                if (item.TryGetProperty("prices", out var prices) && prices.ValueKind == JsonValueKind.Object)
                {
                    WritePriceSet(writer, prices, itemWhere);
                }
                else
                {
                    Errors.Add($"{itemWhere}: 'prices' must be a price set (object).");
                    writer.WriteNullValue();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        private void WriteConstraint(Utf8JsonWriter writer, JsonElement constraint, string where)
        {
            writer.WriteStartObject();
            var names = constraint.ValueKind == JsonValueKind.Object
                ? constraint.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray()
                : [];
            if (names.SequenceEqual(["start_date"]))
            {
                var date = constraint.GetProperty("start_date");
                if (date.ValueKind != JsonValueKind.String
                    || !DateOnly.TryParseExact(date.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                {
                    Errors.Add($"{where}: constraint start_date {date.GetRawText()} must be a date written YYYY-MM-DD.");
                }

                writer.WriteString("start_date", date.ValueKind == JsonValueKind.String ? date.GetString() : "");
            }
            else if (names.SequenceEqual(["end_time", "start_time"]))
            {
                foreach (var name in new[] { "start_time", "end_time" })
                {
                    var time = constraint.GetProperty(name);
                    var text = time.ValueKind == JsonValueKind.String ? time.GetString()! : "";
                    var match = TimeOfDay().Match(text);
                    if (!match.Success
                        || int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture) > 23
                        || int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture) > 59
                        || (match.Groups["s"].Success && int.Parse(match.Groups["s"].Value, CultureInfo.InvariantCulture) > 59))
                    {
                        Errors.Add($"{where}: constraint {name} {time.GetRawText()} must be a time of day (HH:MM[:SS][Z|+HH:MM]).");
                    }

                    writer.WriteString(name, text);
                }
            }
            else
            {
                Errors.Add($"{where}: a constraint must be {{start_date}} or {{start_time, end_time}}; found {constraint.GetRawText()}.");
            }

            writer.WriteEndObject();
        }

        private void WritePriceSet(Utf8JsonWriter writer, JsonElement prices, string where)
        {
            writer.WriteStartObject();
            var units = new List<Unit>();
            foreach (var price in prices.EnumerateObject())
            {
                var keyWhere = $"{where}, price key '{price.Name}'";
                if (!registry.TryGetByPriceKey(price.Name, out var unit))
                {
                    Errors.Add($"{keyWhere}: '{price.Name}' is not a price key of the unit registry; the registry (Feed/units.yml, and the runtime that reads it) must be updated before the catalog can price it.");
                }
                else
                {
                    units.Add(unit);
                }

                PriceEntries++;
                writer.WritePropertyName(price.Name);
                WritePrice(writer, price.Value, keyWhere);
            }

            writer.WriteEndObject();
            CheckJoins(units, where);
        }

        /// <summary>
        /// Join closedness: two priced units whose dimensions can be combined (same family, equal values on every
        /// dimension both have) and whose combination is a unit of the registry require that unit to be priced too;
        /// otherwise usage of the combined kind would have no price of its own.
        /// </summary>
        private void CheckJoins(List<Unit> units, string where)
        {
            var priced = units.Select(u => u.PriceKey).ToHashSet(StringComparer.Ordinal);
            var reported = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < units.Count; i++)
            {
                for (var j = i + 1; j < units.Count; j++)
                {
                    var a = units[i];
                    var b = units[j];
                    if (a.Family != b.Family)
                    {
                        continue;
                    }

                    var union = new Dictionary<string, string>(StringComparer.Ordinal);
                    var compatible = true;
                    foreach (var (key, value) in a.Dimensions.Concat(b.Dimensions))
                    {
                        if (union.TryGetValue(key, out var existing) && existing != value)
                        {
                            compatible = false;
                            break;
                        }

                        union[key] = value;
                    }

                    if (compatible
                        && registry.TryGetByDimensions(Unit.CanonicalKey(union), out var join)
                        && !priced.Contains(join.PriceKey)
                        && reported.Add(join.PriceKey))
                    {
                        Errors.Add($"{where}: prices '{a.PriceKey}' and '{b.PriceKey}' but not '{join.PriceKey}', the unit where they meet ({join.Id}); the feed must price it too (join closedness).");
                    }
                }
            }
        }

        private void WritePrice(Utf8JsonWriter writer, JsonElement value, string where)
        {
            if (value.ValueKind == JsonValueKind.Number)
            {
                WriteAmount(writer, value, where, "the price");
                return;
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                Errors.Add($"{where}: a price must be a number or a tiered price {{base, tiers}}; found {value.GetRawText()}.");
                writer.WriteNullValue();
                return;
            }

            writer.WriteStartObject();
            CheckKeys(value, $"{where} (tiered)", ["base", "tiers"], []);
            writer.WritePropertyName("base");
            if (value.TryGetProperty("base", out var basePrice))
            {
                WriteAmount(writer, basePrice, where, "the base price");
            }
            else
            {
                Errors.Add($"{where}: a tiered price needs 'base'.");
                writer.WriteNullValue();
            }

            writer.WriteStartArray("tiers");
            if (!value.TryGetProperty("tiers", out var tiers) || tiers.ValueKind != JsonValueKind.Array)
            {
                Errors.Add($"{where}: a tiered price needs 'tiers', an array of {{start, price}}.");
            }
            else
            {
                long previous = 0;
                foreach (var tier in tiers.EnumerateArray())
                {
                    if (tier.ValueKind != JsonValueKind.Object)
                    {
                        Errors.Add($"{where}: a tier must be {{start, price}}; found {tier.GetRawText()}.");
                        continue;
                    }

                    CheckKeys(tier, $"{where} (tier)", ["start", "price"], []);
                    writer.WriteStartObject();
                    writer.WritePropertyName("start");
                    if (tier.TryGetProperty("start", out var start)
                        && start.ValueKind == JsonValueKind.Number
                        && start.TryGetInt64(out var startValue)
                        && startValue > 0)
                    {
                        if (startValue <= previous)
                        {
                            Errors.Add($"{where}: tiers must be in ascending order of start; {startValue} follows {previous}.");
                        }

                        previous = startValue;
                        writer.WriteRawValue(start.GetRawText());
                    }
                    else
                    {
                        Errors.Add($"{where}: a tier's start must be a positive whole number; found {(tier.TryGetProperty("start", out var bad) ? bad.GetRawText() : "nothing")}.");
                        writer.WriteNullValue();
                    }

                    writer.WritePropertyName("price");
                    if (tier.TryGetProperty("price", out var tierPrice))
                    {
                        WriteAmount(writer, tierPrice, where, "a tier price");
                    }
                    else
                    {
                        Errors.Add($"{where}: a tier needs 'price'.");
                        writer.WriteNullValue();
                    }

                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        /// <summary>Writes a non-negative number exactly as the feed spells it.</summary>
        private void WriteAmount(Utf8JsonWriter writer, JsonElement value, string where, string what)
        {
            var raw = value.ValueKind == JsonValueKind.Number ? value.GetRawText() : null;
            if (raw is null)
            {
                Errors.Add($"{where}: {what} must be a number; found {value.GetRawText()}.");
                writer.WriteNullValue();
                return;
            }

            if (raw.StartsWith('-'))
            {
                Errors.Add($"{where}: {what} {raw} is negative.");
            }
            else if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || !double.IsFinite(parsed))
            {
                Errors.Add($"{where}: {what} {raw} is out of range.");
            }

            writer.WriteRawValue(raw);
        }

        private void WriteClause(Utf8JsonWriter writer, JsonElement clause, string where)
        {
            var properties = clause.ValueKind == JsonValueKind.Object ? clause.EnumerateObject().ToList() : [];
            if (properties.Count != 1)
            {
                Errors.Add($"{where}: a match clause must be an object with exactly one of {string.Join(", ", MatchTextKinds.Concat(MatchListKinds))}; found {clause.GetRawText()}.");
                writer.WriteNullValue();
                return;
            }

            var (kind, value) = (properties[0].Name, properties[0].Value);
            writer.WriteStartObject();
            if (MatchTextKinds.Contains(kind))
            {
                if (value.ValueKind != JsonValueKind.String || value.GetString()!.Length == 0)
                {
                    Errors.Add($"{where}: '{kind}' needs a non-empty string; found {value.GetRawText()}.");
                    writer.WriteNull(kind);
                }
                else
                {
                    if (kind == "regex")
                    {
                        CheckRegex(value.GetString()!, $"{where}: regex");
                    }

                    writer.WriteString(kind, value.GetString());
                }
            }
            else if (MatchListKinds.Contains(kind))
            {
                writer.WriteStartArray(kind);
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
                {
                    Errors.Add($"{where}: '{kind}' needs a non-empty array of clauses; found {value.GetRawText()}.");
                }
                else
                {
                    foreach (var inner in value.EnumerateArray())
                    {
                        WriteClause(writer, inner, $"{where} > {kind}");
                    }
                }

                writer.WriteEndArray();
            }
            else
            {
                Errors.Add($"{where}: unknown match clause '{kind}'; the generator knows {string.Join(", ", MatchTextKinds.Concat(MatchListKinds))}.");
                writer.WriteNull(kind);
            }

            writer.WriteEndObject();
        }

        private void CheckRegex(string pattern, string where)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                Errors.Add($"{where} '{pattern}' is not a valid .NET regular expression: {e.Message}");
            }
        }

        private string? RequiredString(JsonElement element, string name, string where)
        {
            if (element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0)
            {
                return value.GetString();
            }

            Errors.Add($"{where}: '{name}' must be a non-empty string.");
            return null;
        }

        /// <summary>Fails on a key the generator does not know, so that a new feed field is looked at rather than silently dropped.</summary>
        private void CheckKeys(JsonElement element, string where, IReadOnlyCollection<string> kept, IReadOnlyCollection<string> dropped)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (!kept.Contains(property.Name) && !dropped.Contains(property.Name))
                {
                    Errors.Add($"{where}: unknown key '{property.Name}'; the generator must be taught whether the catalog keeps it.");
                }
            }
        }
    }
}
