using AiOrchestrator;
using AiOrchestrator.Http;
using AiOrchestrator.Http.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds AiOrchestrator budgets and metering to a named <see cref="HttpClient"/>.</summary>
public static class AiOrchestratorHttpClientBuilderExtensions
{
    /// <summary>The section holding each client's handler options, by client name.</summary>
    private const string SectionName = "AiOrchestrator:HttpClients";

    /// <summary>
    /// Meters and budgets the LLM calls this client sends: <c>POST</c>s to OpenAI-compatible
    /// <c>…/chat/completions</c> and <c>…/responses</c> and to Anthropic <c>…/messages</c>, streamed or not. Other
    /// requests pass through untouched. Needs <c>services.AddAiOrchestrator()</c>; reserves budgets only when a ledger
    /// is registered (<c>services.AddBudgetLedger(...)</c>) and the call's scope has wallets.
    /// </summary>
    /// <remarks>
    /// Two handlers are added, wherever this is called relative to other handlers such as
    /// <c>AddStandardResilienceHandler()</c>: the call handler outermost, once per logical call (it reads the body
    /// once and creates the call object, so retries share one call id), and the attempt handler innermost, once per
    /// attempt, running the same budget and metering stages as <c>UseAiOrchestrator()</c>: every retry or hedged
    /// attempt that reaches the provider reserves, is metered (it costs money) and settles for itself. When a budget
    /// lowers the output cap (or the body sets none), the cap is written into the body; otherwise the bytes sent and
    /// the bytes the caller reads are the bytes given.
    /// </remarks>
    /// <param name="builder">The client's builder, from <c>services.AddHttpClient("llm")</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IHttpClientBuilder AddAiOrchestratorHandler(this IHttpClientBuilder builder)
        => AddAiOrchestratorHandler(builder, (Action<AiHttpHandlerOptions>?)null);

    /// <summary>
    /// Meters and budgets the LLM calls this client sends, as <see cref="AddAiOrchestratorHandler(IHttpClientBuilder)"/>
    /// does, with this client's handler options set by <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The client's builder, from <c>services.AddHttpClient("llm")</c>.</param>
    /// <param name="configure">Adjusts the options of this client's handlers.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IHttpClientBuilder AddAiOrchestratorHandler(this IHttpClientBuilder builder, Action<AiHttpHandlerOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<AiHttpHandlerOptions>(builder.Name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddHandlers(builder);
    }

    /// <summary>
    /// Meters and budgets the LLM calls this client sends, as <see cref="AddAiOrchestratorHandler(IHttpClientBuilder)"/>
    /// does, with this client's options bound from the <c>AiOrchestrator:HttpClients:&lt;client name&gt;</c> section of
    /// <paramref name="configuration"/> (or from <paramref name="configuration"/> itself when it is a section). Binding
    /// is strict and checked when the host starts: a missing section, an unknown key or a value that cannot be
    /// converted fails with a message that names the key.
    /// </summary>
    /// <param name="builder">The client's builder, from <c>services.AddHttpClient("llm")</c>.</param>
    /// <param name="configuration">The app's configuration, or the client's own section.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IHttpClientBuilder AddAiOrchestratorHandler(this IHttpClientBuilder builder, IConfiguration configuration)
        => AddAiOrchestratorHandler(builder, configuration, null);

    /// <summary>
    /// Meters and budgets the LLM calls this client sends, with this client's options bound strictly from the
    /// <c>AiOrchestrator:HttpClients:&lt;client name&gt;</c> section of <paramref name="configuration"/> (as
    /// <see cref="AddAiOrchestratorHandler(IHttpClientBuilder, IConfiguration)"/>), then adjusted by <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The client's builder, from <c>services.AddHttpClient("llm")</c>.</param>
    /// <param name="configuration">The app's configuration, or the client's own section.</param>
    /// <param name="configure">Adjusts the options after binding.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IHttpClientBuilder AddAiOrchestratorHandler(this IHttpClientBuilder builder, IConfiguration configuration, Action<AiHttpHandlerOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = builder.Services.AddOptions<AiHttpHandlerOptions>(builder.Name)
            .BindStrictly(configuration, $"{SectionName}:{builder.Name}", $"services.AddHttpClient(\"{builder.Name}\").AddAiOrchestratorHandler(configuration)");
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        return AddHandlers(builder);
    }

    private static IHttpClientBuilder AddHandlers(IHttpClientBuilder builder)
    {
        var name = builder.Name;
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AiHttpHandlerOptions>, AiHttpHandlerOptionsValidator>());

        // Once per client name, however often it is called.
        foreach (var service in builder.Services)
        {
            if (service.ServiceType == typeof(HandlersAdded) && service.ImplementationInstance is HandlersAdded added && added.ClientName == name)
            {
                return builder;
            }
        }

        builder.Services.AddSingleton(new HandlersAdded(name));

        // A post-configure action runs after every handler added with AddHttpMessageHandler (including the
        // resilience handlers), whatever the order of the calls, so it can put one stage outside them all and the
        // other inside them all.
        builder.Services.PostConfigure<HttpClientFactoryOptions>(name, factoryOptions =>
            factoryOptions.HttpMessageHandlerBuilderActions.Add(handlers =>
            {
                var pipeline = HttpPipeline.Create(handlers.Services, name);
                handlers.AdditionalHandlers.Insert(0, new AiCallHandler(pipeline));
                handlers.AdditionalHandlers.Add(new AttemptHandler(pipeline));
            }));
        return builder;
    }

    /// <summary>Marks a client name whose handlers are already added.</summary>
    private sealed record HandlersAdded(string ClientName);
}
