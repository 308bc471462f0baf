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

    /// <summary>The catalog id for a lower-cased provider name, or <see langword="null"/>.</summary>
    public static string? Find(string lowerName) => Aliases.GetValueOrDefault(lowerName);
}
