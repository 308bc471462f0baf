using System.Text.Json.Nodes;
using AiOrchestrator.Budgets;
using AiOrchestrator.Http.Tests.TestDoubles;
using AiOrchestrator.Tests.Providers;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Http.Tests.Caching;

/// <summary>The response cache in the <c>HttpClient</c> pipeline: the same rules as the chat stage, over wire bytes.</summary>
public class HttpCacheTests
{
    private const string Url = "http://llm.test" + Requests.ChatPath;
    private static readonly OpenAIWireUsage Usage = new(PromptTokens: 1000, CompletionTokens: 200, CachedTokens: 400);

    // gpt-4o: 600 x 2.5 + 400 x 1.25 + 200 x 10 = 4,000 per million.
    private const decimal AnswerCost = 0.004m;

    private static HttpTestHost Host(CannedHandler handler, decimal? walletLimit = null)
        => new(handler, walletLimit, services: s => s.AddAiCache());

    private static async Task<(string Body, string? ContentType)> SendAsync(HttpTestHost host, string json, AiScope? scope = null, bool noCache = false)
    {
        using var request = Requests.Post(Url, json);
        if (scope is not null)
        {
            request.Options.Set(AiRequestOptions.Scope, scope);
        }

        if (noCache)
        {
            request.Options.Set(AiRequestOptions.NoCache, true);
        }

        using var response = await host.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_repeated_request_is_replayed_byte_for_byte_and_metered_as_cost_avoided()
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        await using var host = Host(handler);

        var first = await SendAsync(host, Requests.Chat("gpt-4o"));
        var second = await SendAsync(host, Requests.Chat("gpt-4o"));

        handler.Requests.Should().ContainSingle();
        second.Should().Be(first);
        second.ContentType.Should().Be(LlmServer.Json);
        var records = await host.RecordsAsync();
        records.Single(r => !r.CacheHit).Cost.Should().Be(Money.Usd(AnswerCost));
        var hit = records.Single(r => r.CacheHit);
        hit.Cost.Amount.Should().Be(0m);
        hit.CostAvoided.Should().Be(AnswerCost);
        hit.Usage.InputTokens.Should().Be(1000);
        hit.Model.Should().Be("gpt-4o-2024-08-06");
    }

    [Fact]
    public async Task A_streamed_response_is_replayed_event_for_event_with_its_usage()
    {
        var sse = OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", ["Forty", "-two."], Usage);
        var handler = new CannedHandler(sse, LlmServer.EventStream, chunkSize: 64);
        await using var host = Host(handler);

        var first = await SendAsync(host, Requests.Chat("gpt-4o", stream: true));
        var second = await SendAsync(host, Requests.Chat("gpt-4o", stream: true));

        handler.Requests.Should().ContainSingle();
        first.Body.Should().Be(sse);
        second.Body.Should().Be(sse, "the usage event is replayed with the rest");
        second.ContentType.Should().Be(LlmServer.EventStream);
        (await host.RecordsAsync()).Single(r => r.CacheHit).CostAvoided.Should().Be(AnswerCost);
    }

    [Fact]
    public async Task Tenants_never_share_entries_and_streamed_and_buffered_requests_are_kept_apart()
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        await using var host = Host(handler);

        await SendAsync(host, Requests.Chat("gpt-4o"), new AiScope { Organization = "tenant-a" });
        await SendAsync(host, Requests.Chat("gpt-4o"), new AiScope { Organization = "tenant-b" });
        await SendAsync(host, Requests.Chat("gpt-4o"), new AiScope { Organization = "tenant-a", Team = "other-team" });

