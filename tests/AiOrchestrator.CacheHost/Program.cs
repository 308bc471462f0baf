// One process of the Redis cache tests: AiOrchestrator with the response cache, Redis as its second level, over a
// provider that answers with this process's name. Reads one request per line on standard input:
//   <organisation> <question...>
// and answers one line per request once the answer is kept:
//   <hit|miss> <provider calls so far> <answer text>
// Usage: AiOrchestrator.CacheHost <name> <redis host:port>
using System.Globalization;
using AiOrchestrator;
using AiOrchestrator.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: AiOrchestrator.CacheHost <name> <redis host:port>");
    return 2;
}

var name = args[0];
var services = new ServiceCollection();
services.AddAiOrchestrator(o => o.StorePath = ":memory:");
services.AddStackExchangeRedisCache(o => o.Configuration = args[1] + ",connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000,abortConnect=false");
services.AddAiCache();
await using var provider = services.BuildServiceProvider();

var calls = 0;
var model = new AnsweringClient(name, () => Interlocked.Increment(ref calls));
var client = new ChatClientBuilder(model).UseAiOrchestrator().Build(provider);
var cache = provider.GetRequiredService<AiResponseCache>();
Console.Error.WriteLine("ready");

while (Console.ReadLine() is { } line)
{
    var space = line.IndexOf(' ', StringComparison.Ordinal);
    var organization = line[..space];
    var question = line[(space + 1)..];
    var before = Volatile.Read(ref calls);
    var options = new ChatOptions { AdditionalProperties = new() { [AiScopeKeys.Organization] = organization } };
    var response = await client.GetResponseAsync(question, options);
    await cache.FlushAsync();
    var hit = Volatile.Read(ref calls) == before ? "hit" : "miss";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{hit} {Volatile.Read(ref calls)} {response.Text}"));
    Console.Out.Flush();
}

return 0;

/// <summary>A provider that names the process and the organisation that asked in its answer.</summary>
internal sealed class AnsweringClient(string name, Action counted) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        counted();
        var organization = options?.AdditionalProperties?.TryGetValue(AiScopeKeys.Organization, out var o) == true ? o : "?";
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"{name} answered {organization}: {messages.Last().Text}"))
        {
            ModelId = "gpt-4o-2024-08-06",
            Usage = new UsageDetails { InputTokenCount = 1_000, OutputTokenCount = 200, TotalTokenCount = 1_200 },
        });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("openai", new Uri("https://api.openai.com/v1"), "gpt-4o") : null;

    public void Dispose()
    {
    }
}
