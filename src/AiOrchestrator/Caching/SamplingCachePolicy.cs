namespace AiOrchestrator.Caching;

/// <summary>What the cache does with a call whose temperature is above zero.</summary>
public enum SamplingCachePolicy
{
    /// <summary>Such calls always go to the provider (their answers are meant to vary).</summary>
    Bypass = 0,

    /// <summary>Such calls are cached like any other: a repeated request gets the first answer.</summary>
    Cache = 1,
}
