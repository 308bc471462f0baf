using System.Text;
using AiOrchestrator.Caching;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Tests.Caching;

/// <summary>The cache's settings bind strictly from configuration and are checked at start.</summary>
public class CacheConfigurationTests
{
    private static IConfiguration Json(string json) => new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    [Fact]
    public void Settings_bind_from_the_cache_section()
    {
        var configuration = Json("""
            { "AiOrchestrator": { "Cache": {
                "DefaultTimeToLive": "02:00:00",
                "SampledCalls": "Cache",
                "TimeToLiveRules": [ { "Model": "gpt-4o-mini", "TimeToLive": "00:10:00" } ],
                "PartitionRules": [ { "Organization": "docs-a", "Partition": "public" } ],
                "ToolsWithSideEffects": [ "send_email" ],
                "Semantic": { "Threshold": 0.95, "MaxEntries": 1000 } } } }
            """);
        using var services = new ServiceCollection().AddAiCache(configuration).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<AiCacheOptions>>().Value;

        options.DefaultTimeToLive.Should().Be(TimeSpan.FromHours(2));
        options.SampledCalls.Should().Be(SamplingCachePolicy.Cache);
        options.TimeToLiveRules.Should().ContainSingle().Which.TimeToLive.Should().Be(TimeSpan.FromMinutes(10));
        options.PartitionRules.Should().ContainSingle().Which.Partition.Should().Be("public");
        options.ToolsWithSideEffects.Should().Equal("send_email");
        options.Semantic.Threshold.Should().Be(0.95f);
        options.Semantic.MaxEntries.Should().Be(1000);
        options.Semantic.Enabled.Should().BeFalse();
    }

    [Theory]
    [InlineData("\"DefaultTimeToLiv\": \"01:00:00\"", "AiOrchestrator:Cache:DefaultTimeToLiv is not a setting")]
    [InlineData("\"SampledCalls\": \"Sometimes\"", "AiOrchestrator:Cache:SampledCalls is 'Sometimes'")]
    [InlineData("\"Semantic\": { \"Threshold\": 1.5 }", "AiOrchestrator:Cache:Semantic:Threshold is 1.5")]
    [InlineData("\"PartitionRules\": [ { \"Organization\": \"a\" } ]", "AiOrchestrator:Cache:PartitionRules:0 needs both an Organization and a Partition name.")]
    [InlineData("\"DefaultTimeToLive\": \"00:00:00\"", "AiOrchestrator:Cache:DefaultTimeToLive is 00:00:00; it must be positive")]
    public void A_setting_that_is_wrong_fails_at_start_naming_it(string setting, string message)
    {
        var configuration = Json($$"""{ "AiOrchestrator": { "Cache": { {{setting}} } } }""");
        using var services = new ServiceCollection().AddAiCache(configuration).BuildServiceProvider();

        var start = () => services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().Which.Failures.Should().Contain(f => f.StartsWith(message, StringComparison.Ordinal));
    }
}
