using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using AiOrchestrator.Ledger.Server.Api;
using AiOrchestrator.Ledger.Server.Auth;
using AiOrchestrator.Ledger.Server.Http;
using AiOrchestrator.Ledger.Server.Problems;
using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Telemetry;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Scalar.AspNetCore;

namespace AiOrchestrator.Ledger.Server;

/// <summary>Composes the ledger service: options, store, auth, idempotency, problems, rate limits, telemetry, endpoints.</summary>
internal static class LedgerApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The configuration is read once (options are validated at start): no file watcher on the content root, which
        // holds the LiteDB file by default and would be woken by every commit. A later argument can turn it back on.
        var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        var services = builder.Services;

        services.AddOptions<LedgerOptions>()
            .Bind(builder.Configuration.GetSection(LedgerOptions.Section), o => o.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<LedgerOptions>, LedgerOptionsValidator>();
        services.AddSingleton<IOptions<LedgerStorageOptions>>(sp => Options.Create(sp.GetRequiredService<IOptions<LedgerOptions>>().Value.Storage));
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<LedgerOptions>>((kestrel, o) => kestrel.Limits.MaxRequestBodySize = o.Value.MaxRequestBodyBytes);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(LedgerStoreFactory.Create);
        services.AddHostedService<LedgerStartup>();
        services.AddHostedService<HoldSweeper>();
        services.AddSingleton<LedgerMutations>();
        services.AddSingleton<LedgerTelemetry>();
        services.AddSingleton<ApiKeyCache>();

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, LedgerJsonContext.Default);
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "AiOrchestrator ledger";
            document.Info.Version = "v1";
            document.Info.Description = "Organisation-wide budgets: wallets, two-phase reservations, leases, usage and audit anchoring. "
                + "Amounts are decimal strings. Every call but health sends 'Authorization: Bearer <api key>'; every POST and PUT sends an 'Idempotency-Key'. "
                + "Errors are RFC 9457 problem details with a stable 'type'.";
            return Task.CompletedTask;
        }));

        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var caller = context.Items.Values.OfType<LedgerCaller>().FirstOrDefault();
                if (caller is null)
                {
                    return RateLimitPartition.GetNoLimiter("anonymous");
                }

                var limits = context.RequestServices.GetRequiredService<IOptions<LedgerOptions>>().Value.RateLimit;
                return RateLimitPartition.GetTokenBucketLimiter(caller.KeyId, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.Burst,
                    TokensPerPeriod = limits.PermitsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            o.OnRejected = async (rejected, _) =>
            {
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)) : 1;
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ProblemMiddleware.WriteAsync(rejected.HttpContext, new LedgerProblem(ProblemKind.RateLimited,
                    $"This API key sent more requests than its rate limit allows; retry after {seconds} s.", [new("retryAfterSeconds", seconds)]));
            };
        });

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("aiorchestrator-ledger"))
            .WithTracing(t => t.AddSource(LedgerTelemetry.Name).AddAspNetCoreInstrumentation())
            .WithMetrics(m => m.AddMeter(LedgerTelemetry.Name).AddAspNetCoreInstrumentation());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseMiddleware<ProblemMiddleware>();
        app.UseStatusCodePages(async context =>
        {
            var response = context.HttpContext.Response;
            if (!response.HasStarted && response.ContentLength is null or 0 && response.ContentType is null)
            {
                var kind = ProblemKind.ForStatus(response.StatusCode);
                await ProblemMiddleware.WriteAsync(context.HttpContext, new LedgerProblem(kind, kind == ProblemKind.RouteNotFound
                    ? $"No endpoint answers {context.HttpContext.Request.Method} {Amounts.Clip(context.HttpContext.Request.Path.ToString())}; see /openapi/v1.json."
                    : kind.Title + "."));
            }
        });
        app.UseRouting();
        app.UseMiddleware<ApiKeyAuthentication>();
        if (app.Services.GetRequiredService<IOptions<LedgerOptions>>().Value.RateLimit.Enabled)
        {
            app.UseRateLimiter();
        }

        AdminEndpoints.Map(app);
        WalletEndpoints.Map(app);
        HoldEndpoints.Map(app);
        UsageEndpoints.Map(app);
        AuditEndpoints.Map(app);
        ReportEndpoints.Map(app);
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/scalar");
        return app;
    }
}

/// <summary>Opens the store (creates its schema) before the server takes requests.</summary>
internal sealed class LedgerStartup(ILedgerStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken).AsTask();

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
