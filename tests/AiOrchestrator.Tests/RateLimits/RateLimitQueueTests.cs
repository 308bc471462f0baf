using AiOrchestrator.RateLimits;
using static AiOrchestrator.Tests.RateLimits.RateLimitTestHost;

namespace AiOrchestrator.Tests.RateLimits;

/// <summary>Refused calls may wait in a bounded queue, first in first out, and leave it when cancelled.</summary>
public class RateLimitQueueTests
{
    private static readonly AiScope Alice = RateLimitTestHost.Alice;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static RateLimitTestHost Host(int queueLimit) => new(o =>
    {
        o.QueueLimit = queueLimit;
        o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Requests = 1 });
    });

    [Fact]
    public async Task Waiting_calls_are_admitted_in_arrival_order_as_the_window_slides()
    {
        using var host = Host(queueLimit: 2);
        await host.Request(Alice);
        var second = host.Request(Alice).AsTask();
        var third = host.Request(Alice).AsTask();

        var full = Refusal(host.Request(Alice));
        full.QueueFull.Should().BeTrue();
        full.RetryAfter.Should().Be(TimeSpan.FromSeconds(61));
        full.Message.Should().Contain("queue");
        second.IsCompleted.Should().BeFalse();

        host.Time.Advance(TimeSpan.FromSeconds(61));
        var admitted = await second.WaitAsync(Patience);
        admitted.QueueTime.Should().Be(TimeSpan.FromSeconds(61));
        third.IsCompleted.Should().BeFalse("it waits for the next window");

        host.Time.Advance(TimeSpan.FromSeconds(61));
        (await third.WaitAsync(Patience)).QueueTime.Should().Be(TimeSpan.FromSeconds(122));
    }

    [Fact]
    public async Task A_new_call_does_not_pass_ahead_of_a_waiting_one()
    {
        using var host = new RateLimitTestHost(o =>
        {
            o.QueueLimit = 5;
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Tokens = 100 });
        });
        await host.Tokens(Alice, 60);
        var big = host.Tokens(Alice, 80).AsTask();

        var small = host.Tokens(Alice, 10).AsTask();

        small.IsCompleted.Should().BeFalse("10 tokens would fit, but a call asking for 80 waits ahead of it");
        host.Time.Advance(TimeSpan.FromSeconds(61));
        await big.WaitAsync(Patience);
        await small.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_cancelled_call_leaves_the_queue_and_frees_its_place()
    {
        using var host = Host(queueLimit: 1);
        await host.Request(Alice);
        using var cancel = new CancellationTokenSource();
        var waiting = host.Limiter.AcquireRequestAsync(Alice, null, cancel.Token).AsTask();
        Refusal(host.Request(Alice)).QueueFull.Should().BeTrue();

        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => waiting.WaitAsync(Patience)).Should().ThrowAsync<OperationCanceledException>();
        var next = host.Request(Alice).AsTask();
        next.IsCompleted.Should().BeFalse("it took the free place in the queue");
        host.Time.Advance(TimeSpan.FromSeconds(61));
        await next.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_waiting_call_is_woken_when_a_settled_call_gives_tokens_back()
    {
        using var host = new RateLimitTestHost(o =>
        {
            o.QueueLimit = 1;
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Team, Tokens = 1_000 });
        });
        var first = await host.Tokens(Alice, 1_000);
        var waiting = host.Tokens(RateLimitTestHost.Bob, 500).AsTask();
        waiting.IsCompleted.Should().BeFalse();

        first.Settle(actualTokens: 400, actualCost: 0m);

        var permit = await waiting.WaitAsync(Patience);
        permit.QueueTime.Should().Be(TimeSpan.Zero, "no virtual time passed");
    }

    [Fact]
    public async Task Without_a_queue_a_refusal_comes_at_once()
    {
        using var host = Host(queueLimit: 0);
        await host.Request(Alice);

        var refusal = Refusal(host.Request(Alice));

        refusal.QueueFull.Should().BeFalse();
        refusal.RetryAfter.Should().Be(TimeSpan.FromSeconds(61));
    }
}
