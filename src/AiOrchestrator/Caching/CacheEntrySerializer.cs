using System.Buffers;
using Microsoft.Extensions.Caching.Hybrid;

namespace AiOrchestrator.Caching;

/// <summary>
/// How <see cref="HybridCache"/> stores a <see cref="CacheEntry"/> in its second level (Redis or any
/// <c>IDistributedCache</c>): the checksummed <see cref="CacheEntryCodec"/> form. Bytes that are not an intact entry
/// read as <see cref="CacheEntryCodec.Corrupt"/>, which the cache drops and counts instead of failing the call.
/// </summary>
internal sealed class CacheEntrySerializer : IHybridCacheSerializer<CacheEntry>
{
    public CacheEntry Deserialize(ReadOnlySequence<byte> source)
        => CacheEntryCodec.TryRead(source.IsSingleSegment ? source.FirstSpan : source.ToArray()) ?? CacheEntryCodec.Corrupt;

    public void Serialize(CacheEntry value, IBufferWriter<byte> target) => CacheEntryCodec.Write(value, target);
}
