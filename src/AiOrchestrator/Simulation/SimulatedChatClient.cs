using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using AiOrchestrator.Tokens;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Simulation;

/// <summary>
/// An offline stand-in for a model provider: deterministic replies (the same prompt always gets the same answer)
/// with realistic usage counted by the real tokenizer, prompt-cache hits for repeated long prefixes, and streaming.
/// It lets an app, a sample or a test run the whole pipeline with no network and no key.
/// </summary>
public sealed class SimulatedChatClient : IChatClient
{
    private static readonly string[] Sentences =
    [
        "Here is a concise answer to your question.",
        "The key idea is to measure before you optimise.",
        "A budget that is enforced before each call can never be overspent.",
        "Caching identical requests avoids paying twice for the same answer.",
        "Each team's spend is tracked separately, so one team cannot exhaust another's budget.",
        "Streaming returns the first tokens sooner, which users perceive as speed.",
        "Prices differ by an order of magnitude between small and large models.",
        "Routing simple prompts to a cheaper model often keeps quality while cutting cost.",
        "Token counts include the system prompt, so long instructions are paid for on every call.",
        "In summary, the approach is sound and can be rolled out gradually.",
    ];

    private readonly SimulatedChatClientOptions _options;
    private readonly ITokenCounter _tokens;
    private readonly ChatClientMetadata _metadata;
    private readonly ConcurrentDictionary<ulong, byte> _cachedPrefixes = new();

    /// <summary>Creates a simulated provider.</summary>
    public SimulatedChatClient(SimulatedChatClientOptions? options = null)
    {
        _options = options ?? new SimulatedChatClientOptions();
        _tokens = TokenCounter.Exact;
        _metadata = new ChatClientMetadata(_options.ProviderName, new Uri("simulated://localhost"), _options.DefaultModelId);
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var model = options?.ModelId ?? _options.DefaultModelId;
        var reply = Reply(list, options);
        await DelayAsync(_options.FirstTokenLatency, cancellationToken).ConfigureAwait(false);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, reply))
        {
            ModelId = model,
            ResponseId = "sim-" + Guid.NewGuid().ToString("N"),
            FinishReason = ChatFinishReason.Stop,
            Usage = Usage(list, options, model, reply),
            CreatedAt = _options.TimeProvider.GetUtcNow(),
        };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var model = options?.ModelId ?? _options.DefaultModelId;
        var reply = Reply(list, options);
        var id = "sim-" + Guid.NewGuid().ToString("N");
        await DelayAsync(_options.FirstTokenLatency, cancellationToken).ConfigureAwait(false);

        var start = 0;
        while (start < reply.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var end = reply.IndexOf(' ', Math.Min(start + 12, reply.Length - 1));
            end = end < 0 ? reply.Length : end + 1;
            yield return new ChatResponseUpdate(ChatRole.Assistant, reply[start..end]) { ResponseId = id, ModelId = model };
            start = end;
            await DelayAsync(_options.ChunkLatency, cancellationToken).ConfigureAwait(false);
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(Usage(list, options, model, reply))])
        {
            ResponseId = id,
            ModelId = model,
            FinishReason = ChatFinishReason.Stop,
        };
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    // FNV-1a: stable across processes (string.GetHashCode is not), so replies are the same on every run.
    private static ulong Hash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    private string Reply(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        var prompt = messages.Count == 0 ? string.Empty : messages[^1].Text;
        var seed = Hash(prompt);
        var sentenceCount = 2 + (int)(seed % 7);
        var builder = new StringBuilder();
        for (var i = 0; i < sentenceCount; i++)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            builder.Append(Sentences[(int)((seed >> (i * 4)) % (ulong)Sentences.Length)]);
        }

        var reply = builder.ToString();
        if (options?.MaxOutputTokens is { } max && max > 0)
        {
            // Honour the cap as a provider would: stop at a word once the budget of tokens is used.
            while (_tokens.CountOutputTokens(reply, options.ModelId) > max && reply.LastIndexOf(' ') > 0)
            {
                reply = reply[..reply.LastIndexOf(' ')];
            }
        }

        return reply;
    }

    private UsageDetails Usage(IReadOnlyList<ChatMessage> messages, ChatOptions? options, string model, string reply)
    {
        var input = _tokens.CountInputTokens(messages, options, model);
        var output = _tokens.CountOutputTokens(reply, model);
        long cached = 0;
        if (messages.Count > 1)
        {
            // Everything before the last message is a prefix a provider could have cached from an earlier call.
            var prefix = new StringBuilder();
            for (var i = 0; i < messages.Count - 1; i++)
            {
                prefix.Append(messages[i].Role.Value).Append('\n').Append(messages[i].Text).Append('\n');
            }

            var prefixTokens = _tokens.CountOutputTokens(prefix.ToString(), model);
            if (prefixTokens >= _options.MinCachedPrefixTokens && !_cachedPrefixes.TryAdd(Hash(prefix.ToString()), 0))
            {
                cached = Math.Min(input, prefixTokens / 128 * 128);
            }
        }

        return new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            TotalTokenCount = input + output,
            CachedInputTokenCount = cached,
        };
    }

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        => delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, _options.TimeProvider, cancellationToken);
}
