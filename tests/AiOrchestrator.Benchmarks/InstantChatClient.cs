using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Benchmarks;

/// <summary>A provider that answers at once with a prebuilt response and usage, so only the pipeline is measured.</summary>
internal sealed class InstantChatClient : IChatClient
{
    private static readonly ChatClientMetadata Metadata = new("openai", new Uri("https://api.openai.com/v1"), "gpt-4o-mini");
    private static readonly UsageDetails Usage = new() { InputTokenCount = 260, CachedInputTokenCount = 0, OutputTokenCount = 120, TotalTokenCount = 380 };
    private static readonly ChatResponse Response = new(new ChatMessage(ChatRole.Assistant, "A short answer.")) { ModelId = "gpt-4o-mini-2024-07-18", Usage = Usage };
    private static readonly ChatResponseUpdate[] Updates =
    [
        new(ChatRole.Assistant, "A short ") { ModelId = "gpt-4o-mini-2024-07-18" },
        new(ChatRole.Assistant, "answer.") { ModelId = "gpt-4o-mini-2024-07-18" },
        new(ChatRole.Assistant, [new UsageContent(Usage)]) { ModelId = "gpt-4o-mini-2024-07-18" },
    ];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => Task.FromResult(Response);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in Updates)
        {
            yield return update;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceType == typeof(ChatClientMetadata) ? Metadata : null;

    public void Dispose()
    {
    }
}
