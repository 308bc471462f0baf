using AiOrchestrator.RateLimits;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Tests.RateLimits;

/// <summary>A scope limiter on a virtual clock, and the scopes the tests use.</summary>
internal sealed class RateLimitTestHost : IDisposable
{
    public RateLimitTestHost(Action<RateLimitOptions> configure)
    {
        var options = new RateLimitOptions();
        configure(options);
        Monitor = new TestMonitor(options);
        Limiter = new ScopeRateLimiter(Monitor, Time);
    }

    public static AiScope Alice { get; } = new() { Organization = "acme", Team = "search", User = "alice" };

    public static AiScope Bob { get; } = new() { Organization = "acme", Team = "search", User = "bob" };

    public static AiScope Carol { get; } = new() { Organization = "acme", Team = "ads", User = "carol" };

    public static AiScope Dave { get; } = new() { Organization = "globex", Team = "search", User = "dave" };

    public FakeTimeProvider Time { get; } = new();

    public TestMonitor Monitor { get; }

    public ScopeRateLimiter Limiter { get; }

    public ValueTask<RateLimitPermit> Request(AiScope scope, string? model = null) => Limiter.AcquireRequestAsync(scope, model);

    public ValueTask<RateLimitPermit> Tokens(AiScope scope, long tokens, decimal cost = 0m, string model = "gpt-4o-mini") => Limiter.AcquireTokensAsync(scope, model, tokens, cost);

    /// <summary>True when the acquisition passed at once; false when a limit refused it.</summary>
    public static bool Passes(ValueTask<RateLimitPermit> acquisition)
    {
        try
        {
            acquisition.AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (RateLimitExceededException)
        {
            return false;
        }
    }

    public static RateLimitExceededException Refusal(ValueTask<RateLimitPermit> acquisition)
    {
        var act = () => acquisition.AsTask().GetAwaiter().GetResult();
        return act.Should().Throw<RateLimitExceededException>().Which;
    }

    public void Dispose() => Limiter.Dispose();

    /// <summary>Options that change when a test says so, as a reloaded configuration does.</summary>
    internal sealed class TestMonitor(RateLimitOptions value) : IOptionsMonitor<RateLimitOptions>
    {
        private Action<RateLimitOptions, string?>? _listener;

        public RateLimitOptions CurrentValue { get; private set; } = value;

        public RateLimitOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<RateLimitOptions, string?> listener)
        {
            _listener += listener;
            return null;
        }

        public void Change(Action<RateLimitOptions> configure)
        {
            var options = new RateLimitOptions();
            configure(options);
            CurrentValue = options;
            _listener?.Invoke(options, Options.DefaultName);
        }
    }
}
