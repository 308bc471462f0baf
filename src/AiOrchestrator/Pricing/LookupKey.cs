namespace AiOrchestrator.Pricing;

/// <summary>The (provider, model) pair as the caller spelled it: the key of the lookup cache.</summary>
internal readonly struct LookupKey(string? provider, string modelId) : IEquatable<LookupKey>
{
    public string? Provider { get; } = provider;

    public string ModelId { get; } = modelId;

    public bool Equals(LookupKey other)
        => string.Equals(ModelId, other.ModelId, StringComparison.Ordinal) && string.Equals(Provider, other.Provider, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is LookupKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Provider, ModelId);
}
