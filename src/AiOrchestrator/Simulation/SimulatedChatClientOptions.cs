namespace AiOrchestrator.Simulation;

/// <summary>How a <see cref="SimulatedChatClient"/> behaves.</summary>
public sealed class SimulatedChatClientOptions
{
    /// <summary>The provider it reports (and is priced as). Default <c>openai</c>.</summary>
    public string ProviderName { get; set; } = "openai";

    /// <summary>The model used when a call names none. Default <c>gpt-4o-mini</c>.</summary>
    public string DefaultModelId { get; set; } = "gpt-4o-mini";

    /// <summary>The delay before the first token. Default zero.</summary>
    public TimeSpan FirstTokenLatency { get; set; }

    /// <summary>The delay between streamed chunks. Default zero.</summary>
    public TimeSpan ChunkLatency { get; set; }

    /// <summary>The clock that latencies are waited on. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The smallest shared prompt prefix, in tokens, that the simulated provider caches (OpenAI caches prefixes of
    /// 1,024 tokens and more, in steps of 128). Default 1,024.
    /// </summary>
    public int MinCachedPrefixTokens { get; set; } = 1024;
}
