using AiOrchestrator.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Routing.Targets;

namespace AiOrchestrator.Tests.Routing;

public class CircuitBreakerTests
{
    private static readonly ChatOptions Smart = new() { ModelId = "smart" };
    private readonly FakeTimeProvider _time = new(RoutingTestHost.Start);

    private CircuitBreaker Breaker(int consecutive = 3, double ratio = 0.5, int throughput = 10) => new(
        new CircuitBreakerOptions { ConsecutiveFailures = consecutive, FailureRatio = ratio, MinimumThroughput = throughput, BreakDuration = TimeSpan.FromSeconds(30), SamplingDuration = TimeSpan.FromSeconds(60) },
        _time);

    [Fact]
    public void Consecutive_failures_open_the_circuit_then_one_probe_is_let_through_after_the_break_and_success_closes_it()
    {
        var breaker = Breaker();
        breaker.OnFailure(_time.GetTimestamp(), null).Should().BeFalse();
        breaker.OnSuccess(_time.GetTimestamp());
        breaker.OnFailure(_time.GetTimestamp(), null).Should().BeFalse();
        breaker.OnFailure(_time.GetTimestamp(), null).Should().BeFalse();
        breaker.OnFailure(_time.GetTimestamp(), null).Should().BeTrue("three in a row");
        breaker.State.Should().Be(CircuitState.Open);
        breaker.TryAcquire(_time.GetTimestamp()).Should().BeFalse();

        _time.Advance(TimeSpan.FromSeconds(29));
        breaker.TryAcquire(_time.GetTimestamp()).Should().BeFalse();
        _time.Advance(TimeSpan.FromSeconds(1));
        breaker.TryAcquire(_time.GetTimestamp()).Should().BeTrue("the break is over: this call probes");
        breaker.State.Should().Be(CircuitState.HalfOpen);
        breaker.TryAcquire(_time.GetTimestamp()).Should().BeFalse("only one probe at a time");

        breaker.OnSuccess(_time.GetTimestamp());
        breaker.State.Should().Be(CircuitState.Closed);
        breaker.TryAcquire(_time.GetTimestamp()).Should().BeTrue();
    }

    [Fact]
    public void A_failed_probe_reopens_for_a_full_break_and_a_cancelled_probe_gives_the_probe_back()
    {
        var breaker = Breaker(consecutive: 1);
        breaker.OnFailure(_time.GetTimestamp(), null);
        _time.Advance(TimeSpan.FromSeconds(30));
        breaker.TryAcquire(_time.GetTimestamp()).Should().BeTrue();

        breaker.OnFailure(_time.GetTimestamp(), null).Should().BeTrue();
        breaker.State.Should().Be(CircuitState.Open);
        _time.Advance(TimeSpan.FromSeconds(20));
        breaker.TryAcquire(_time.GetTimestamp()).Should().BeFalse();
        _time.Advance(TimeSpan.FromSeconds(10));
        breaker.TryAcquire(_time.GetTimestamp()).Should().BeTrue();

        breaker.OnNeutral(_time.GetTimestamp());
        breaker.TryAcquire(_time.GetTimestamp()).Should().BeTrue("the cancelled probe said nothing, so the next call probes");
    }

    [Fact]
    public void A_lost_probe_does_not_keep_the_target_out_for_ever()
    {
        var breaker = Breaker(consecutive: 1);
        breaker.OnFailure(_time.GetTimestamp(), null);
        _time.Advance(TimeSpan.FromSeconds(30));
        breaker.TryAcquire(_time.GetTimestamp()).Should().BeTrue();

        _time.Advance(TimeSpan.FromSeconds(30));
        breaker.TryAcquire(_time.GetTimestamp()).Should().BeTrue();
    }

    [Fact]
    public void A_failure_ratio_in_the_window_opens_the_circuit_once_there_is_enough_traffic()
    {
        var breaker = Breaker(consecutive: 0, ratio: 0.5, throughput: 10);
        for (var i = 0; i < 4; i++)
        {
            breaker.OnSuccess(_time.GetTimestamp());
            breaker.OnFailure(_time.GetTimestamp(), null).Should().BeFalse();
        }

        breaker.OnSuccess(_time.GetTimestamp());
        breaker.OnFailure(_time.GetTimestamp(), null).Should().BeTrue("5 of 10 calls failed");
    }

