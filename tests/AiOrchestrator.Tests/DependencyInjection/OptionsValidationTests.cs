using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Tests.DependencyInjection;

public class OptionsValidationTests
{
    [Fact]
    public async Task Invalid_options_fail_at_start_with_messages_that_name_the_setting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAiOrchestrator(o =>
        {
            o.StorePath = " ";
            o.DefaultScope = new AiScope { Team = "no-org" };
        });
        using var host = builder.Build();

        var act = () => host.StartAsync();

        var error = (await act.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Failures.Should().Contain(f => f.Contains("AiOrchestrator:StorePath"));
        error.Failures.Should().Contain(f => f.Contains("AiOrchestrator:DefaultScope:Organization"));
    }

    [Fact]
    public void Options_are_bound_from_the_AiOrchestrator_configuration_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiOrchestrator:StorePath"] = ":memory:",
            ["AiOrchestrator:DefaultScope:Organization"] = "contoso",
            ["AiOrchestrator:DefaultScope:App"] = "portal",
            ["AiOrchestrator:TokenCounting"] = "Exact",
        }).Build();
        using var services = new ServiceCollection().AddAiOrchestrator(configuration).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<AiOrchestratorOptions>>().Value;

        options.StorePath.Should().Be(":memory:");
        options.DefaultScope.Organization.Should().Be("contoso");
        options.DefaultScope.App.Should().Be("portal");
        options.TokenCounting.Should().Be(global::AiOrchestrator.Tokens.TokenCountingMode.Exact);
    }

    [Fact]
    public void An_unknown_enum_value_in_configuration_is_reported()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiOrchestrator:TokenCounting"] = "Guess",
        }).Build();
        using var services = new ServiceCollection().AddAiOrchestrator(configuration).BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptions<AiOrchestratorOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle()
            .Which.Should().Be("AiOrchestrator:TokenCounting is 'Guess', which is not one of: Estimate, Exact.");
    }
}