        handler.Requests.Should().HaveCount(2, "tenant-b never gets tenant-a's entry; a team of tenant-a shares its organisation's");
        var hit = (await host.RecordsAsync()).Single(r => r.CacheHit);
        hit.Scope.Organization.Should().Be("tenant-a");
        hit.Scope.Team.Should().Be("other-team");
    }

    [Fact]
    public async Task The_key_ignores_fields_that_do_not_change_the_answer_and_keeps_those_that_do()
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        await using var host = Host(handler);
        var plain = JsonNode.Parse(Requests.Chat("gpt-4o"))!.AsObject();
        var tagged = plain.DeepClone().AsObject();
        tagged["user"] = "someone";
        tagged["metadata"] = new JsonObject { ["trace"] = "x" };
        var tools = plain.DeepClone().AsObject();
        tools["tools"] = new JsonArray(new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = "weather", ["parameters"] = new JsonObject { ["type"] = "object" } },
        });
        var otherSchema = tools.DeepClone().AsObject();
        otherSchema["tools"]![0]!["function"]!["parameters"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["city"] = new JsonObject { ["type"] = "string" } } };

        await SendAsync(host, plain.ToJsonString());
        await SendAsync(host, tagged.ToJsonString());
        handler.Requests.Should().HaveCount(1, "user and metadata do not change the answer");

        await SendAsync(host, tools.ToJsonString());
        await SendAsync(host, otherSchema.ToJsonString());
        await SendAsync(host, otherSchema.ToJsonString());
        handler.Requests.Should().HaveCount(3, "tool definitions, schemas included, are part of the key");
    }

    [Fact]
    public async Task A_request_can_skip_the_cache_and_sampled_requests_skip_it_by_default()
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        await using var host = Host(handler);
        var sampled = JsonNode.Parse(Requests.Chat("gpt-4o"))!.AsObject();
        sampled["temperature"] = 0.8;

        await SendAsync(host, Requests.Chat("gpt-4o"), noCache: true);
        await SendAsync(host, Requests.Chat("gpt-4o"), noCache: true);
        await SendAsync(host, sampled.ToJsonString());
        await SendAsync(host, sampled.ToJsonString());

        handler.Requests.Should().HaveCount(4);
        (await host.RecordsAsync()).Should().OnlyContain(r => !r.CacheHit);
    }

    [Fact]
    public async Task A_hit_reserves_nothing()
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        await using var host = Host(handler, walletLimit: 1m);

        await SendAsync(host, Requests.Chat("gpt-4o"));
        await SendAsync(host, Requests.Chat("gpt-4o"));
        await SendAsync(host, Requests.Chat("gpt-4o"));

        var history = await host.HistoryAsync();
        history.Count(t => t.Kind == WalletTransactionKind.Reserve).Should().Be(1);
        host.Wallet.Spent.Should().Be(Money.Usd(AnswerCost));
        host.Wallet.Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task Entries_expire_and_are_invalidated_by_the_same_rules_as_in_the_chat_pipeline()
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        await using var host = new HttpTestHost(handler, services: s => s.AddAiCache(configure: o => o.DefaultTimeToLive = TimeSpan.FromMinutes(5)));
#pragma warning disable AIOEXP001
        var cache = host.Services.GetRequiredService<AiOrchestrator.Caching.AiResponseCache>();
#pragma warning restore AIOEXP001

        await SendAsync(host, Requests.Chat("gpt-4o"));
        host.Time.Advance(TimeSpan.FromMinutes(4));
        await SendAsync(host, Requests.Chat("gpt-4o"));
        handler.Requests.Should().HaveCount(1);

        host.Time.Advance(TimeSpan.FromMinutes(1));
        await SendAsync(host, Requests.Chat("gpt-4o"));
        handler.Requests.Should().HaveCount(2, "the entry lived five minutes");

        // HybridCache drops entries written up to the moment of an invalidation, on the host's clock: move it on.
        await cache.InvalidateOrganizationAsync("acme");
        host.Time.Advance(TimeSpan.FromSeconds(1));
        await SendAsync(host, Requests.Chat("gpt-4o"));
        handler.Requests.Should().HaveCount(3, "the organisation's entries were dropped");

        await cache.InvalidateModelAsync("gpt-4o");
        host.Time.Advance(TimeSpan.FromSeconds(1));
        await SendAsync(host, Requests.Chat("gpt-4o"));
        await SendAsync(host, Requests.Chat("gpt-4o"));
        handler.Requests.Should().HaveCount(4, "the model's entries were dropped, and the next answer was cached again");
    }
}
