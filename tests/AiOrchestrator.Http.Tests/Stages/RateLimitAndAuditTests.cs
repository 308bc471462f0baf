using System.Text;
using AiOrchestrator.Audit;
using AiOrchestrator.Http.Tests.TestDoubles;
using AiOrchestrator.Metering;
using AiOrchestrator.RateLimits;
using AiOrchestrator.Tests.Providers;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Http.Tests.Stages;

#pragma warning disable AIOEXP001

/// <summary>The rate-limit and audit stages in the <c>HttpClient</c> pipeline: the same stages as the chat pipeline's.</summary>
public sealed class RateLimitAndAuditTests : IDisposable
{
    private const string Url = "http://llm.test" + Requests.ChatPath;
    private static readonly OpenAIWireUsage Usage = new(PromptTokens: 1000, CompletionTokens: 200, CachedTokens: 400);
    private readonly string _auditDirectory = Path.Combine(Path.GetTempPath(), "aio-http-audit-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_auditDirectory))
        {
            Directory.Delete(_auditDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task A_request_over_the_limit_is_refused_with_retry_after_never_sent_and_audited_with_the_others()
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        await using (var host = new HttpTestHost(handler, services: s => s
            .AddRateLimits(configure: o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Organization = "acme", Requests = 2 }))
            .AddAuditLog(configure: o => o.Directory = _auditDirectory)))
        {
            for (var i = 0; i < 2; i++)
            {
                using var response = await host.Client.SendAsync(Requests.Post(Url, Requests.Chat("gpt-4o")));
                response.EnsureSuccessStatusCode();
            }

            var third = () => host.Client.SendAsync(Requests.Post(Url, Requests.Chat("gpt-4o")));
            var refusal = (await third.Should().ThrowAsync<RateLimitExceededException>()).Which;
            refusal.Kind.Should().Be(RateLimitKind.Requests);
            refusal.RetryAfter.Should().NotBeNull();
            handler.Requests.Should().HaveCount(2, "the refused request was never sent");

            var records = await host.RecordsAsync();
            records.Should().ContainSingle(r => r.Outcome == CallOutcome.Rejected).Which.Cost.Amount.Should().Be(0m);

            var log = host.Services.GetRequiredService<AuditLog>();
            await log.FlushAsync();
            var entries = log.ReadEntries();
            entries.Select(e => e.Kind).Should().Equal(AuditEntryKind.Settled, AuditEntryKind.Settled, AuditEntryKind.LimitRejected);
            entries.Select(e => e.CallId.Value).Should().BeSubsetOf(records.Select(r => r.CallId));
            entries[0].Amount.Should().Be(0.004m);
            entries.Should().OnlyContain(e => !Encoding.UTF8.GetString(e.ToCanonicalJson()).Contains("Forty-two", StringComparison.Ordinal));
        }

        AuditVerifier.Verify(_auditDirectory).Failure.Should().Be(AuditFailure.None);
    }

    [Fact]
    public async Task A_token_limit_counts_the_tokens_requests_used()
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        await using var host = new HttpTestHost(handler, services: s => s
            .AddRateLimits(configure: o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Organization = "acme", Tokens = 2_500 })));

        // Each call is counted at its worst case (input bound + 50 output tokens) and settled at 1,200 tokens used.
        for (var i = 0; i < 2; i++)
        {
            using var response = await host.Client.SendAsync(Requests.Post(Url, Requests.Chat("gpt-4o", maxTokens: 50)));
            response.EnsureSuccessStatusCode();
        }

        var third = () => host.Client.SendAsync(Requests.Post(Url, Requests.Chat("gpt-4o", maxTokens: 50)));
        (await third.Should().ThrowAsync<RateLimitExceededException>()).Which.Kind.Should().Be(RateLimitKind.Tokens);
        handler.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_cache_hit_is_audited_under_its_own_call_id()
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "Forty-two.", Usage), LlmServer.Json);
        await using var host = new HttpTestHost(handler, services: s => s.AddAiCache().AddAuditLog(configure: o => o.Directory = _auditDirectory));

        for (var i = 0; i < 2; i++)
        {
            using var response = await host.Client.SendAsync(Requests.Post(Url, Requests.Chat("gpt-4o")));
            response.EnsureSuccessStatusCode();
        }

        handler.Requests.Should().ContainSingle();
        var log = host.Services.GetRequiredService<AuditLog>();
        await log.FlushAsync();
        var entries = log.ReadEntries();
        entries.Select(e => e.Kind).Should().Equal(AuditEntryKind.Settled, AuditEntryKind.CacheHit);
        entries[0].CallId.Should().NotBe(entries[1].CallId);
        var hit = (await host.RecordsAsync()).Should().ContainSingle(r => r.CacheHit).Subject;
        entries[1].CallId.Value.Should().Be(hit.CallId);
    }
}
