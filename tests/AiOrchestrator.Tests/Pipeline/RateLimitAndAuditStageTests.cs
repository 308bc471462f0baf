using System.Text;
using AiOrchestrator.Audit;
using AiOrchestrator.Metering;
using AiOrchestrator.RateLimits;
using AiOrchestrator.Tests.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Tests.Pipeline;

#pragma warning disable AIOEXP001

/// <summary>The rate-limit and audit stages in the <c>IChatClient</c> pipeline (<c>UseAiOrchestrator</c>).</summary>
public sealed class RateLimitAndAuditStageTests : IDisposable
{
    private const string Secret = "What is the capital of France? my-secret-question";
    private readonly string _auditDirectory = Path.Combine(Path.GetTempPath(), "aio-audit-stage-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_auditDirectory))
        {
            Directory.Delete(_auditDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task A_call_over_the_request_limit_is_refused_with_retry_after_and_never_sent_and_the_window_reopens()
    {
        await using var host = new CacheTestHost(services: s => s.AddRateLimits(configure: o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Organization = "acme", Requests = 2 })));

        await host.Client.GetResponseAsync("one", new ChatOptions { AdditionalProperties = new() { [AiOrchestrator.Caching.AiCacheKeys.NoCache] = true } });
        await host.Client.GetResponseAsync("two", new ChatOptions { AdditionalProperties = new() { [AiOrchestrator.Caching.AiCacheKeys.NoCache] = true } });
        var third = () => host.Client.GetResponseAsync("three", new ChatOptions { AdditionalProperties = new() { [AiOrchestrator.Caching.AiCacheKeys.NoCache] = true } });

        var refusal = (await third.Should().ThrowAsync<RateLimitExceededException>()).Which;
        refusal.Kind.Should().Be(RateLimitKind.Requests);
        refusal.RetryAfter.Should().NotBeNull().And.Subject.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(61), "a window and one of its slices at most");
        host.ProviderCalls.Should().Be(2);
        (await host.RecordsAsync()).Where(r => r.Outcome == CallOutcome.Rejected).Should().ContainSingle().Which.Cost.Amount.Should().Be(0m);

        host.Time.Advance(refusal.RetryAfter!.Value);
        await third();
        host.ProviderCalls.Should().Be(3);
    }

