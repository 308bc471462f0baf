namespace AiOrchestrator.Pricing;

/// <summary>
/// Provider names that clients report (OpenTelemetry <c>gen_ai.provider.name</c> values, which M.E.AI's
/// <c>ChatClientMetadata.ProviderName</c> follows) mapped to catalog provider ids, for names the catalog's own
/// provider rules would miss or misread (<c>azure.ai.openai</c> contains "openai" but is priced as Azure).
/// </summary>
internal static class ProviderAliases
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["azure.ai.openai"] = "azure",
        ["azure.ai.inference"] = "azure",
        ["az.ai.openai"] = "azure",
        ["az.ai.inference"] = "azure",
        ["azure_openai"] = "azure",
        ["gcp.gemini"] = "google",
        ["gcp.vertex_ai"] = "google",
        ["gcp.gen_ai"] = "google",
        ["vertex_ai"] = "google",
        ["aws.bedrock"] = "aws",
        ["bedrock"] = "aws",
        ["mistral_ai"] = "mistral",
        ["mistralai"] = "mistral",
        ["x_ai"] = "x-ai",
        ["xai"] = "x-ai",
        ["grok"] = "x-ai",
        ["moonshot"] = "moonshotai",
        ["zhipu"] = "zhipuai",
        ["together_ai"] = "together",
        ["fireworks_ai"] = "fireworks",
        ["fireworks-ai"] = "fireworks",
    };

    /// <summary>
    /// Names the <c>HttpClient</c> pipeline records for a host it does not know that speaks a provider's wire format:
    /// such a call is priced from that provider's list, marked as a fallback price (the host may charge otherwise).
    /// </summary>
    private static readonly Dictionary<string, string> Compatible = new(StringComparer.Ordinal)
    {
        ["openai-compatible"] = "openai",
        ["anthropic-compatible"] = "anthropic",
    };

    /// <summary>The provider whose wire format a lower-cased "…-compatible" name speaks, or <see langword="null"/>.</summary>
    public static string? CompatibleWith(string lowerName) => Compatible.GetValueOrDefault(lowerName);

    /// <summary>The catalog id for a lower-cased provider name, or <see langword="null"/>.</summary>
    public static string? Find(string lowerName) => Aliases.GetValueOrDefault(lowerName);
}