    [Fact]
    public void The_window_forgets_old_calls()
    {
        var breaker = Breaker(consecutive: 0, ratio: 0.5, throughput: 4);
        breaker.OnFailure(_time.GetTimestamp(), null);
        breaker.OnFailure(_time.GetTimestamp(), null);
        breaker.OnSuccess(_time.GetTimestamp());
        _time.Advance(TimeSpan.FromSeconds(61));

        breaker.OnSuccess(_time.GetTimestamp());
        breaker.OnSuccess(_time.GetTimestamp());
        breaker.OnSuccess(_time.GetTimestamp());
        breaker.OnFailure(_time.GetTimestamp(), null).Should().BeFalse("1 of 4 in the new window");
    }

    [Fact]
    public void A_retry_after_opens_the_circuit_for_that_long_capped()
    {
        var breaker = Breaker();
        breaker.OnFailure(_time.GetTimestamp(), TimeSpan.FromSeconds(5)).Should().BeTrue();
        _time.Advance(TimeSpan.FromSeconds(4));
        breaker.TryAcquire(_time.GetTimestamp()).Should().BeFalse();
        _time.Advance(TimeSpan.FromSeconds(1));
        breaker.TryAcquire(_time.GetTimestamp()).Should().BeTrue();

        var capped = new CircuitBreaker(new CircuitBreakerOptions { MaxRetryAfter = TimeSpan.FromSeconds(10) }, _time);
        capped.OnFailure(_time.GetTimestamp(), TimeSpan.FromHours(1));
        _time.Advance(TimeSpan.FromSeconds(10));
        capped.TryAcquire(_time.GetTimestamp()).Should().BeTrue();
    }

    [Fact]
    public async Task The_router_skips_an_open_target_and_probes_it_again_after_the_break()
    {
        var flaky = Failing(Status(503));
        var backup = Answering("backup", "claude-sonnet-4-5", "anthropic");
        await using var host = new RoutingTestHost(o =>
        {
            Alias("smart", RoutingStrategy.Priority, Target("flaky", flaky, "gpt-4o"), Target("backup", backup, "claude-sonnet-4-5"))(o);
            o.CircuitBreaker.ConsecutiveFailures = 2;
            o.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(30);
        });

        await host.Client.GetResponseAsync("hi", Smart);
        await host.Client.GetResponseAsync("hi", Smart);
        flaky.Calls.Should().Be(2);
        await host.Client.GetResponseAsync("hi", Smart);
        flaky.Calls.Should().Be(2, "its circuit is open");

        host.FakeTime.Advance(TimeSpan.FromSeconds(30));
        flaky.GetResponseAsyncCallback = (_, o, _) => Task.FromResult(Response("recovered", o!.ModelId!));
        (await host.Client.GetResponseAsync("hi", Smart)).Text.Should().Be("recovered");
        (await host.Client.GetResponseAsync("hi", Smart)).Text.Should().Be("recovered");
        flaky.Calls.Should().Be(4);
    }

    [Fact]
    public async Task When_every_circuit_is_open_the_call_fails_fast_and_says_when_to_retry()
    {
        var only = Failing(Status(500));
        await using var host = new RoutingTestHost(o =>
        {
            Alias("smart", RoutingStrategy.Priority, Target("only", only, "gpt-4o"))(o);
            o.CircuitBreaker.ConsecutiveFailures = 1;
        });
        await FluentActions.Awaiting(() => host.Client.GetResponseAsync("hi", Smart)).Should().ThrowAsync<AllTargetsFailedException>();

        var error = (await FluentActions.Awaiting(() => host.Client.GetResponseAsync("hi", Smart)).Should().ThrowAsync<AllTargetsFailedException>()).Which;

        only.Calls.Should().Be(1);
        error.Attempts.Should().ContainSingle().Which.Failure.Should().Be(RouteFailure.CircuitOpen);
        error.RetryAfter.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_client_error_does_not_count_against_health()
    {
        var strict = Failing(Status(400));
        await using var host = new RoutingTestHost(o =>
        {
            Alias("smart", RoutingStrategy.Priority, Target("strict", strict, "gpt-4o"))(o);
            o.CircuitBreaker.ConsecutiveFailures = 1;
        });

        for (var i = 0; i < 3; i++)
        {
            await FluentActions.Awaiting(() => host.Client.GetResponseAsync("hi", Smart)).Should().ThrowAsync<HttpRequestException>();
        }

        strict.Calls.Should().Be(3);
    }
}
