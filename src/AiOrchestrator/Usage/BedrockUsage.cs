using System.Text.Json;

namespace AiOrchestrator;

/// <summary>
/// Reads the <c>usage</c> object of AWS Bedrock's Converse and ConverseStream APIs (Converse's <c>TokenUsage</c>) into a
/// <see cref="TokenUsage"/>.
/// </summary>
/// <remarks>
/// <para>Bedrock's <c>inputTokens</c> excludes the tokens read from and written to the prompt cache
/// (<c>cacheReadInputTokens</c>, <c>cacheWriteInputTokens</c>); they are added back so that
/// <see cref="TokenUsage.InputTokens"/> is every input token. <c>cacheDetails</c> splits the writes by lifetime
/// (<c>ttl</c> <c>5m</c> or <c>1h</c>); without it every write is a five-minute write. <c>totalTokens</c> is checked as a
/// count and otherwise not needed.</para>
/// <para>Besides the usage object itself, a whole Converse response (<c>{"usage":{…}}</c>), a ConverseStream
/// <c>metadata</c> event's payload (<c>{"usage":{…},"metrics":{…}}</c>) or the event as SDKs render it
/// (<c>{"metadata":{"usage":{…}}}</c>) are accepted: the usage is found inside. A stream carries its usage once, on the
/// <c>metadata</c> event, so streamed and buffered calls read the same counts. Anthropic models called through
/// <c>InvokeModel</c> answer in Anthropic's format: read those with <see cref="AnthropicUsage"/>.</para>
/// </remarks>
public static class BedrockUsage
{
    /// <summary>Parses a usage object (or a response or metadata event holding one) given as UTF-8 JSON.</summary>
    /// <exception cref="InvalidUsageException">The JSON is malformed, not an object, or holds impossible counts.</exception>
    public static TokenUsage Parse(ReadOnlySpan<byte> utf8Json)
        => UsageJson.Parse(utf8Json, "Bedrock usage", static usage => Parse(usage));

    /// <summary>Parses a usage object (or a response or metadata event holding one).</summary>
    /// <exception cref="InvalidUsageException">The element is not an object or holds impossible counts.</exception>
    public static TokenUsage Parse(JsonElement usage)
    {
        UsageJson.RequireObject(usage, "Bedrock usage");
        var input = UsageJson.Count(usage, "inputTokens");
        var output = UsageJson.Count(usage, "outputTokens");
        if (input is null && output is null)
        {
            // Not the usage itself: a response or a metadata event holding it.
            if (UsageJson.Object(usage, "usage") is { } inner)
            {
                return Parse(inner);
            }

            if (UsageJson.Object(usage, "metadata") is { } metadata && UsageJson.Object(metadata, "usage") is { } metered)
            {
                return Parse(metered);
            }

            throw new InvalidUsageException("Bedrock usage has neither inputTokens nor outputTokens.");
        }

        _ = UsageJson.Count(usage, "totalTokens");
        var cacheRead = UsageJson.Count(usage, "cacheReadInputTokens") ?? 0;
        var cacheWrite = UsageJson.Count(usage, "cacheWriteInputTokens") ?? 0;
        var (write5m, write1h) = SplitWrites(usage, cacheWrite);
        return new TokenUsage
        {
            InputTokens = (input ?? 0) + cacheRead + write5m + write1h,
            CachedInputTokens = cacheRead,
            CacheWriteTokens = write5m,
            CacheWrite1hTokens = write1h,
            OutputTokens = output ?? 0,
        }.Validate();
    }

    private static (long FiveMinutes, long OneHour) SplitWrites(JsonElement usage, long cacheWrite)
    {
        if (!usage.TryGetProperty("cacheDetails", out var details) || details.ValueKind == JsonValueKind.Null)
        {
            return (cacheWrite, 0);
        }

        if (details.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidUsageException($"Usage field 'cacheDetails' must be a JSON array, but was {details.GetRawText()}.");
        }

        long fiveMinutes = 0, oneHour = 0;
        foreach (var detail in details.EnumerateArray())
        {
            UsageJson.RequireObject(detail, "Each entry of Bedrock usage field 'cacheDetails'");
            var tokens = UsageJson.Count(detail, "inputTokens") ?? 0;
            var ttl = detail.TryGetProperty("ttl", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (ttl)
            {
                case "1h":
                    oneHour += tokens;
                    break;
                case "5m":
                    fiveMinutes += tokens;
                    break;
                default:
                    throw new InvalidUsageException(
                        $"Bedrock usage has a cacheDetails entry with ttl {(ttl is null ? "missing" : $"'{ttl}'")}; expected '5m' or '1h'.");
            }
        }

        if (fiveMinutes + oneHour == 0)
        {
            return (cacheWrite, 0);
        }

        if (cacheWrite != 0 && fiveMinutes + oneHour != cacheWrite)
        {
            throw new InvalidUsageException(
                $"Bedrock usage is inconsistent: cacheDetails ({fiveMinutes} five-minute + {oneHour} one-hour) do not add up to cacheWriteInputTokens ({cacheWrite}).");
        }

        return (fiveMinutes, oneHour);
    }
}
