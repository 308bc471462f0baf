using AiOrchestrator.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Tests.Caching;

#pragma warning disable AIOEXP001

/// <summary>The exact response cache in the <c>IChatClient</c> pipeline.</summary>
public class ChatCacheTests
{
    private const string Question = "What is the capital of France?";

    // gpt-4o: 600 x 2.5 + 400 x 1.25 + 200 x 10 = 4,000 per million.
    private const decimal AnswerCost = 0.004m;

    [Fact]
    public async Task A_repeated_request_is_answered_from_the_cache_with_its_usage_and_metered_as_cost_avoided()
    {
        await using var host = new CacheTestHost();

        var first = await host.Client.GetResponseAsync(Question);
        var second = await host.Client.GetResponseAsync(Question);

        host.ProviderCalls.Should().Be(1);
        second.Text.Should().Be(first.Text);
        second.ModelId.Should().Be("gpt-4o-2024-08-06");
        second.Usage!.InputTokenCount.Should().Be(1_000);
        second.Usage.OutputTokenCount.Should().Be(200);

        var records = await host.RecordsAsync();
        records.Should().HaveCount(2);
        var miss = records.Single(r => !r.CacheHit);
        var hit = records.Single(r => r.CacheHit);
        miss.Cost.Should().Be(Money.Usd(AnswerCost));
        hit.Cost.Should().Be(Money.Usd(0m));
        hit.CostAvoided.Should().Be(AnswerCost);
        hit.Usage.Should().Be(miss.Usage);
        hit.Model.Should().Be("gpt-4o-2024-08-06");
        hit.Provider.Should().Be("openai");
        hit.Scope.Organization.Should().Be("acme");
        hit.CallId.Should().NotBe(miss.CallId).And.NotBe(Guid.Empty);
    }

    [Fact]
    public async Task A_streamed_answer_is_replayed_chunk_by_chunk_with_its_usage()
    {
        await using var host = new CacheTestHost();

        var first = await host.Client.GetStreamingResponseAsync(Question).ToChatResponseAsync();
        var replayed = new List<ChatResponseUpdate>();
        await foreach (var update in host.Client.GetStreamingResponseAsync(Question))
        {
            replayed.Add(update);
        }

        host.ProviderCalls.Should().Be(1);
        replayed.Should().HaveCount(3, "two text chunks and the usage chunk");
        replayed.ToChatResponse().Text.Should().Be(first.Text);
        replayed.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details.InputTokenCount.Should().Be(1_000);

        // The same entry answers a non-streamed call, and the other way round.
        (await host.Client.GetResponseAsync(Question)).Text.Should().Be(first.Text);
        host.ProviderCalls.Should().Be(1);
        var hits = (await host.RecordsAsync()).Where(r => r.CacheHit).ToList();
        hits.Should().HaveCount(2).And.OnlyContain(r => r.CostAvoided == AnswerCost);
        hits.Should().ContainSingle(r => r.Streaming);
    }

