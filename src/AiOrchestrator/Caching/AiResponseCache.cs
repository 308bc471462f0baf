using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using AiOrchestrator.Pipeline;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiOrchestrator.Caching;

/// <summary>
/// The response cache's rules, shared by the <c>IChatClient</c> stage and the <c>HttpClient</c> handlers: the
/// partition of a scope, an entry's lifetime, reading and writing entries through <see cref="HybridCache"/> (in memory
/// by default; an <c>IDistributedCache</c> such as Redis as its second level), coalescing concurrent identical misses
/// into one provider call, and invalidation by organisation, model or all. A cache failure never fails a call: it is
/// logged once per kind, counted, and the call goes to the provider.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed partial class AiResponseCache : IDisposable
{
    private const string AllTag = "aio:all";

    /// <summary>Answers waiting to be written at most; beyond it an answer is served but not kept (and counted).</summary>
    private const int MaxPendingWrites = 4096;

    private static readonly HybridCacheEntryOptions ReadOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite,
    };

    private readonly HybridCache _cache;
    private readonly AiCacheOptions _options;
    private readonly ILogger _logger;
    private readonly CacheMetrics _metrics;
    private readonly ConcurrentDictionary<string, Task<CacheEntry?>> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _loggedErrors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _partitions;
    private readonly HashSet<string> _sideEffectTools;
    private readonly ConcurrentDictionary<string, string> _ownPartitions = new(StringComparer.Ordinal);
    private int _pendingWrites;

    /// <summary>Creates the cache over <paramref name="cache"/>.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public AiResponseCache(HybridCache cache, AiCacheOptions options, TimeProvider? timeProvider = null, ILogger<AiResponseCache>? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(options);
        var failures = AiCacheOptionsValidator.Collect(options);
        if (failures.Count > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(AiCacheOptions), failures);
        }

        _cache = cache;
        _options = options;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _metrics = new CacheMetrics(meterFactory);
        _partitions = options.PartitionRules.ToDictionary(r => r.Organization!, r => "shared:" + r.Partition!, StringComparer.Ordinal);
        _sideEffectTools = new HashSet<string>(options.ToolsWithSideEffects, StringComparer.Ordinal);
    }

    /// <summary>The semantic side of the cache, when it is enabled.</summary>
    internal SemanticResponseCache? Semantic { get; set; }

    /// <summary>The clock entry lifetimes are measured with.</summary>
    public TimeProvider TimeProvider { get; }

    internal AiCacheOptions Options => _options;

    /// <summary>The largest answer kept, in bytes (<see cref="AiCacheOptions.MaxEntryBytes"/>).</summary>
    public int MaxEntryBytes => _options.MaxEntryBytes;

    internal CacheMetrics Metrics => _metrics;

    /// <summary>Counts a lookup by its result (<c>hit</c>, <c>semantic_hit</c>, <c>miss</c>, <c>bypass</c>) and its duration.</summary>
    public void CountLookup(string result, TimeSpan elapsed) => _metrics.Lookup(result, elapsed);

    /// <summary>
    /// The partition of <paramref name="scope"/>: its organisation's own (<c>org:acme</c>), or the shared partition a
    /// <see cref="AiCacheOptions.PartitionRules"/> entry names for it. Entries never cross partitions.
    /// </summary>
    public string PartitionOf(AiScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var organization = scope.Organization ?? string.Empty;
        if (_partitions.TryGetValue(organization, out var shared))
        {
            return shared;
        }

        if (_ownPartitions.TryGetValue(organization, out var own))
        {
            return own;
        }

        own = "org:" + organization;
        if (_ownPartitions.Count < 10_000)
        {
            _ownPartitions.TryAdd(organization, own); // remembered for the organisations seen first, so a call allocates nothing
        }

        return own;
    }

    /// <summary>How long an entry for <paramref name="scope"/> and <paramref name="model"/> is served (zero: not cached).</summary>
    public TimeSpan TimeToLiveOf(AiScope scope, string model)
    {
        ArgumentNullException.ThrowIfNull(scope);
        foreach (var rule in _options.TimeToLiveRules)
        {
            if ((rule.Organization is null || string.Equals(rule.Organization, scope.Organization, StringComparison.Ordinal))
                && (rule.Model is null || string.Equals(rule.Model, model, StringComparison.OrdinalIgnoreCase)))
            {
                return rule.TimeToLive;
            }
        }

        return _options.DefaultTimeToLive;
    }

    /// <summary>Drops every entry of the organisation's partition.</summary>
    public ValueTask InvalidateOrganizationAsync(string organization, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(organization);
        var partition = PartitionOf(new AiScope { Organization = organization });
        Semantic?.Forget(p => p.StartsWith(partition + "|", StringComparison.Ordinal));
        return RemoveByTagAsync(PartitionTag(partition), cancellationToken);
    }

    /// <summary>Drops every entry written for <paramref name="model"/> (the model or alias the calls asked for).</summary>
    public ValueTask InvalidateModelAsync(string model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var lower = "|" + model.ToLowerInvariant() + "|";
        Semantic?.Forget(p => p.Contains(lower, StringComparison.Ordinal));
        return RemoveByTagAsync(ModelTag(model), cancellationToken);
    }

    /// <summary>Drops every entry.</summary>
    public ValueTask InvalidateAllAsync(CancellationToken cancellationToken = default)
    {
        Semantic?.Forget(static _ => true);
        return RemoveByTagAsync(AllTag, cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Semantic?.Dispose();
        _metrics.Dispose();
    }

    /// <summary>
    /// Why a call must go to the provider and stay out of the cache, or <see langword="null"/> when it may use it: the
    /// caller said so, it samples (temperature above zero) and the policy bypasses such calls, or it offers a tool with
    /// side effects (listed by name, or marked by the tool itself). Both pipelines ask this one rule.
    /// </summary>
    public string? BypassReason(bool callerSkips, double? temperature, IEnumerable<(string Name, bool Marked)> tools)
    {
        if (callerSkips)
        {
            return "caller";
        }

        if (temperature > 0 && _options.SampledCalls == SamplingCachePolicy.Bypass)
        {
            return "sampled";
        }

        foreach (var (name, marked) in tools)
        {
            if (marked || _sideEffectTools.Contains(name))
            {
                return "side-effects";
            }
        }

        return null;
    }

    /// <summary>
    /// The entry for <paramref name="key"/>, waiting for an identical call in flight when there is one; or, when there
    /// is none, <see langword="null"/> and a lease that makes this call the one that fills the entry (others wait for
    /// it). Never throws for cache failures.
    /// </summary>
    public async ValueTask<(CacheEntry? Entry, MissLease? Lease)> LookupAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        while (true)
        {
            // In flight first: a kept answer is written to the cache before it leaves the in-flight map, so looking
            // here first and then in the cache never misses one that is being written.
            if (_inFlight.TryGetValue(key, out var running))
            {
                CacheEntry? answered;
                try
                {
                    answered = await running.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    answered = null; // the leading call failed: this one goes to the provider itself
                }

                if (answered is not null && TimeProvider.GetUtcNow() - answered.CreatedAt >= timeToLive)
                {
                    answered = null; // answered, but already past its lifetime
                }

                return answered is null ? (null, MissLease.Uncoordinated) : (answered, null);
            }

            var entry = await ReadAsync(key, timeToLive, cancellationToken).ConfigureAwait(false);
            if (entry is not null)
            {
                return (entry, null);
            }

            var lease = new MissLease(this, key);
            if (_inFlight.TryAdd(key, lease.Task))
            {
                return (null, lease);
            }
        }
    }

    /// <summary>
    /// Keeps the answer of a finished miss: hands <paramref name="entry"/> at once to the identical calls waiting on
    /// <paramref name="lease"/> (and to those that arrive while it is being written), then writes it behind the caller
    /// (in memory and, when configured, to the second level). The call that made it does not wait for the write.
    /// </summary>
    public void Keep(MissLease? lease, string key, CacheEntry entry, string partition, string model, TimeSpan timeToLive)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(entry);
        if (timeToLive <= TimeSpan.Zero || Interlocked.Increment(ref _pendingWrites) > MaxPendingWrites)
        {
            if (timeToLive > TimeSpan.Zero)
            {
                Interlocked.Decrement(ref _pendingWrites);
                _metrics.Error("write_queue_full");
            }

            lease?.Complete(entry);
            return;
        }

        Task<CacheEntry?>? waiting = null;
        if (lease is { } owned && owned.Keep(entry))
        {
            waiting = owned.Task; // stays in flight, answering identical calls, until the write is done
        }

        ThreadPool.UnsafeQueueUserWorkItem(new PendingWrite(this, key, entry, partition, model, timeToLive, waiting), preferLocal: false);
    }

    /// <summary>Completes when every answer kept so far has been written (for tests and orderly shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (Volatile.Read(ref _pendingWrites) > 0)
        {
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes an entry now (under its partition, model and the all tag); failures are logged and counted.</summary>
    public async ValueTask WriteAsync(string key, CacheEntry entry, string partition, string model, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (timeToLive <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            if (entry.Payload.Length > _options.MaxEntryBytes)
            {
                _metrics.Error("too_large");
                return;
            }

            await _cache.SetAsync(
                key,
                entry,
                new HybridCacheEntryOptions { Expiration = timeToLive, LocalCacheExpiration = timeToLive },
                [PartitionTag(partition), ModelTag(model), AllTag],
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed("write", ex);
        }
    }

    /// <summary>
    /// The live entry for <paramref name="key"/>, including one still being written behind its call, without waiting
    /// for a call in flight (for the semantic cache, whose index may name an entry written a moment ago).
    /// </summary>
    internal ValueTask<CacheEntry?> ReadKeptAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        if (_inFlight.TryGetValue(key, out var running) && running.IsCompletedSuccessfully && running.Result is { } kept)
        {
            return ValueTask.FromResult(TimeProvider.GetUtcNow() - kept.CreatedAt >= timeToLive ? null : kept);
        }

        return ReadAsync(key, timeToLive, cancellationToken);
    }

    /// <summary>The live entry for <paramref name="key"/>, or null (never throws for cache failures).</summary>
    internal async ValueTask<CacheEntry?> ReadAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        CacheEntry? entry;
        try
        {
            entry = await _cache.GetOrCreateAsync(key, static _ => ValueTask.FromResult<CacheEntry?>(null), ReadOnly, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed("read", ex);
            return null;
        }

        if (entry is null)
        {
            return null;
        }

        if (ReferenceEquals(entry, CacheEntryCodec.Corrupt))
        {
            Failed("corrupt", null);
            await RemoveAsync(key).ConfigureAwait(false);
            return null;
        }

        // Lifetimes are checked here too, on the pipeline's clock: an entry never outlives its rule.
        return TimeProvider.GetUtcNow() - entry.CreatedAt >= timeToLive ? null : entry;
    }

    /// <summary>Counts (and logs once) an entry found damaged after it was read, e.g. a payload that no longer parses.</summary>
    internal void Corrupted() => Failed("corrupt", null);

    private async ValueTask RemoveAsync(string key)
    {
        try
        {
            await _cache.RemoveAsync(key).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed("remove", ex);
        }
    }

    private async ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken)
    {
        // Answers still being written are written first, so the invalidation drops them too.
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _cache.RemoveByTagAsync(tag, cancellationToken).ConfigureAwait(false);
    }

    private void Failed(string kind, Exception? exception)
    {
        _metrics.Error(kind);
        if (_loggedErrors.Count < 64 && _loggedErrors.TryAdd(kind + ":" + exception?.GetType().FullName, 0))
        {
            LogCacheFailure(_logger, kind, exception?.GetType().Name ?? "an entry that is not an intact cache entry", exception?.Message ?? string.Empty);
        }
    }

    /// <summary>An answer being written behind the call that made it; while it is, identical calls are answered from it.</summary>
    private sealed class PendingWrite(AiResponseCache owner, string key, CacheEntry entry, string partition, string model, TimeSpan timeToLive, Task<CacheEntry?>? waiting)
        : IThreadPoolWorkItem
    {
        public void Execute() => _ = RunAsync();

        private async Task RunAsync()
        {
            try
            {
                await owner.WriteAsync(key, entry, partition, model, timeToLive, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // not cancellable: nothing to do
            }
            finally
            {
                if (waiting is not null)
                {
                    owner._inFlight.TryRemove(new KeyValuePair<string, Task<CacheEntry?>>(key, waiting));
                }

                Interlocked.Decrement(ref owner._pendingWrites);
            }
        }
    }

    private static string PartitionTag(string partition) => "aio:p:" + partition;

    private static string ModelTag(string model) => "aio:m:" + model.ToLowerInvariant();

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "The response cache failed to {Operation} ({Error}: {Detail}); calls go to the provider meanwhile. Logged once per kind of failure; counted in aiorchestrator.cache.errors.")]
    private static partial void LogCacheFailure(ILogger logger, string operation, string error, string detail);

    /// <summary>
    /// The right, for one call, to fill a missing entry while identical calls wait. <see cref="Complete"/> hands the
    /// entry (or nothing) to them; it must be called once, in a <c>finally</c>.
    /// </summary>
    public sealed class MissLease
    {
        internal static readonly MissLease Uncoordinated = new(null, string.Empty);

        private readonly AiResponseCache? _owner;
        private readonly string _key;
        private readonly TaskCompletionSource<CacheEntry?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal MissLease(AiResponseCache? owner, string key)
        {
            _owner = owner;
            _key = key;
        }

        private bool _kept;

        internal Task<CacheEntry?> Task => _done.Task;

        /// <summary>
        /// Hands <paramref name="entry"/> (or nothing, when the call failed or cannot be kept) to the waiting calls.
        /// After <see cref="AiResponseCache.Keep"/> it does nothing.
        /// </summary>
        public void Complete(CacheEntry? entry)
        {
            if (_owner is null || _kept)
            {
                return;
            }

            _done.TrySetResult(entry);
            _owner._inFlight.TryRemove(new KeyValuePair<string, Task<CacheEntry?>>(_key, _done.Task));
        }

        /// <summary>Hands the entry to the waiting calls and leaves it in flight until it is written; false when uncoordinated.</summary>
        internal bool Keep(CacheEntry entry)
        {
            if (_owner is null || _kept)
            {
                return false;
            }

            _kept = true;
            _done.TrySetResult(entry);
            return true;
        }
    }
}
