using System.Text;
using AiOrchestrator.Safety;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Tests.Safety;

/// <summary>The safety settings bind strictly from configuration and are checked at start.</summary>
public class SafetyConfigurationTests
{
    private static IConfiguration Json(string json) => new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    [Fact]
    public async Task Settings_bind_from_the_safety_section_and_the_guard_uses_them()
    {
        var configuration = Json("""
            { "AiOrchestrator": { "Safety": {
                "Secrets": "Block",
                "Actions": { "IP_ADDRESS": "Log", "EMPLOYEE_ID": "Block" },
                "CustomTypes": [ "EMPLOYEE_ID" ],
                "InjectionThreshold": 0.7,
                "OutputPersonalData": "Redact",
                "Detection": { "AllowList": [ "support@example.com" ], "DenyList": [ "Project Falcon" ], "PhoneRegions": [ "GB", "de" ] },
                "ScopeRules": [ { "Name": "lab", "Team": "research", "InjectionAction": "Warn", "Actions": { "EMAIL": "Allow" } } ] } } }
            """);
        using var services = new ServiceCollection().AddSafety(configuration).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<SafetyOptions>>().Value;
        var guard = services.GetRequiredService<SafetyGuard>();

        options.Secrets.Should().Be(SafetyAction.Block);
        options.Actions.Should().Contain("IP_ADDRESS", SafetyAction.Log);
        options.InjectionThreshold.Should().Be(0.7);
        options.Detection.AllowList.Should().Equal("support@example.com");
        options.Detection.PhoneRegions.Should().Equal("GB", "de");
        options.ScopeRules.Should().ContainSingle().Which.Actions.Should().Contain("EMAIL", SafetyAction.Allow);
        var result = await guard.CheckInputAsync([new SafetyText("Ask support@example.com about Project Falcon", SafetyTextKind.User)]);
        result.Texts[0].Should().Be("Ask support@example.com about [DENIED_TERM_1]");
    }

    [Fact]
    public void Custom_detectors_and_injection_detectors_registered_in_di_are_used()
    {
        using var services = new ServiceCollection()
            .AddSingleton<ISensitiveDataDetector>(new FixedDetector())
            .AddSafety()
            .BuildServiceProvider();

        services.GetRequiredService<SensitiveDataScanner>().Detectors.Should().Contain(d => d.Name == "fixed");
        services.GetServices<IPromptInjectionDetector>().Should().ContainSingle().Which.Should().BeOfType<HeuristicPromptInjectionDetector>();
    }

    [Theory]
    [InlineData("\"Secret\": \"Block\"", "AiOrchestrator:Safety:Secret is not a setting")]
    [InlineData("\"Secrets\": \"Shred\"", "AiOrchestrator:Safety:Secrets is 'Shred'")]
    [InlineData("\"InjectionThreshold\": 1.5", "AiOrchestrator:Safety:InjectionThreshold is 1.5")]
    [InlineData("\"InjectionAction\": \"Redact\"", "AiOrchestrator:Safety:InjectionAction is 'Redact'")]
    [InlineData("\"Actions\": { \"EMAL\": \"Block\" }", "AiOrchestrator:Safety:Actions:EMAL names no known type")]
    [InlineData("\"Detection\": { \"AllowPatterns\": [ \"[a-z\" ] }", "AiOrchestrator:Safety:Detection:AllowPatterns:0 is not a valid regular expression")]
    [InlineData("\"Detection\": { \"PhoneRegions\": [ \"XX\" ] }", "AiOrchestrator:Safety:Detection:PhoneRegions:0 is 'XX'")]
    [InlineData("\"Detection\": { \"DisabledDetectors\": [ \"emails\" ] }", "AiOrchestrator:Safety:Detection:DisabledDetectors:0 is 'emails'")]
    [InlineData("\"Detection\": { \"MinimumConfidence\": 2 }", "AiOrchestrator:Safety:Detection:MinimumConfidence is 2")]
    [InlineData("\"ScopeRules\": [ { \"Secrets\": \"Block\" } ]", "AiOrchestrator:Safety:ScopeRules:0 names no Organization, Team, App or Feature")]
    [InlineData("\"CustomTypes\": [ \"employee id\" ]", "AiOrchestrator:Safety:CustomTypes:0 is 'employee id'")]
    public void A_setting_that_is_wrong_fails_at_start_naming_it(string setting, string message)
    {
        var configuration = Json($$"""{ "AiOrchestrator": { "Safety": { {{setting}} } } }""");
        using var services = new ServiceCollection().AddSafety(configuration).BuildServiceProvider();

        var start = () => services.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().Which.Failures.Should().Contain(f => f.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void A_sensitive_data_type_name_is_checked()
    {
        var act = () => new SensitiveDataType("lower-case");

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("EMPLOYEE_ID");
        new SensitiveDataType("EMPLOYEE_ID").Should().Be(new SensitiveDataType("EMPLOYEE_ID"));
        SensitiveDataType.OpenAiApiKey.IsSecret.Should().BeTrue();
        SensitiveDataType.Iban.IsPersonalData.Should().BeTrue();
    }

    private sealed class FixedDetector : ISensitiveDataDetector
    {
        public string Name => "fixed";

        public bool MayContain(ReadOnlySpan<char> text) => false;

        public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings)
        {
        }
    }
}
