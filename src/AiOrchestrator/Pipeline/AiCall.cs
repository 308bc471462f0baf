using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pricing;
using AiOrchestrator.Tokens;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Pipeline;

/// <summary>
/// One call, created once when it enters the pipeline and read by every stage: the call id (which also keys the
/// ledger's idempotency records, the usage records and audit entries), the resolved scope, the requested model and
/// output cap before any clamp, and the input bound computed at most once per tokenizer family. Each attempt a
/// router or a retry makes is an <see cref="AiCallAttempt"/> of it. Both the <c>IChatClient</c> stages and the
/// <c>HttpClient</c> handlers build one.
/// </summary>
/// <remarks>Experimental: the surface the pipeline packages share; it may change between minor versions.</remarks>
[Experimental(ExperimentalDiagnosticId)]
public sealed class AiCall
{
    /// <summary>The diagnostic id of the experimental pipeline surface.</summary>
    public const string ExperimentalDiagnosticId = "AIOEXP001";

    /// <summary>The key under which the call travels in <see cref="ChatOptions.AdditionalProperties"/>.</summary>
    internal const string OptionsKey = "aiorchestrator.call";

    /// <summary>
    /// Where a stage outside the call object (safety, which runs before the cache) puts the id it already used, so the
    /// call object, its usage records and its audit entries carry that same id.
    /// </summary>
    internal const string CallIdKey = "aiorchestrator.call-id";

    /// <summary>The call id a stage further out chose for <paramref name="options"/>, or a new one.</summary>
    internal static AiCallId IdFor(ChatOptions? options, DateTimeOffset now)
        => options?.AdditionalProperties is { } extra && extra.TryGetValue(CallIdKey, out var given) && given is AiCallId id ? id : AiCallId.New(now);

    // The bound of the last family asked for (a call's attempts are usually of one family); -1 until computed.
    private long _inputBound = -1;
    private TokenizerFamily _inputBoundFamily;
    private int _attempts;

    /// <summary>Whether the call's request permit was taken (once per call, whatever its attempts).</summary>
    internal bool RequestPermitted { get; set; }

    /// <summary>Creates a call.</summary>
    /// <param name="id">The call id.</param>
    /// <param name="scope">Who the call is for, resolved once.</param>
    /// <param name="request">The request's input bounds.</param>
    /// <param name="startedAt">When the call entered the pipeline.</param>
    /// <param name="streaming">True for a streamed call.</param>
    public AiCall(AiCallId id, AiScope scope, AiCallRequest request, DateTimeOffset startedAt, bool streaming)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(request);
        Id = id;
        Scope = scope;
        Request = request;
        StartedAt = startedAt;
        Streaming = streaming;
    }

    /// <summary>The call id.</summary>
    public AiCallId Id { get; }

    /// <summary>Who the call is for.</summary>
    public AiScope Scope { get; }

    /// <summary>What the call asks for.</summary>
    public AiCallRequest Request { get; }

    /// <summary>When the call entered the pipeline.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>True for a streamed call.</summary>
    public bool Streaming { get; }

    /// <summary>The model (or alias) the caller asked for, before routing.</summary>
    public string? RequestedModel { get; init; }

    /// <summary>The output cap the caller set, before any stage lowered it; null when it set none.</summary>
    public long? RequestedMaxOutputTokens { get; init; }

    /// <summary>The output cap an attempt sends when the caller set none.</summary>
    public long DefaultMaxOutputTokens { get; init; } = 4096;

    /// <summary>The routing target (its configured name) of the current attempt, when a router chose it.</summary>
    public string? Route { get; set; }

    /// <summary>The latest attempt, or null before the first.</summary>
    public AiCallAttempt? LastAttempt { get; private set; }

    /// <summary>How many attempts have begun.</summary>
    public int AttemptCount => Volatile.Read(ref _attempts);

    /// <summary>The output cap an attempt starts from: the caller's, or the default.</summary>
    public long OutputCap => RequestedMaxOutputTokens ?? DefaultMaxOutputTokens;

    /// <summary>The call carried in <paramref name="options"/>, or null.</summary>
    public static AiCall? From(ChatOptions? options)
        => options?.AdditionalProperties is { } p && p.TryGetValue(OptionsKey, out var value) ? value as AiCall : null;

    /// <summary>Puts this call into <paramref name="options"/> for the stages further in.</summary>
    public void AttachTo(ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        (options.AdditionalProperties ??= [])[OptionsKey] = this;
    }

    /// <summary>
    /// The cheap input bound for <paramref name="family"/>: computed once, and again only when an attempt of another
    /// tokenizer family asks (requests cache what every family shares).
    /// </summary>
    public long GetInputBound(TokenizerFamily family)
    {
        // Concurrent attempts (hedging) may both compute it: the same value, so the race is harmless.
        var bound = Volatile.Read(ref _inputBound);
        if (bound < 0 || _inputBoundFamily != family)
        {
            bound = Request.InputBound(family);
            _inputBoundFamily = family;
            Volatile.Write(ref _inputBound, bound);
        }

        return bound;
    }

    /// <summary>Begins an attempt at <paramref name="model"/> of <paramref name="provider"/>, priced at <paramref name="price"/>.</summary>
    public AiCallAttempt BeginAttempt(string? provider, string model, ModelPrice price, DateTimeOffset startedAt, long startTimestamp)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(price);
        var attempt = new AiCallAttempt(this, Interlocked.Increment(ref _attempts), provider, model, price, OutputCap, Route, startedAt, startTimestamp);
        LastAttempt = attempt;
        return attempt;
    }
}
