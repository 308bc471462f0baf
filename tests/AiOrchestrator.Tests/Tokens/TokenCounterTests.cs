using AiOrchestrator.Tokens;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Tests.Tokens;

public class TokenCounterTests
{
    private static readonly ChatMessage[] Messages =
    [
        new(ChatRole.System, "You answer in one sentence."),
        new(ChatRole.User, "Which planet is the largest in the solar system?"),
    ];

    [Fact]
    public void Estimate_is_the_default_mode()
    {
        default(TokenCountingMode).Should().Be(TokenCountingMode.Estimate);
        TokenCounter.For(default).Mode.Should().Be(TokenCountingMode.Estimate);
        TokenCounter.For(TokenCountingMode.Exact).Mode.Should().Be(TokenCountingMode.Exact);
    }

    [Fact]
    public void The_two_modes_count_input_with_their_own_method()
    {
        TokenCounter.Exact.CountInputTokens(Messages, null, "gpt-4o")
            .Should().Be(ExactTokenCounter.CountInputTokens(Messages, null, "gpt-4o"));
        TokenCounter.Estimate.CountInputTokens(Messages, null, "gpt-4o")
            .Should().Be(TokenEstimator.EstimateInputTokens(Messages, null, "gpt-4o"))
            .And.BeGreaterThanOrEqualTo(TokenCounter.Exact.CountInputTokens(Messages, null, "gpt-4o"));
    }

    [Fact]
    public void Output_is_always_counted_with_the_tokenizer()
    {
        TokenCounter.Estimate.CountOutputTokens("hello world", "gpt-4o").Should().Be(2);
        TokenCounter.Exact.CountOutputTokens("hello world", "gpt-4o").Should().Be(2);
        TokenCounter.Exact.CountOutputTokens("", "gpt-4o").Should().Be(0);
    }

    [Fact]
    public void Rejects_an_undefined_mode_and_null_arguments()
    {
        var act = () => TokenCounter.For((TokenCountingMode)7);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Estimate*Exact*");
        ((Action)(() => TokenCounter.Estimate.CountOutputTokens(null!, "gpt-4o"))).Should().Throw<ArgumentNullException>();
        ((Action)(() => TokenEstimator.EstimateInputTokens(null!, null, "gpt-4o"))).Should().Throw<ArgumentNullException>();
    }
}
