using System.Globalization;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Pricing;

/// <summary>
/// Checks <see cref="PricingOptions"/> and says, for each problem, which setting is wrong and how to fix it. Register
/// it as <c>IValidateOptions&lt;PricingOptions&gt;</c> (with <c>ValidateOnStart</c>) so bad prices stop the app at start.
/// </summary>
public sealed class PricingOptionsValidator : IValidateOptions<PricingOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, PricingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Collect(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Every problem with the options, each naming its configuration key.</summary>
    internal static List<string> Collect(PricingOptions options)
    {
        var failures = new List<string>();
        var units = PriceCatalog.Default.Units;
        if (!string.IsNullOrWhiteSpace(options.CatalogFile))
        {
            try
            {
                units = PriceCatalog.Load(options.CatalogFile).Units;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                failures.Add($"{Key("CatalogFile")} is '{options.CatalogFile}', which cannot be used: {ex.Message} Fix or replace the file (a genai-prices v2 data.json, or a catalog written by tools/PriceCatalogGenerator), or remove the setting to use the shipped catalog.");
            }
        }

        for (var i = 0; i < options.Prices.Count; i++)
        {
            CollectDefinition(options.Prices[i], Key($"Prices:{i}"), requireModel: true, failures);
            foreach (var unitKey in options.Prices[i]?.Units.Keys ?? [])
            {
                if (!units.TryFindByPriceKey(unitKey, out _))
                {
                    failures.Add($"{Key($"Prices:{i}:Units:{unitKey}")} is not a price key of the catalog's unit registry. Use a key such as web_searches_kcount, cache_audio_read_mtok or output_image_mtok (see docs/pricing.md).");
                }
            }
        }

        if (!Enum.IsDefined(options.UnpricedModels))
        {
            failures.Add($"{Key("UnpricedModels")} is '{options.UnpricedModels}', which is not a policy. Use Reject or UseFallbackPrice.");
        }

        if (options.UnpricedModels == UnpricedModelPolicy.UseFallbackPrice && options.FallbackPrice is null)
        {
            failures.Add(
                $"{Key("UnpricedModels")} is UseFallbackPrice but {Key("FallbackPrice")} is not set. "
                + $"Set {Key("FallbackPrice:InputPerMillion")} and {Key("FallbackPrice:OutputPerMillion")} (PricingOptions.FallbackPrice in code), or set {Key("UnpricedModels")} to Reject.");
        }

        if (options.FallbackPrice is { } fallback)
        {
            CollectDefinition(fallback, Key("FallbackPrice"), requireModel: false, failures);
        }

        return failures;
    }

    /// <summary>Every problem with one definition; <paramref name="key"/> is its configuration path.</summary>
    internal static void CollectDefinition(ModelPriceDefinition? definition, string key, bool requireModel, List<string> failures)
    {
        if (definition is null)
        {
            failures.Add($"{key} is empty. Remove it, or give it a Model, InputPerMillion and OutputPerMillion.");
            return;
        }

        if (requireModel)
        {
            if (string.IsNullOrWhiteSpace(definition.Model))
            {
                failures.Add($"{key}:Model is missing. Set it to the model id the provider reports (for example \"gpt-4o\") or to a prefix pattern ending in '*' (for example \"ft:gpt-4o*\").");
            }
            else if (definition.Model.IndexOf('*', StringComparison.Ordinal) is var star && star >= 0 && star != definition.Model.Length - 1)
            {
                failures.Add($"{key}:Model is \"{definition.Model}\"; only a single '*' at the end is supported (a prefix pattern such as \"ft:gpt-4o*\"). Use an exact id or a prefix pattern.");
            }
        }

        if (!IsCurrencyCode(definition.Currency))
        {
            failures.Add($"{key}:Currency is \"{definition.Currency}\", which is not a three-letter upper-case ISO 4217 code. Use a code such as \"USD\" or \"EUR\", or leave it unset for USD.");
        }

        if (definition.InputPerMillion is null)
        {
            failures.Add($"{key}:InputPerMillion is missing. Set the price per million input tokens (0 if input is free).");
        }

        if (definition.OutputPerMillion is null)
        {
            failures.Add($"{key}:OutputPerMillion is missing. Set the price per million output tokens (0 for models without output, such as embeddings).");
        }

        CheckNotNegative(definition.InputPerMillion, $"{key}:InputPerMillion", failures);
        CheckNotNegative(definition.CachedInputPerMillion, $"{key}:CachedInputPerMillion", failures);
        CheckNotNegative(definition.CacheWritePerMillion, $"{key}:CacheWritePerMillion", failures);
        CheckNotNegative(definition.CacheWrite1hPerMillion, $"{key}:CacheWrite1hPerMillion", failures);
        CheckNotNegative(definition.OutputPerMillion, $"{key}:OutputPerMillion", failures);
        CheckNotNegative(definition.ReasoningPerMillion, $"{key}:ReasoningPerMillion", failures);
        CheckNotNegative(definition.InputAudioPerMillion, $"{key}:InputAudioPerMillion", failures);
        CheckNotNegative(definition.OutputAudioPerMillion, $"{key}:OutputAudioPerMillion", failures);
        CheckNotNegative(definition.PerRequest, $"{key}:PerRequest", failures);
        foreach (var (unitKey, value) in definition.Units)
        {
            CheckNotNegative(value, $"{key}:Units:{unitKey}", failures);
        }

        var seen = new HashSet<long>();
        for (var t = 0; t < definition.Tiers.Count; t++)
        {
            var tierKey = $"{key}:Tiers:{t}";
            var tier = definition.Tiers[t];
            if (tier is null)
            {
                failures.Add($"{tierKey} is empty. Remove it, or set its AboveInputTokens and prices.");
                continue;
            }

            if (tier.AboveInputTokens <= 0)
            {
                failures.Add($"{tierKey}:AboveInputTokens is {tier.AboveInputTokens}. Set it to the input-token count above which the tier applies (for example 200000).");
            }
            else if (!seen.Add(tier.AboveInputTokens))
            {
                failures.Add($"{tierKey}:AboveInputTokens repeats {tier.AboveInputTokens} from an earlier tier. Give each tier its own threshold.");
            }

            CheckNotNegative(tier.InputPerMillion, $"{tierKey}:InputPerMillion", failures);
            CheckNotNegative(tier.CachedInputPerMillion, $"{tierKey}:CachedInputPerMillion", failures);
            CheckNotNegative(tier.CacheWritePerMillion, $"{tierKey}:CacheWritePerMillion", failures);
            CheckNotNegative(tier.CacheWrite1hPerMillion, $"{tierKey}:CacheWrite1hPerMillion", failures);
            CheckNotNegative(tier.OutputPerMillion, $"{tierKey}:OutputPerMillion", failures);
            CheckNotNegative(tier.ReasoningPerMillion, $"{tierKey}:ReasoningPerMillion", failures);
            CheckNotNegative(tier.InputAudioPerMillion, $"{tierKey}:InputAudioPerMillion", failures);
            CheckNotNegative(tier.OutputAudioPerMillion, $"{tierKey}:OutputAudioPerMillion", failures);
        }
    }

    private static string Key(string path) => $"{PricingOptions.SectionName}:{path}";

    private static void CheckNotNegative(decimal? value, string key, List<string> failures)
    {
        if (value < 0m)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{key} is {value}; prices cannot be negative. Set it to the list price (0 if free), or remove it to use its fallback."));
        }
    }

    private static bool IsCurrencyCode(string? currency)
        => currency is { Length: 3 } && char.IsAsciiLetterUpper(currency[0]) && char.IsAsciiLetterUpper(currency[1]) && char.IsAsciiLetterUpper(currency[2]);
}
