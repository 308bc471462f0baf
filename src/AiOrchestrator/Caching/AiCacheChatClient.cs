using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Caching;

/// <summary>
/// The response-cache stage of the <c>IChatClient</c> pipeline (<c>UseAiCache</c>, and a stage of
/// <c>UseAiOrchestrator</c>): it sits after the scope is resolved and before routing and budgets, so a hit reserves
/// nothing and calls nobody. A hit replays the stored answer (a stream chunk by chunk, usage included) and is recorded
/// with cost 0 and the cost it avoided; a miss goes through, and its answer is stored for the call's partition.
/// Concurrent identical misses make one provider call.
/// </summary>
internal sealed class AiCacheChatClient : DelegatingChatClient
{
    private static readonly JsonSerializerOptions Json = AIJsonUtilities.DefaultOptions;

    private readonly AiResponseCache _cache;
    private readonly UsageMeter _meter;
    private readonly long _defaultCap;
    private ChatClientMetadata? _metadata;

    public AiCacheChatClient(IChatClient innerClient, AiResponseCache cache, UsageMeter meter, long defaultCap)
        : base(innerClient)
    {
        _cache = cache;
        _meter = meter;
        _defaultCap = defaultCap;
    }

    private ChatClientMetadata Metadata => _metadata ??= InnerClient.GetService<ChatClientMetadata>() ?? new ChatClientMetadata();

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(AiResponseCache) ? _cache : base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var started = Stopwatch.GetTimestamp();
        if (!Decide(messages, options, streaming: false, out var facts))
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var (entry, lease) = await _cache.LookupAsync(facts.Key, facts.TimeToLive, cancellationToken).ConfigureAwait(false);
        if (entry is not null && Replay(entry) is { } hit)
        {
            Hit(facts, entry, started, semantic: false);
            return hit;
        }

        var plan = PlanFor(facts, messages, options);

        CacheEntry? made = null;
        var vector = default(float[]);
        try
        {
            (var similar, vector) = await SemanticLookupAsync(plan, cancellationToken).ConfigureAwait(false);
            if (similar is not null && Replay(similar) is { } semanticHit)
            {
                made = similar;
                Hit(plan, similar, started, semantic: true);
                return semanticHit;
            }

            _cache.Metrics.Lookup("miss", Stopwatch.GetElapsedTime(started));
            var response = await base.GetResponseAsync(messages, plan.Options, cancellationToken).ConfigureAwait(false);
            var snapshot = ChatSnapshot.Capture(response);
            made = Entry(plan, CacheEntryKind.ChatResponse, response.ModelId, response.Usage, response.RawRepresentation, snapshot, () => JsonSerializer.SerializeToUtf8Bytes(response, Json.GetTypeInfo(typeof(ChatResponse))));
            if (made is not null)
            {
                _cache.Keep(lease, plan.Key, made, plan.Partition, plan.Model, plan.TimeToLive);
                Remember(plan, vector);
            }

            return response;
        }
        finally
        {
            lease?.Complete(made);
        }
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Decide(messages, options, streaming: true, out var facts)
            ? StreamAsync(messages, PlanFor(facts, messages, options), cancellationToken)
            : base.GetStreamingResponseAsync(messages, options, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IEnumerable<ChatMessage> messages, CachePlan plan, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (entry, lease) = await _cache.LookupAsync(plan.Key, plan.TimeToLive, cancellationToken).ConfigureAwait(false);
        var semantic = false;
        float[]? vector = null;
        if (entry is null)
        {
            try
            {
                (entry, vector) = await SemanticLookupAsync(plan, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                lease?.Complete(null);
                throw;
            }

            semantic = entry is not null;
        }

        if (entry is not null && ReplayUpdates(entry) is { } replay)
        {
            if (semantic)
            {
                lease?.Complete(entry);
            }

            Hit(plan, entry, started, semantic);
            foreach (var update in replay)
            {
                yield return update;
            }

            yield break;
        }

        _cache.Metrics.Lookup("miss", Stopwatch.GetElapsedTime(started));
        var updates = new List<ChatResponseUpdate>();
        var completed = false;
        CacheEntry? made = null;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, plan.Options, cancellationToken).ConfigureAwait(false))
            {
                updates.Add(update);
                yield return update;
            }

