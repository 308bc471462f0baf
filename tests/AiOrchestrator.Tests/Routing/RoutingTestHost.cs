using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using AiOrchestrator.Routing;
using AiOrchestrator.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Tests.Routing;

/// <summary>AiOrchestrator on an in-memory store with a router built from the given options.</summary>
internal sealed class RoutingTestHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    public RoutingTestHost(Action<RoutingOptions> configure, TimeProvider? time = null, IBudgetLedger? ledger = null, IChatClient? inner = null)
    {
        Time = time ?? new FakeTimeProvider(Start);
        var services = new ServiceCollection();
        services.AddSingleton(Time);
        if (ledger is not null)
        {
            services.AddSingleton(ledger);
        }

        services.AddAiOrchestrator(o =>
        {
            o.StorePath = ":memory:";
            o.DefaultScope = new AiScope { Organization = "acme" };
        });
        Services = services.BuildServiceProvider();
        Inner = inner ?? Targets.Answering("inner", "gpt-4o-mini");
        Client = new ChatClientBuilder(Inner).UseRouting(configure).Build(Services);
        Router = Client.GetService<ModelRoutingChatClient>()!;
    }

    public TimeProvider Time { get; }

    public FakeTimeProvider FakeTime => (FakeTimeProvider)Time;

    public ServiceProvider Services { get; }

    public IChatClient Inner { get; }

    public IChatClient Client { get; }

    public ModelRoutingChatClient Router { get; }

    public async Task<IReadOnlyList<UsageRecord>> RecordsAsync()
        => await Services.GetRequiredService<IUsageStore>().GetRecordsAsync(new SpendQuery());

    public async Task<List<ChatResponseUpdate>> StreamAsync(string prompt, ChatOptions options, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Client.GetStreamingResponseAsync(prompt, options, cancellationToken))
        {
            updates.Add(update);
        }

        return updates;
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}

/// <summary>Fake provider targets: each answers with its own text, or fails as told, and counts its calls.</summary>
internal static class Targets
{
    public static TestChatClient Answering(string text, string model, string provider = "openai")
    {
        var client = new TestChatClient { Metadata = new ChatClientMetadata(provider, null, model) };
        client.GetResponseAsyncCallback = (_, options, _) => Task.FromResult(Response(text, options?.ModelId ?? model));
        client.GetStreamingResponseAsyncCallback = (_, options, _) => Stream(text, options?.ModelId ?? model);
        return client;
    }

    public static TestChatClient Failing(Exception error, string model = "gpt-4o", string provider = "openai")
    {
        var client = new TestChatClient { Metadata = new ChatClientMetadata(provider, null, model) };
        client.GetResponseAsyncCallback = (_, _, _) => Task.FromException<ChatResponse>(error);
        client.GetStreamingResponseAsyncCallback = (_, _, _) => FailingStream(error);
        return client;
    }

    public static ChatResponse Response(string text, string model) => new(new ChatMessage(ChatRole.Assistant, text))
    {
        ModelId = model,
        Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10, TotalTokenCount = 110 },
    };

    public static async IAsyncEnumerable<ChatResponseUpdate> Stream(string text, string model, Exception? failAfterFirst = null)
    {
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, text) { ModelId = model };
        if (failAfterFirst is not null)
        {
            throw failAfterFirst;
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10, TotalTokenCount = 110 })]) { ModelId = model };
    }

    public static async IAsyncEnumerable<ChatResponseUpdate> FailingStream(Exception error)
    {
        await Task.Yield();
        if (error is not null)
        {
            throw error;
        }

        yield break;
    }

    public static HttpRequestException Status(int status) => new($"The provider answered {status}.", null, (System.Net.HttpStatusCode)status);

    public static RouteTarget Target(string name, IChatClient client, string model, int priority = 0, double weight = 1, TimeSpan? timeout = null)
        => new() { Name = name, Client = client, ModelId = model, Priority = priority, Weight = weight, Timeout = timeout };

    public static Action<RoutingOptions> Alias(string alias, RoutingStrategy strategy, params RouteTarget[] targets) => o =>
    {
        var route = new RouteOptions { Strategy = strategy };
        foreach (var target in targets)
        {
            route.Targets.Add(target);
        }

        o.Aliases[alias] = route;
    };
}
