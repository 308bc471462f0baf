namespace AiOrchestrator.Caching;

/// <summary>Keys a caller sets in <c>ChatOptions.AdditionalProperties</c> to steer the cache for one call.</summary>
public static class AiCacheKeys
{
    /// <summary>Set to <see langword="true"/> to send this call to the provider and keep its answer out of the cache.</summary>
    public const string NoCache = "aiorchestrator.cache.skip";

    /// <summary>Set to <see langword="true"/> on a tool's <c>AdditionalProperties</c> when calling it has side effects.</summary>
    public const string SideEffects = "aiorchestrator.cache.side_effects";
}
