using System.Runtime.CompilerServices;
using AiOrchestrator.Caching;
using AiOrchestrator.Metering;
using AiOrchestrator.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Tests.Caching;

/// <summary>AiOrchestrator with the response cache on a fake clock, over a provider that counts its calls.</summary>
internal sealed class CacheTestHost : IAsyncDisposable
{
    private int _calls;

    public CacheTestHost(Action<AiCacheOptions>? cache = null, Action<AiOrchestrator.Budgets.BudgetOptions>? budgets = null, Action<IServiceCollection>? services = null, TimeSpan? delay = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(Time);
        collection.AddMetrics();
        collection.AddAiOrchestrator(o =>
        {
            o.StorePath = ":memory:";
            o.DefaultScope = new AiScope { Organization = "acme" };
        });
        services?.Invoke(collection);
        collection.AddAiCache(configure: cache);
        if (budgets is not null)
        {
            collection.AddBudgetLedger(configure: budgets);
        }

        Services = collection.BuildServiceProvider();
        Provider = new TestChatClient
        {
            GetResponseAsyncCallback = async (messages, options, ct) =>
            {
                Interlocked.Increment(ref _calls);
                Received.Enqueue(messages.Last().Text);
                if (delay is { } d)
                {
                    await Task.Delay(d, ct);
                }

                return Answer(messages);
            },
            GetStreamingResponseAsyncCallback = (messages, options, ct) => StreamAnswer(messages, ct),
        };
        Client = new ChatClientBuilder(Provider).UseAiOrchestrator().Build(Services);
    }

    public FakeTimeProvider Time { get; }

    public ServiceProvider Services { get; }

    public TestChatClient Provider { get; }

    public IChatClient Client { get; }

    /// <summary>The last message's text of every buffered call the provider received, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Received { get; } = new();

    /// <summary>How many calls reached the provider.</summary>
    public int ProviderCalls => Volatile.Read(ref _calls);

#pragma warning disable AIOEXP001
    public AiResponseCache Cache => Services.GetRequiredService<AiResponseCache>();
#pragma warning restore AIOEXP001

    public async Task<IReadOnlyList<UsageRecord>> RecordsAsync() => await Services.GetRequiredService<IUsageStore>().GetRecordsAsync(new SpendQuery());

    public static ChatOptions For(string organization, ChatOptions? options = null)
    {
        options ??= new ChatOptions();
        (options.AdditionalProperties ??= [])[AiScopeKeys.Organization] = organization;
        return options;
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();

    private static ChatResponse Answer(IEnumerable<ChatMessage> messages)
        => new(new ChatMessage(ChatRole.Assistant, "Answer to: " + messages.Last().Text))
        {
            ModelId = "gpt-4o-2024-08-06",
            Usage = new UsageDetails { InputTokenCount = 1_000, OutputTokenCount = 200, TotalTokenCount = 1_200, CachedInputTokenCount = 400 },
        };

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAnswer(IEnumerable<ChatMessage> messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        await Task.Yield();
        var text = "Answer to: " + messages.Last().Text;
        foreach (var piece in new[] { text[..6], text[6..] })
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { ModelId = "gpt-4o-2024-08-06" };
        }

        yield return new ChatResponseUpdate
        {
            ModelId = "gpt-4o-2024-08-06",
            Contents = [new UsageContent(new UsageDetails { InputTokenCount = 1_000, OutputTokenCount = 200, TotalTokenCount = 1_200, CachedInputTokenCount = 400 })],
        };
    }
}
