using AiOrchestrator.Http.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Http.Tests.Pipeline;

/// <summary>
/// The budget stage must run once per logical call (outside retries) and the metering stage once per attempt
/// (inside them), whichever order the app registers the handlers in.
/// </summary>
public class HandlerOrderTests
{
    private static List<string> Chain(Action<IHttpClientBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddAiOrchestrator(o => o.StorePath = ":memory:");
        configure(services.AddHttpClient("llm"));
        using var provider = services.BuildServiceProvider();
        var chain = new List<string>();
        for (var handler = provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler("llm"); handler is DelegatingHandler delegating; handler = delegating.InnerHandler)
        {
            chain.Add(delegating.GetType().Name);
        }

        return chain;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Budget_stage_is_outside_and_metering_stage_inside_the_standard_resilience_handler_in_either_order(bool aiOrchestratorFirst)
    {
        var chain = Chain(builder =>
        {
            if (aiOrchestratorFirst)
            {
                builder.AddAiOrchestratorHandler();
                builder.AddStandardResilienceHandler();
            }
            else
            {
                builder.AddStandardResilienceHandler();
                builder.AddAiOrchestratorHandler();
            }
        });

        var budget = chain.IndexOf(nameof(AiCallHandler));
        var resilience = chain.FindIndex(name => name.Contains("Resilience", StringComparison.Ordinal));
        var metering = chain.IndexOf(nameof(AttemptHandler));
        resilience.Should().BeGreaterThan(-1, "the chain is {0}", string.Join(" > ", chain));
        budget.Should().BeInRange(0, resilience - 1, "the chain is {0}", string.Join(" > ", chain));
        metering.Should().BeGreaterThan(resilience, "the chain is {0}", string.Join(" > ", chain));
    }

    [Fact]
    public void Budget_stage_is_outside_an_app_handler_added_later_and_metering_stage_inside_it()
    {
        var chain = Chain(builder => builder.AddAiOrchestratorHandler().AddHttpMessageHandler(() => new AppHandler()));

        chain.IndexOf(nameof(AiCallHandler)).Should().BeLessThan(chain.IndexOf(nameof(AppHandler)));
        chain.IndexOf(nameof(AttemptHandler)).Should().BeGreaterThan(chain.IndexOf(nameof(AppHandler)));
    }

    [Fact]
    public void Adding_the_handler_twice_adds_each_stage_once()
    {
        var chain = Chain(builder => builder.AddAiOrchestratorHandler().AddAiOrchestratorHandler());

        chain.Should().ContainSingle(name => name == nameof(AiCallHandler));
        chain.Should().ContainSingle(name => name == nameof(AttemptHandler));
    }

    [Fact]
    public void Creating_the_client_without_the_core_services_says_what_to_register()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("llm").AddAiOrchestratorHandler();
        using var provider = services.BuildServiceProvider();

        var create = () => provider.GetRequiredService<IHttpClientFactory>().CreateClient("llm");

        create.Should().Throw<InvalidOperationException>().WithMessage("*services.AddAiOrchestrator()*");
    }

    [Fact]
    public void An_invalid_default_max_output_tokens_fails_with_a_message_naming_the_setting()
    {
        var services = new ServiceCollection();
        services.AddAiOrchestrator(o => o.StorePath = ":memory:");
        services.AddHttpClient("llm").AddAiOrchestratorHandler(o => o.DefaultMaxOutputTokens = 0);
        using var provider = services.BuildServiceProvider();

        var create = () => provider.GetRequiredService<IHttpClientFactory>().CreateClient("llm");

        create.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*DefaultMaxOutputTokens*'llm'*");
    }

    private sealed class AppHandler : DelegatingHandler;
}
