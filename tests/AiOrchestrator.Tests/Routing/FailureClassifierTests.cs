using System.Net;
using Anthropic.Exceptions;
using AiOrchestrator.Routing;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Tests.Routing;

public class FailureClassifierTests
{
    private static readonly FakeTimeProvider Time = new(RoutingTestHost.Start);

    private static FailureClassification Classify(Exception error, bool callerCancelled = false, bool timedOut = false)
        => FailureClassifier.Classify(error, callerCancelled, timedOut, Time);

    [Theory]
    [InlineData(429, RouteFailure.RateLimited)]
    [InlineData(408, RouteFailure.Timeout)]
    [InlineData(500, RouteFailure.ServerError)]
    [InlineData(502, RouteFailure.ServerError)]
    [InlineData(529, RouteFailure.ServerError)]
    public void Retryable_statuses(int status, RouteFailure failure)
    {
        var verdict = Classify(new HttpRequestException("x", null, (HttpStatusCode)status));
        verdict.Should().Be(new FailureClassification(true, failure, status, null, true));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(422)]
    public void Client_errors_are_not_retried(int status)
        => Classify(new HttpRequestException("x", null, (HttpStatusCode)status)).Retryable.Should().BeFalse();

    [Fact]
    public void Anthropic_sdk_exceptions_are_read_by_their_status_and_type()
    {
        Classify(new AnthropicRateLimitException(new HttpRequestException("x")) { StatusCode = HttpStatusCode.TooManyRequests, ResponseBody = "{}" })
            .Should().Match<FailureClassification>(v => v.Retryable && v.Failure == RouteFailure.RateLimited && v.StatusCode == 429);
        Classify(new AnthropicOverloadedException(new HttpRequestException("x")) { StatusCode = (HttpStatusCode)529, ResponseBody = "{}" })
            .Failure.Should().Be(RouteFailure.ServerError);
        Classify(new AnthropicBadRequestException(new HttpRequestException("x")) { StatusCode = HttpStatusCode.BadRequest, ResponseBody = "{}" })
            .Should().Match<FailureClassification>(v => !v.Retryable && v.StatusCode == 400);
        Classify(new AnthropicIOException("connection reset", new HttpRequestException("reset")))
            .Failure.Should().Be(RouteFailure.Connection);
        Classify(new AnthropicInvalidDataException("not json", null!))
            .Failure.Should().Be(RouteFailure.InvalidResponse);
    }

    [Fact]
    public void Cancellation_is_a_timeout_unless_the_caller_cancelled()
    {
        Classify(new OperationCanceledException(), callerCancelled: true).Retryable.Should().BeFalse();
        Classify(new OperationCanceledException(), timedOut: true).Failure.Should().Be(RouteFailure.Timeout);
        Classify(new TaskCanceledException("HttpClient.Timeout", new TimeoutException())).Failure.Should().Be(RouteFailure.Timeout);
        Classify(new TimeoutException()).Failure.Should().Be(RouteFailure.Timeout);
    }

    [Fact]
    public void Transport_and_garbage_are_retried_other_errors_are_not()
    {
        Classify(new HttpRequestException(HttpRequestError.ConnectionError, "refused")).Failure.Should().Be(RouteFailure.Connection);
        Classify(new HttpIOException(HttpRequestError.ResponseEnded, "ended")).Failure.Should().Be(RouteFailure.Connection);
        Classify(new System.Text.Json.JsonException("bad")).Failure.Should().Be(RouteFailure.InvalidResponse);
        Classify(new InvalidOperationException("wrapped", new HttpRequestException("x", null, HttpStatusCode.BadGateway))).Failure.Should().Be(RouteFailure.ServerError);
        Classify(new ArgumentException("bad argument")).Retryable.Should().BeFalse();
        Classify(new AiOrchestrator.Pricing.UnpricedModelException("openai", "gpt-9")).Retryable.Should().BeFalse();
    }

    [Fact]
    public void A_budget_refusal_tries_the_next_target_without_hurting_health()
        => Classify(new AiOrchestrator.Budgets.BudgetExceededException(AiOrchestrator.Budgets.WalletId.ForOrganization("acme"), new AiOrchestrator.Budgets.BudgetLimit(Money.Usd(1m), AiOrchestrator.Budgets.BudgetPeriod.Month), Money.Usd(1m), Money.Usd(0m), Money.Usd(0m), Money.Usd(0.5m), null))
            .Should().Match<FailureClassification>(v => v.Retryable && v.Failure == RouteFailure.Refused && !v.CountsAgainstHealth);

    [Theory]
    [InlineData("7", 7)]
    [InlineData("0.5", 0.5)]
    [InlineData("Mon, 02 Nov 2026 09:00:30 GMT", 30)]
    [InlineData("Mon, 02 Nov 2026 08:00:00 GMT", 0)]
    public void Retry_after_is_seconds_or_a_date(string value, double seconds)
        => FailureClassifier.ParseRetryAfter(value, Time).Should().Be(TimeSpan.FromSeconds(seconds));
}