            completed = true;
        }
        finally
        {
            if (completed)
            {
                UsageDetails? usage = null;
                object? raw = null;
                string? served = null;
                foreach (var update in updates)
                {
                    served ??= update.ModelId;
                    foreach (var content in update.Contents)
                    {
                        if (content is UsageContent u)
                        {
                            (usage ??= new UsageDetails()).Add(u.Details);
                            raw = update.RawRepresentation;
                        }
                    }
                }

                made = Entry(plan, CacheEntryKind.ChatStream, served, usage, raw, ChatSnapshot.Capture(updates), () => JsonSerializer.SerializeToUtf8Bytes(updates, Json.GetTypeInfo(typeof(List<ChatResponseUpdate>))));
                if (made is not null)
                {
                    _cache.Keep(lease, plan.Key, made, plan.Partition, plan.Model, plan.TimeToLive);
                    Remember(plan, vector);
                }
            }

            lease?.Complete(made);
        }
    }

    /// <summary>Decides whether the call may use the cache, and if so its key, partition and lifetime; null to bypass.</summary>
    private bool Decide(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, out CacheFacts facts)
    {
        facts = default;
        var started = Stopwatch.GetTimestamp();
        var model = options?.ModelId ?? Metadata.DefaultModelId ?? string.Empty;
        var why = Bypass(options);
        var scope = _meter.ResolveScope(options);
        var partition = _cache.PartitionOf(scope);
        var timeToLive = why is null ? _cache.TimeToLiveOf(scope, model) : TimeSpan.Zero;
        var key = string.Empty;
        if (why is null && timeToLive <= TimeSpan.Zero)
        {
            why = "ttl";
        }

        why ??= ChatCacheKey.Build(partition, model, messages, options, out key);
        if (why is not null)
        {
            _cache.Metrics.Lookup("bypass", Stopwatch.GetElapsedTime(started));
            return false;
        }

        facts = new CacheFacts(key, partition, model, timeToLive, scope, streaming, options);
        return true;
    }

    /// <summary>
    /// What a miss carries on: the facts, the semantic question, and the call object, made once on first use, that
    /// travels to the stages further in (routing, budget, metering). A hit needs none of it.
    /// </summary>
    private CachePlan PlanFor(in CacheFacts facts, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var (semanticText, semanticPartition) = SemanticOf(facts.Partition, facts.Model, messages, options);
        return new CachePlan(facts.Key, facts.Partition, facts.Model, facts.TimeToLive, options, messages, _meter, _defaultCap)
        {
            Scope = facts.Scope,
            Streaming = facts.Streaming,
            SemanticText = semanticText,
            SemanticPartition = semanticPartition,
        };
    }

    private readonly record struct CacheFacts(string Key, string Partition, string Model, TimeSpan TimeToLive, AiScope Scope, bool Streaming, ChatOptions? CallerOptions);

    private string? Bypass(ChatOptions? options)
        => options is null ? null : _cache.BypassReason(
            options.AdditionalProperties?.TryGetValue(AiCacheKeys.NoCache, out var skip) == true && skip is true or "true",
            options.Temperature,
            ToolsOf(options));

    private static IEnumerable<(string Name, bool Marked)> ToolsOf(ChatOptions options)
    {
        foreach (var tool in options.Tools ?? [])
        {
            yield return (tool.Name, tool.AdditionalProperties.TryGetValue(AiCacheKeys.SideEffects, out var flag) && flag is true or "true");
        }
    }

    /// <summary>The entry for a finished miss, or null when it cannot be kept (it is then simply not cached).</summary>
    private CacheEntry? Entry(CachePlan plan, CacheEntryKind kind, string? servedModel, UsageDetails? usage, object? raw, ChatSnapshot? snapshot, Func<byte[]> payload)
    {
        try
        {
            var attempt = plan.CallIfMade?.LastAttempt;
            return new CacheEntry
            {
                Kind = kind,
                CreatedAt = _cache.TimeProvider.GetUtcNow(),
                Provider = attempt?.Provider ?? _meter.ProviderOf(Metadata),
                Model = attempt?.ServedModel ?? attempt?.Model ?? servedModel ?? plan.Model,
                Usage = attempt is { HasEnded: true } ? attempt.Usage : _meter.Normalise(usage, raw, servedModel ?? plan.Model) ?? default,

                // A text answer is kept as plain facts (its JSON is written behind the call, when a level needs it);
                // anything else is serialised now, before the caller can change the objects it received.
                Snapshot = snapshot,
                Replay = snapshot,
                Payload = snapshot is null ? payload() : null!,
            };
        }
        catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException)
        {
            _cache.Metrics.Error("serialize");
            return null;
        }
    }

    private ChatResponse? Replay(CacheEntry entry) => Decoded(entry) switch
    {
        ChatSnapshot snapshot => snapshot.ToResponse(),
        JsonOnly => Parse(entry) switch
        {
            ChatResponse response => response,
            List<ChatResponseUpdate> updates => updates.ToChatResponse(),
            _ => null,
        },
        _ => null,
    };

    private IReadOnlyList<ChatResponseUpdate>? ReplayUpdates(CacheEntry entry) => Decoded(entry) switch
    {
        ChatSnapshot snapshot => snapshot.ToUpdates(),
        JsonOnly => Parse(entry) switch
        {
            ChatResponse response => response.ToChatResponseUpdates(),
            List<ChatResponseUpdate> updates => updates,
            _ => null,
        },
        _ => null,
    };

    /// <summary>
    /// What a hit replays from, decided once per entry: its snapshot (fresh objects per hit, no parsing), or, for an
    /// answer holding more than text, its JSON parsed on every hit; null when the entry is not a chat answer or its
    /// JSON is damaged.
    /// </summary>
    private object? Decoded(CacheEntry entry)
    {
        if (entry.Replay is { } known)
        {
            return known;
        }

        if (entry.Kind is not (CacheEntryKind.ChatResponse or CacheEntryKind.ChatStream))
        {
            return null;
        }

        object decided = Parse(entry) switch
        {
            ChatResponse response => (object?)ChatSnapshot.Capture(response) ?? JsonOnly.Instance,
            List<ChatResponseUpdate> updates => (object?)ChatSnapshot.Capture(updates) ?? JsonOnly.Instance,
            _ => Damaged.Instance,
        };
        entry.Replay = decided;
        if (decided is Damaged)
        {
            _cache.Corrupted();
        }

        return decided is Damaged ? null : decided;
    }

    private static object? Parse(CacheEntry entry)
    {
        try
        {
            return entry.Kind switch
            {
                CacheEntryKind.ChatResponse => JsonSerializer.Deserialize(entry.Payload, Json.GetTypeInfo(typeof(ChatResponse))),
                CacheEntryKind.ChatStream => JsonSerializer.Deserialize(entry.Payload, Json.GetTypeInfo(typeof(List<ChatResponseUpdate>))),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed class JsonOnly
    {
        public static readonly JsonOnly Instance = new();
    }

    private sealed class Damaged
    {
        public static readonly Damaged Instance = new();
    }

    private void Hit(CachePlan plan, CacheEntry entry, long started, bool semantic)
        => Hit(new CacheFacts(plan.Key, plan.Partition, plan.Model, plan.TimeToLive, plan.Scope, plan.Streaming, plan.CallerOptions), entry, started, semantic);

    private void Hit(in CacheFacts plan, CacheEntry entry, long started, bool semantic)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        _cache.Metrics.Lookup(semantic ? "semantic_hit" : "hit", elapsed);
        var now = _meter.TimeProvider.GetUtcNow();
        _meter.RecordCacheHit(AiCall.IdFor(plan.CallerOptions, now), now, plan.Scope, plan.Streaming, entry.Provider, entry.Model, entry.Usage, elapsed, semantic);
    }

    /// <summary>After an exact miss: the stored answer of a similar enough request, and this request's embedding.</summary>
    private async ValueTask<(CacheEntry? Entry, float[]? Vector)> SemanticLookupAsync(CachePlan plan, CancellationToken cancellationToken)
    {
        if (_cache.Semantic is not { } semantic || plan.SemanticText is null || plan.SemanticPartition is null)
        {
            return (null, null);
        }

        var vector = await semantic.EmbedAsync(plan.SemanticText, cancellationToken).ConfigureAwait(false);
        if (vector is null || semantic.FindAnswerKey(plan.SemanticPartition, vector, plan.SemanticText) is not { } key)
        {
            return (null, vector);
        }

        return (await _cache.ReadKeptAsync(key, plan.TimeToLive, cancellationToken).ConfigureAwait(false), vector);
    }

    private void Remember(CachePlan plan, float[]? vector)
    {
        if (vector is not null && _cache.Semantic is { } semantic && plan.SemanticPartition is { } partition)
        {
            semantic.Remember(partition, vector, plan.SemanticText!, plan.Key);
        }
    }

    /// <summary>
    /// The last user message's text and the semantic partition (the cache partition, the model, and a hash of
    /// everything else the request says: options, tools, instructions and earlier messages), when the semantic cache
    /// applies: only to a request that ends with a user message holding text alone.
    /// </summary>
    private (string? Text, string? Partition) SemanticOf(string partition, string model, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        if (_cache.Semantic is null)
        {
            return (null, null);
        }

        var list = messages as IList<ChatMessage> ?? messages.ToList();
        if (list.Count == 0 || list[^1] is not { } last || last.Role != ChatRole.User
            || last.Contents.Count == 0 || !last.Contents.All(static c => c is TextContent) || string.IsNullOrWhiteSpace(last.Text))
        {
            return (null, null);
        }

        return ChatCacheKey.Build(partition, model, list.Take(list.Count - 1), options, out var context) is null
            ? (last.Text, partition + "|" + model.ToLowerInvariant() + "|" + context)
            : (null, null);
    }

    private sealed record CachePlan(string Key, string Partition, string Model, TimeSpan TimeToLive, ChatOptions? CallerOptions, IEnumerable<ChatMessage> Messages, UsageMeter Meter, long DefaultCap)
    {
        private ChatOptions? _options;
        private AiCall? _call;

        public required AiScope Scope { get; init; }

        public bool Streaming { get; init; }

        /// <summary>The call object, made on first use (a miss).</summary>
        public AiCall Call => _call ??= AttemptChatClient.CreateCall(Messages, CallerOptions, Streaming, Meter, Scope, DefaultCap);

        public AiCall? CallIfMade => _call;

        /// <summary>The caller's options, cloned once on a miss, carrying the call object to the stages further in.</summary>
        public ChatOptions Options
        {
            get
            {
                if (_options is null)
                {
                    _options = CallerOptions?.Clone() ?? new ChatOptions();
                    Call.AttachTo(_options);
                }

                return _options;
            }
        }

        public string? SemanticText { get; init; }

        public string? SemanticPartition { get; init; }
    }
}
