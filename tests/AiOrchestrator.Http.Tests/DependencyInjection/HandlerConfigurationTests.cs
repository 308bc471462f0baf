using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Http.Tests.DependencyInjection;

/// <summary>The handler options of a named client bind strictly from AiOrchestrator:HttpClients:&lt;name&gt;.</summary>
public class HandlerConfigurationTests
{
    private static ServiceProvider Services(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, s.Value))).Build();
        var services = new ServiceCollection();
        services.AddAiOrchestrator(o => o.StorePath = ":memory:");
        services.AddHttpClient("llm").AddAiOrchestratorHandler(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Options_are_bound_from_the_client_section()
    {
        using var services = Services(("AiOrchestrator:HttpClients:llm:Provider", "groq"), ("AiOrchestrator:HttpClients:llm:DefaultMaxOutputTokens", "1024"));

        services.GetRequiredService<IStartupValidator>().Validate();
        var options = services.GetRequiredService<IOptionsMonitor<AiHttpHandlerOptions>>().Get("llm");

        options.Provider.Should().Be("groq");
        options.DefaultMaxOutputTokens.Should().Be(1024);
    }

    [Theory]
    [InlineData("DefaultMaxOutputTokens", "4k", "AiOrchestrator:HttpClients:llm:DefaultMaxOutputTokens is '4k', which is not a whole number")]
    [InlineData("Provder", "groq", "AiOrchestrator:HttpClients:llm:Provder is not a setting of AiHttpHandlerOptions, so it would be ignored. Did you mean 'Provider'?")]
    public void A_bad_key_or_value_fails_at_start_naming_it(string key, string value, string message)
    {
        using var services = Services(($"AiOrchestrator:HttpClients:llm:{key}", value));

        var start = () => services.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle().Which.Should().StartWith(message);
    }

    [Fact]
    public void A_missing_client_section_is_named()
    {
        using var services = Services(("AiOrchestrator:HttpClients:lm:Provider", "groq"));

        var start = () => services.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().Which.Message.Should()
            .Contain("found no 'AiOrchestrator:HttpClients:llm' section")
            .And.Contain("'lm' looks like a misspelling of 'llm'");
    }
}