    [Fact]
    public async Task A_token_limit_counts_what_calls_used_and_a_cache_hit_takes_no_permit()
    {
        // Each answer uses 1,200 tokens; the limit holds three of them.
        await using var host = new CacheTestHost(services: s => s.AddRateLimits(configure: o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Organization = "acme", Tokens = 3_600 })));
        var bigEnough = new ChatOptions { MaxOutputTokens = 50 };

        await host.Client.GetResponseAsync("first question", bigEnough);
        await host.Client.GetResponseAsync("first question", bigEnough); // a hit
        await host.Client.GetResponseAsync("second question", bigEnough);
        await host.Client.GetResponseAsync("third question", bigEnough);
        var fourth = () => host.Client.GetResponseAsync("fourth question", bigEnough);

        (await fourth.Should().ThrowAsync<RateLimitExceededException>()).Which.Kind.Should().Be(RateLimitKind.Tokens);
        host.ProviderCalls.Should().Be(3);
    }

    [Fact]
    public async Task Every_attempt_and_every_hit_is_audited_under_its_call_id_without_any_text()
    {
        await using (var host = new CacheTestHost(services: s => s
            .AddAuditLog(configure: o => o.Directory = _auditDirectory)
            .AddRateLimits(configure: o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Organization = "globex", Requests = 1 }))))
        {
            await host.Client.GetResponseAsync(Secret);
            await host.Client.GetResponseAsync(Secret); // a hit
            await host.Client.GetResponseAsync("another question", CacheTestHost.For("globex"));
            var refused = () => host.Client.GetResponseAsync("a third question", CacheTestHost.For("globex"));
            await refused.Should().ThrowAsync<RateLimitExceededException>();

            var log = host.Services.GetRequiredService<AuditLog>();
            await log.FlushAsync();
            var entries = log.ReadEntries();
            var records = await host.RecordsAsync();

            entries.Select(e => e.Kind).Should().Equal(AuditEntryKind.Settled, AuditEntryKind.CacheHit, AuditEntryKind.Settled, AuditEntryKind.LimitRejected);
            entries.Select(e => e.CallId.Value).Should().BeSubsetOf(records.Select(r => r.CallId), "an entry and the usage record of its call share the call id");
            entries[0].Amount.Should().Be(records.Single(r => r.CallId == entries[0].CallId.Value).Cost.Amount).And.BeGreaterThan(0m);
            entries[3].Organization.Should().Be("globex");
            foreach (var entry in entries)
            {
                Encoding.UTF8.GetString(entry.ToCanonicalJson()).Should().NotContain("my-secret-question").And.NotContain("another question").And.NotContain("Answer to");
            }

            AuditVerifier.Verify(_auditDirectory).Failure.Should().Be(AuditFailure.None);
        }
    }

    [Fact]
    public async Task With_a_budget_the_reservation_and_the_settlement_are_audited_in_order()
    {
        await using var host = new CacheTestHost(
            budgets: o => o.Wallets.Add(new AiOrchestrator.Budgets.WalletOptions { Id = "org:acme", Limit = 10m }),
            services: s => s.AddAuditLog(configure: o => o.Directory = _auditDirectory));

        await host.Client.GetResponseAsync("What is the capital of Spain?", new ChatOptions { MaxOutputTokens = 500 });

        var log = host.Services.GetRequiredService<AuditLog>();
        await log.FlushAsync();
        var entries = log.ReadEntries();
        entries.Select(e => e.Kind).Should().Equal(AuditEntryKind.Reserved, AuditEntryKind.Settled);
        entries[0].CallId.Should().Be(entries[1].CallId);
        entries[0].Amount.Should().BeGreaterThan(entries[1].Amount!.Value, "the worst case was reserved and the cost settled");
        entries[1].Amount.Should().Be(0.004m);
    }

    [Fact]
    public async Task A_reload_of_the_rate_limits_is_audited_as_a_configuration_change()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiOrchestrator:RateLimits:Limits:0:Level"] = "Organization",
            ["AiOrchestrator:RateLimits:Limits:0:Organization"] = "acme",
            ["AiOrchestrator:RateLimits:Limits:0:Requests"] = "10",
        }).Build();
        await using var services = new ServiceCollection()
            .AddAiOrchestrator(o => o.StorePath = ":memory:")
            .AddAuditLog(configure: o => o.Directory = _auditDirectory)
            .AddRateLimits(configuration)
            .BuildServiceProvider();
        _ = services.GetRequiredService<ScopeRateLimiter>();

        configuration["AiOrchestrator:RateLimits:Limits:0:Requests"] = "20";
        configuration.Reload();

        var log = services.GetRequiredService<AuditLog>();
        await log.FlushAsync();
        var change = log.ReadEntries().Should().ContainSingle().Subject;
        change.Kind.Should().Be(AuditEntryKind.ConfigurationChanged);
        change.Attributes.Items.ToArray().Should().Contain(new KeyValuePair<AuditAttributeKey, string>(AuditAttributeKey.Setting, RateLimitOptions.SectionName));
    }

    [Fact]
    public async Task Wallet_administration_is_audited_once_accepted_and_a_refused_change_is_not()
    {
        await using var services = new ServiceCollection()
            .AddAiOrchestrator(o => o.StorePath = ":memory:")
            .AddAuditLog(configure: o => o.Directory = _auditDirectory)
            .AddBudgetLedger(configure: o => o.Wallets.Add(new AiOrchestrator.Budgets.WalletOptions { Id = "org:acme", Limit = 10m }))
            .BuildServiceProvider();
        var ledger = services.GetRequiredService<AiOrchestrator.Budgets.IBudgetLedger>();

        await ledger.TopUpAsync(AiOrchestrator.Budgets.WalletId.ForOrganization("acme"), Money.Usd(5m), "top-up-1");
        var unknown = async () => await ledger.TopUpAsync(AiOrchestrator.Budgets.WalletId.ForOrganization("nobody"), Money.Usd(5m), "top-up-2");
        await unknown.Should().ThrowAsync<AiOrchestrator.Budgets.UnknownWalletException>();

        var log = services.GetRequiredService<AuditLog>();
        await log.FlushAsync();
        var entry = log.ReadEntries().Should().ContainSingle().Subject;
        entry.Kind.Should().Be(AuditEntryKind.WalletAdministration);
        entry.Amount.Should().Be(5m);
        entry.Attributes.Items.ToArray().Should().Contain(new KeyValuePair<AuditAttributeKey, string>(AuditAttributeKey.Wallet, "org:acme"))
            .And.Contain(new KeyValuePair<AuditAttributeKey, string>(AuditAttributeKey.Setting, "top-up"));
    }
}