    [Fact]
    public async Task Concurrent_identical_misses_make_one_provider_call()
    {
        await using var host = new CacheTestHost(delay: TimeSpan.FromMilliseconds(200));
        using var barrier = new Barrier(8);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            barrier.SignalAndWait();
            return await host.Client.GetResponseAsync(Question);
        })));

        host.ProviderCalls.Should().Be(1);
        answers.Select(a => a.Text).Distinct().Should().ContainSingle();
        var records = await host.RecordsAsync();
        records.Count(r => !r.CacheHit).Should().Be(1);
        records.Count(r => r.CacheHit).Should().Be(7);
    }

    [Fact]
    public async Task An_entry_expires_after_its_time_to_live()
    {
        await using var host = new CacheTestHost(cache: o =>
        {
            o.DefaultTimeToLive = TimeSpan.FromMinutes(10);
            o.TimeToLiveRules.Add(new CacheTimeToLiveRule { Organization = "globex", TimeToLive = TimeSpan.FromMinutes(1) });
        });

        await host.Client.GetResponseAsync(Question);
        host.Time.Advance(TimeSpan.FromMinutes(9));
        await host.Client.GetResponseAsync(Question);
        host.ProviderCalls.Should().Be(1);

        host.Time.Advance(TimeSpan.FromMinutes(1));
        await host.Client.GetResponseAsync(Question);
        host.ProviderCalls.Should().Be(2);

        // A rule gives globex a shorter lifetime.
        await host.Client.GetResponseAsync(Question, CacheTestHost.For("globex"));
        host.Time.Advance(TimeSpan.FromSeconds(61));
        await host.Client.GetResponseAsync(Question, CacheTestHost.For("globex"));
        host.ProviderCalls.Should().Be(4);
        host.Cache.TimeToLiveOf(new AiScope { Organization = "globex" }, "gpt-4o").Should().Be(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task One_tenant_never_receives_another_tenants_entry_unless_they_share_a_partition_on_purpose()
    {
        await using var host = new CacheTestHost(cache: o =>
        {
            o.PartitionRules.Add(new CachePartitionRule { Organization = "docs-a", Partition = "public-docs" });
            o.PartitionRules.Add(new CachePartitionRule { Organization = "docs-b", Partition = "public-docs" });
        });

        await host.Client.GetResponseAsync(Question, CacheTestHost.For("tenant-a"));
        await host.Client.GetResponseAsync(Question, CacheTestHost.For("tenant-b"));
        host.ProviderCalls.Should().Be(2);
        await host.Client.GetResponseAsync(Question, CacheTestHost.For("tenant-a"));
        host.ProviderCalls.Should().Be(2);

        await host.Client.GetResponseAsync(Question, CacheTestHost.For("docs-a"));
        await host.Client.GetResponseAsync(Question, CacheTestHost.For("docs-b"));
        host.ProviderCalls.Should().Be(3, "docs-a and docs-b opted in to one partition");

        host.Cache.PartitionOf(new AiScope { Organization = "tenant-a" }).Should().Be("org:tenant-a");
        host.Cache.PartitionOf(new AiScope { Organization = "docs-b" }).Should().Be("shared:public-docs");
        var hits = (await host.RecordsAsync()).Where(r => r.CacheHit).ToList();
        hits.Select(r => r.Scope.Organization).Should().BeEquivalentTo(["tenant-a", "docs-b"]);
    }

    [Fact]
    public async Task Entries_are_invalidated_by_organisation_by_model_and_all()
    {
        await using var host = new CacheTestHost();
        var other = new ChatOptions { ModelId = "gpt-4o-mini" };

        await host.Client.GetResponseAsync(Question);
        await host.Client.GetResponseAsync(Question, CacheTestHost.For("globex"));
        await host.Client.GetResponseAsync(Question, other);
        host.ProviderCalls.Should().Be(3);

        await host.Cache.InvalidateOrganizationAsync("globex");
        await host.Client.GetResponseAsync(Question);
        await host.Client.GetResponseAsync(Question, CacheTestHost.For("globex"));
        host.ProviderCalls.Should().Be(4, "only globex's entry was dropped");

        await host.Cache.InvalidateModelAsync("gpt-4o-mini");
        await host.Client.GetResponseAsync(Question, new ChatOptions { ModelId = "gpt-4o-mini" });
        await host.Client.GetResponseAsync(Question);
        host.ProviderCalls.Should().Be(5, "only the gpt-4o-mini entry was dropped");

        await host.Cache.InvalidateAllAsync();
        await host.Client.GetResponseAsync(Question);
        await host.Client.GetResponseAsync(Question, CacheTestHost.For("globex"));
        host.ProviderCalls.Should().Be(7);
    }

    [Fact]
    public async Task Calls_opt_out_per_call_when_sampled_and_when_a_tool_has_side_effects()
    {
        await using var host = new CacheTestHost(cache: o => o.ToolsWithSideEffects.Add("send_email"));
        var skip = new ChatOptions { AdditionalProperties = new() { [AiCacheKeys.NoCache] = true } };
        var sampled = new ChatOptions { Temperature = 0.7f };
        var email = new ChatOptions { Tools = [AIFunctionFactory.Create((string to) => to, "send_email")] };
        var marked = AIFunctionFactory.Create((int n) => n, new AIFunctionFactoryOptions { Name = "charge_card", AdditionalProperties = new Dictionary<string, object?> { [AiCacheKeys.SideEffects] = true } });
        var lookup = new ChatOptions { Tools = [AIFunctionFactory.Create((string city) => city, "weather")] };

        foreach (var options in new[] { skip, sampled, email, new ChatOptions { Tools = [marked] } })
        {
            await host.Client.GetResponseAsync(Question, options);
            await host.Client.GetResponseAsync(Question, options);
        }

        host.ProviderCalls.Should().Be(8);

        await host.Client.GetResponseAsync(Question, lookup);
        await host.Client.GetResponseAsync(Question, lookup);
        host.ProviderCalls.Should().Be(9, "a tool without side effects does not stop caching");
        (await host.RecordsAsync()).Where(r => r.CacheHit).Should().ContainSingle();
    }

    [Fact]
    public async Task Sampled_calls_are_cached_when_the_policy_says_so()
    {
        await using var host = new CacheTestHost(cache: o => o.SampledCalls = SamplingCachePolicy.Cache);
        await host.Client.GetResponseAsync(Question, new ChatOptions { Temperature = 0.7f });
        await host.Client.GetResponseAsync(Question, new ChatOptions { Temperature = 0.7f });
        host.ProviderCalls.Should().Be(1);
    }

    [Fact]
    public async Task A_hit_reserves_nothing_even_when_the_budget_is_spent()
    {
        await using var host = new CacheTestHost(budgets: b =>
        {
            b.StorePath = ":memory:";
            b.Wallets.Add(new AiOrchestrator.Budgets.WalletOptions { Id = "org:acme", Limit = 0.05m });
        });
        var ledger = host.Services.GetRequiredService<AiOrchestrator.Budgets.IBudgetLedger>();

        await host.Client.GetResponseAsync(Question);
        var spent = ledger.GetWallet(AiOrchestrator.Budgets.WalletId.ForOrganization("acme")).Spent;
        spent.Should().Be(Money.Usd(AnswerCost));

        // Spend the rest, so that any reservation would be refused; the hit still answers and books nothing.
        await ledger.AdjustAsync(AiOrchestrator.Budgets.WalletId.ForOrganization("acme"), Money.Usd(0.05m - AnswerCost), "spend-the-rest");
        var hit = await host.Client.GetResponseAsync(Question);

        hit.Text.Should().StartWith("Answer to:");
        host.ProviderCalls.Should().Be(1);
        ledger.GetWallet(AiOrchestrator.Budgets.WalletId.ForOrganization("acme")).Reserved.Should().Be(Money.Usd(0m));
        var refused = () => host.Client.GetResponseAsync("Another question");
        await refused.Should().ThrowAsync<AiOrchestrator.Budgets.BudgetExceededException>();
    }

    [Fact]
    public async Task A_caller_that_changes_its_answer_does_not_change_what_the_next_hit_receives()
    {
        await using var host = new CacheTestHost();
        var first = await host.Client.GetResponseAsync(Question);
        var hit = await host.Client.GetResponseAsync(Question);
        host.ProviderCalls.Should().Be(1);

        // Both callers mutate everything they can reach.
        foreach (var response in new[] { first, hit })
        {
            ((TextContent)response.Messages[0].Contents[0]).Text = "tampered";
            response.Messages[0].Contents.Add(new TextContent("more"));
            response.Messages.Add(new ChatMessage(ChatRole.User, "extra"));
            response.Usage!.InputTokenCount = 1;
            response.ModelId = "other";
        }

        var next = await host.Client.GetResponseAsync(Question);
        host.ProviderCalls.Should().Be(1);
        next.Text.Should().Be("Answer to: " + Question);
        next.Messages.Should().ContainSingle();
        next.Usage!.InputTokenCount.Should().Be(1_000);
        next.ModelId.Should().Be("gpt-4o-2024-08-06");
        next.Should().NotBeSameAs(hit);
    }

    [Fact]
    public async Task The_in_process_level_stays_within_its_size_limit_however_many_answers_are_kept()
    {
        const long limit = 64 * 1024;
        var memory = new MemoryCache(new MemoryCacheOptions { SizeLimit = limit, TrackStatistics = true });
        await using var host = new CacheTestHost(services: s => s.AddSingleton<IMemoryCache>(memory));
        for (var i = 0; i < 300; i++)
        {
            await host.Client.GetResponseAsync(Question + " " + new string('x', 500) + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await host.Cache.FlushAsync();
        memory.Compact(0); // let pending evictions run
        var stats = memory.GetCurrentStatistics()!;
        stats.CurrentEstimatedSize.Should().BeLessThanOrEqualTo(limit);
        stats.CurrentEntryCount.Should().BeGreaterThan(0).And.BeLessThan(300, "older answers were evicted to stay within the limit");
        host.ProviderCalls.Should().Be(300);
    }

    [Fact]
    public async Task A_cache_that_fails_sends_the_call_to_the_provider()
    {
        await using var host = new CacheTestHost(services: s => s.AddSingleton<HybridCache>(new FailingCache()));

        (await host.Client.GetResponseAsync(Question)).Text.Should().StartWith("Answer to:");
        await host.Cache.FlushAsync(); // the failed write is over: nothing is in flight to answer from
        (await host.Client.GetResponseAsync(Question)).Text.Should().StartWith("Answer to:");

        host.ProviderCalls.Should().Be(2);
        (await host.RecordsAsync()).Should().OnlyContain(r => !r.CacheHit);
    }

    [Fact]
    public async Task A_corrupt_entry_is_a_miss_and_is_replaced()
    {
        // Two processes share a second level; the entry one of them wrote is damaged there.
        var shared = new SharedDistributedCache();
        await using (var writer = new CacheTestHost(services: s => s.AddSingleton<IDistributedCache>(shared)))
        {
            await writer.Client.GetResponseAsync(Question);
            await writer.Cache.FlushAsync();
        }

        var key = CapturedKeys()[0];
        var stored = await shared.GetAsync(key);
        stored.Should().NotBeNull("the entry reached the second level");
        stored![stored.Length / 2] ^= 0xFF;
        await shared.SetAsync(key, stored);

        await using var host = new CacheTestHost(services: s => s.AddSingleton<IDistributedCache>(shared));
        using var errors = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "AiOrchestrator", "aiorchestrator.cache.errors");
        (await host.Client.GetResponseAsync(Question)).Text.Should().StartWith("Answer to:");
        host.ProviderCalls.Should().Be(1, "the damaged entry is not replayed");
        errors.GetMeasurementSnapshot().Should().Contain(m => (string?)m.Tags["aiorchestrator.cache.error"] == "corrupt");
        await host.Cache.FlushAsync();
        await host.Client.GetResponseAsync(Question);
        host.ProviderCalls.Should().Be(1, "the damaged entry was replaced by the fresh answer");
        (await shared.GetAsync(key)).Should().NotEqual(stored);
    }

    private static List<string> CapturedKeys(CacheTestHost? host = null)
    {
        _ = host;
        var key = ChatCacheKey.Build("org:acme", "gpt-4o", [new ChatMessage(ChatRole.User, Question)], null, out var k);
        key.Should().BeNull();
        return [k];
    }

    /// <summary>
    /// A second level shared by two hosts, as Redis would be (HybridCache ignores a bare in-memory distributed cache
    /// as its second level, so this one wraps it).
    /// </summary>
    private sealed class SharedDistributedCache : IDistributedCache
    {
        private readonly MemoryDistributedCache _inner = new(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions()));

        public byte[]? Get(string key) => _inner.Get(key);

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => _inner.GetAsync(key, token);

        public void Refresh(string key) => _inner.Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

        public void Remove(string key) => _inner.Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => _inner.Set(key, value, options);

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => _inner.SetAsync(key, value, options, token);
    }

    /// <summary>A second-level cache that is down: every operation throws.</summary>
    private sealed class FailingCache : HybridCache
    {
        public override ValueTask<T> GetOrCreateAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default)
            => throw new InvalidOperationException("The cache server is down.");

        public override ValueTask SetAsync<T>(string key, T value, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default)
            => throw new InvalidOperationException("The cache server is down.");

        public override ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) => throw new InvalidOperationException("The cache server is down.");

        public override ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) => throw new InvalidOperationException("The cache server is down.");
    }
}
