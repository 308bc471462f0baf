namespace AiOrchestrator.Http.Wire;

/// <summary>Recognises LLM calls by their path, and names their provider by host.</summary>
internal static class LlmEndpoint
{
    /// <summary>The provider recorded for OpenAI-format calls to a host nobody knows; priced from OpenAI's list, flagged as a fallback.</summary>
    public const string OpenAICompatible = "openai-compatible";

    /// <summary>The provider recorded for Anthropic-format calls to a host nobody knows; priced from Anthropic's list, flagged as a fallback.</summary>
    public const string AnthropicCompatible = "anthropic-compatible";

    /// <summary>
    /// True for a <c>POST</c> with a body to a path ending in <c>/chat/completions</c>, <c>/responses</c> or
    /// <c>/messages</c> (so Azure's <c>/openai/deployments/x/chat/completions</c> and proxies' prefixes match too).
    /// </summary>
    public static bool TryDetect(HttpRequestMessage request, out WireFormat format)
    {
        format = default;
        if (request.Method != HttpMethod.Post || request.Content is null || request.RequestUri is not { } uri)
        {
            return false;
        }

        var path = uri.IsAbsoluteUri ? uri.AbsolutePath.AsSpan() : PathOf(uri.OriginalString);
        path = path.TrimEnd('/');
        if (path.EndsWith("/chat/completions", StringComparison.OrdinalIgnoreCase))
        {
            format = WireFormat.OpenAIChat;
            return true;
        }

        if (path.EndsWith("/responses", StringComparison.OrdinalIgnoreCase))
        {
            format = WireFormat.OpenAIResponses;
            return true;
        }

        if (path.EndsWith("/messages", StringComparison.OrdinalIgnoreCase))
        {
            format = WireFormat.AnthropicMessages;
            return true;
        }

        return false;
    }

    /// <summary>
    /// The provider name to record and price with: the configured one, else the catalog provider whose API endpoint
    /// pattern matches the URL (<c>api.groq.com</c> → <c>groq</c>), else by host (<c>api.openai.com</c> → <c>openai</c>,
    /// <c>api.anthropic.com</c> → <c>anthropic</c>, <c>*.openai.azure.com</c> → <c>azure.ai.openai</c>), else
    /// <see cref="OpenAICompatible"/> or <see cref="AnthropicCompatible"/> by format: such calls are priced from the
    /// list of the provider whose format they speak, marked as a fallback price.
    /// </summary>
    public static string ProviderOf(Uri? uri, WireFormat format, string? configured, AiOrchestrator.Pricing.PriceCatalog catalog)
    {
        if (configured is not null)
        {
            return configured;
        }

        if (uri is { IsAbsoluteUri: true } && catalog.TryResolveEndpoint(uri, out var byEndpoint))
        {
            return byEndpoint;
        }

        if (uri is { IsAbsoluteUri: true })
        {
            var host = uri.IdnHost;
            if (string.Equals(host, "api.openai.com", StringComparison.OrdinalIgnoreCase))
            {
                return "openai";
            }

            if (string.Equals(host, "api.anthropic.com", StringComparison.OrdinalIgnoreCase))
            {
                return "anthropic";
            }

            if (host.EndsWith(".openai.azure.com", StringComparison.OrdinalIgnoreCase))
            {
                return "azure.ai.openai";
            }
        }

        return format == WireFormat.AnthropicMessages ? AnthropicCompatible : OpenAICompatible;
    }

    private static ReadOnlySpan<char> PathOf(string relative)
    {
        var query = relative.AsSpan().IndexOfAny('?', '#');
        return query < 0 ? relative : relative.AsSpan(0, query);
    }
}
