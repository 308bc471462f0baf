using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace AiOrchestrator.Tests.Load;

/// <summary>What a load caller asks the fake provider to do.</summary>
public enum LoadCallKind
{
    /// <summary>A plain call answered with usage.</summary>
    Plain,

    /// <summary>A plain call with a 40–60 KB prompt.</summary>
    LargePrompt,

    /// <summary>A stream the caller reads to the end (usage in the last update).</summary>
    StreamToEnd,

    /// <summary>A stream the caller stops reading after some updates (break out of await foreach).</summary>
    StreamAbandoned,

    /// <summary>A stream the caller cancels through its CancellationToken after some updates.</summary>
    StreamCancelled,

    /// <summary>A stream whose provider throws after some updates.</summary>
    StreamFails,

    /// <summary>A plain call whose response carries no usage.</summary>
    PlainWithoutUsage,

    /// <summary>A stream read to the end that carries no usage.</summary>
    StreamWithoutUsage,

    /// <summary>A plain call whose provider reports more output tokens than the cap it was sent (rare, small).</summary>
    ProviderOverrun,
}

/// <summary>
/// A hand-written provider that behaves like OpenAI's gpt-4o-mini: it counts the prompt with the o200k tokenizer
/// (plus OpenAI's per-message framing), generates at most <see cref="ChatOptions.MaxOutputTokens"/> output tokens
/// (except in the deliberate-overrun case) as text whose o200k token count is exactly what it reports, and puts
/// usage in a <see cref="UsageContent"/> at the end of streams. What a call should do is read from its options'
/// additional properties, set by the caller.
/// </summary>
internal sealed class LoadChatClient : IChatClient
{
    public const string KindKey = "load-kind";
    public const string WantedOutputKey = "load-wanted-output";
    public const string ResponseModel = "gpt-4o-mini-2024-07-18";

    /// <summary>Output tokens past the cap that an overrunning response reports.</summary>
    public const int OverrunTokens = 20;

    /// <summary>Updates per stream: kept small so that 4,000 callers finish quickly on two cores.</summary>
    public const int StreamChunks = 6;

    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForModel("gpt-4o");

    private long _overrunTokens;
    private int _overrunCalls;
    private int _providerCalls;
    private int _capsSeen;

    public ChatClientMetadata Metadata { get; } = new("openai", new Uri("https://api.openai.com/v1"), "gpt-4o-mini");

    /// <summary>Output tokens the provider reported beyond the cap it was sent, over every overrunning call.</summary>
    public long OverrunTokensReported => Interlocked.Read(ref _overrunTokens);

    /// <summary>How many calls deliberately overran their cap.</summary>
    public int OverrunCalls => Volatile.Read(ref _overrunCalls);

    /// <summary>How many calls reached the provider.</summary>
    public int ProviderCalls => Volatile.Read(ref _providerCalls);

    /// <summary>How many calls reached the provider with an output cap set (the budget stage always sets one).</summary>
    public int CapsSeen => Volatile.Read(ref _capsSeen);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (kind, input, output) = Plan(messages, options);
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, Text(output)))
        {
            ModelId = ResponseModel,
            FinishReason = ChatFinishReason.Stop,
        };
        if (kind != LoadCallKind.PlainWithoutUsage)
        {
            response.Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
        }

        return response;
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (kind, input, output) = Plan(messages, options);
        return StreamAsync(kind, input, output, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is not null ? null : serviceType == typeof(ChatClientMetadata) ? Metadata : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(LoadCallKind kind, int input, int output, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var failAfter = kind == LoadCallKind.StreamFails ? 2 : int.MaxValue;
        var sent = 0;
        for (var chunk = 0; chunk < StreamChunks; chunk++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            if (chunk == failAfter)
            {
                throw new IOException("The provider closed the connection mid-stream.");
            }

            // Spread the output over the chunks; every chunk's text is exactly its share of tokens.
            var share = (output * (chunk + 1) / StreamChunks) - sent;
            sent += share;
            yield return new ChatResponseUpdate(ChatRole.Assistant, Text(share)) { ModelId = ResponseModel };
        }

        var last = new ChatResponseUpdate { Role = ChatRole.Assistant, ModelId = ResponseModel, FinishReason = ChatFinishReason.Stop };
        if (kind != LoadCallKind.StreamWithoutUsage)
        {
            last.Contents.Add(new UsageContent(new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output }));
        }

        yield return last;
    }

    private (LoadCallKind Kind, int Input, int Output) Plan(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        Interlocked.Increment(ref _providerCalls);
        var properties = options?.AdditionalProperties;
        var kind = properties?.TryGetValue(KindKey, out var k) == true && k is LoadCallKind lk ? lk : LoadCallKind.Plain;
        var wanted = properties?.TryGetValue(WantedOutputKey, out var w) == true && w is int wi ? wi : 100;
        var cap = options?.MaxOutputTokens;
        if (cap is not null)
        {
            Interlocked.Increment(ref _capsSeen);
        }

        var output = Math.Min(wanted, cap ?? int.MaxValue);
        if (kind == LoadCallKind.ProviderOverrun && cap is { } c)
        {
            output = c + OverrunTokens;
            Interlocked.Add(ref _overrunTokens, OverrunTokens);
            Interlocked.Increment(ref _overrunCalls);
        }

        return (kind, InputTokens(messages), output);
    }

    /// <summary>Prompt tokens as OpenAI counts them for chat: 3 per message, the role and content, 3 to prime the reply.</summary>
    private static int InputTokens(IEnumerable<ChatMessage> messages)
    {
        var tokens = 3;
        foreach (var message in messages)
        {
            tokens += 3 + O200k.CountTokens(message.Role.Value) + O200k.CountTokens(message.Text);
        }

        return tokens;
    }

    /// <summary>Text of exactly <paramref name="tokens"/> o200k tokens (" word" is one token).</summary>
    private static string Text(int tokens)
    {
        var text = new StringBuilder(tokens * 5);
        for (var i = 0; i < tokens; i++)
        {
            text.Append(" word");
        }

        return text.ToString();
    }
}
