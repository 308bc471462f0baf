using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AiOrchestrator.Ledger.Client.Tests.FakeLedger;

/// <summary>
/// A FAKE ledger on a real Kestrel server on loopback: the parts of the /v1 contract the client uses (wallets,
/// leases, usage batches), with the contract's JSON, bearer auth, problem details and Idempotency-Key replay. It is a
/// test double for fault injection (stop and start on the same port, 503s, lost replies, sequence gaps); the real
/// server is tested in the integration tests.
/// </summary>
internal sealed class FakeLedgerServer : IAsyncDisposable
{
    private static readonly LedgerJsonContext Json = LedgerJsonContext.Default;
    private WebApplication? _app;

    private FakeLedgerServer(FakeLedgerState state, int port)
    {
        State = state;
        Port = port;
    }

    public FakeLedgerState State { get; }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public bool IsRunning => _app is not null;

    public static async Task<FakeLedgerServer> StartAsync(FakeLedgerState? state = null)
    {
        var server = new FakeLedgerServer(state ?? new FakeLedgerState(), FreePort());
        await server.StartAsync();
        return server;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls(Url.AbsoluteUri);
        var app = builder.Build();
        Map(app);
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private void Map(WebApplication app)
    {
        app.MapGet(LedgerRoutes.Wallets, (HttpContext http, string organisation) => Guarded(http, () =>
        {
            var now = DateTimeOffset.UtcNow;
            var list = new List<WalletResponse>();
            foreach (var w in State.Wallets.Values)
            {
                list.Add(new WalletResponse(w.Id, w.Currency, Text(w.Limit), "total", "UTC", [], now.AddDays(-1), null, "0", Text(w.Spent), "0", Text(State.Leased(w.Id, now)), Text(State.Available(w, now)), 1));
            }

            return Ok<IReadOnlyList<WalletResponse>>(list, Json.IReadOnlyListWalletResponse);
        }));

        app.MapGet(LedgerRoutes.Lease, (HttpContext http, string organisation, string leaseId) => Guarded(http, () =>
            State.Leases.TryGetValue(leaseId, out var lease) ? Ok(Response(lease), Json.LeaseResponse) : Problem(404, "Unknown lease", $"No lease '{leaseId}'.")));

        app.MapPost(LedgerRoutes.Leases, (HttpContext http, string organisation) => Idempotent(http, Json.LeaseRequest, request =>
        {
            var now = DateTimeOffset.UtcNow;
            var amount = decimal.Parse(request.Amount, CultureInfo.InvariantCulture);
            if (amount <= 0m)
            {
                return Problem(400, "Invalid amount", "The amount must be positive.");
            }

            foreach (var id in request.Wallets)
            {
                if (!State.Wallets.TryGetValue(id, out var wallet))
                {
                    return Problem(404, "Unknown wallet", $"No wallet '{id}'.");
                }

                if (State.Available(wallet, now) < amount)
                {
                    return Problem(409, "Insufficient funds", $"Wallet '{id}' has {Text(State.Available(wallet, now))} available, less than {request.Amount}.", ("wallet", id));
                }
            }

            var lease = new FakeLease("lease-" + Guid.NewGuid().ToString("N")[..12], [.. request.Wallets], amount, request.Currency, request.Holder, now, now.AddSeconds(request.TtlSeconds));
            State.Leases[lease.Id] = lease;
            State.LeaseTakes++;
            return Ok(Response(lease), Json.LeaseResponse, 201);
        }));

        app.MapPost(LedgerRoutes.LeaseRenew, (HttpContext http, string organisation, string leaseId) => Idempotent(http, Json.LeaseRenewRequest, request =>
        {
            var now = DateTimeOffset.UtcNow;
            if (!State.Leases.TryGetValue(leaseId, out var lease))
            {
                return Problem(404, "Unknown lease", $"No lease '{leaseId}'.");
            }

            if (!lease.IsActive(now))
            {
                return Problem(409, "Lease not active", $"Lease '{leaseId}' is {lease.Status(now)}.");
            }

            var add = request.AddAmount is null ? 0m : decimal.Parse(request.AddAmount, CultureInfo.InvariantCulture);
            foreach (var id in lease.Wallets)
            {
                if (State.Available(State.Wallets[id], now) < add)
                {
                    return Problem(409, "Insufficient funds", $"Wallet '{id}' cannot cover {request.AddAmount}.", ("wallet", id));
                }
            }

            lease.Amount += add;
            lease.ExpiresAt = now.AddSeconds(request.TtlSeconds);
            State.LeaseRenewals++;
            return Ok(Response(lease), Json.LeaseResponse);
        }));

        app.MapPost(LedgerRoutes.LeaseReturn, (HttpContext http, string organisation, string leaseId) => Idempotent<object?>(http, null, _ =>
        {
            if (!State.Leases.TryGetValue(leaseId, out var lease))
            {
                return Problem(404, "Unknown lease", $"No lease '{leaseId}'.");
            }

            if (!lease.IsActive(DateTimeOffset.UtcNow))
            {
                return Problem(409, "Lease not active", $"Lease '{leaseId}' is {lease.Status(DateTimeOffset.UtcNow)}.");
            }

            lease.Returned = true;
            State.LeaseReturns++;
            return Ok(Response(lease), Json.LeaseResponse);
        }));

        app.MapPost(LedgerRoutes.Usage, (HttpContext http, string organisation) => Idempotent(http, Json.UsageBatchRequest, batch =>
        {
            var now = DateTimeOffset.UtcNow;
            State.Sequences.TryGetValue(batch.Source, out var last);
            if (batch.Sequence <= last)
            {
                return Ok(new UsageBatchResponse(batch.Source, batch.Sequence, 0, batch.Records.Count, true), Json.UsageBatchResponse);
            }

            if (batch.Sequence != last + 1)
            {
                return Problem(409, "Sequence gap", $"Source '{batch.Source}' expects batch {last + 1}, not {batch.Sequence}.", ("expectedSequence", last + 1));
            }

            int accepted = 0, duplicates = 0;
            foreach (var record in batch.Records)
            {
                if (!State.RecordIds.Add(record.Id))
                {
                    duplicates++;
                    continue;
                }

                var amount = decimal.Parse(record.Amount, CultureInfo.InvariantCulture);
                foreach (var id in record.Wallets)
                {
                    State.Wallets[id].Spent += amount;
                }

                if (record.Lease is { } leaseId && State.Leases.TryGetValue(leaseId, out var lease) && lease.IsActive(now))
                {
                    lease.Used += amount;
                }

                State.Records.Add(record);
                accepted++;
            }

            State.Sequences[batch.Source] = batch.Sequence;
            State.UsageBatches++;
            if (State.LoseUsageReplies > 0)
            {
                State.LoseUsageReplies--;
                return Problem(503, "Reply lost", "The batch was applied but the reply is lost (fault injection).");
            }

            return Ok(new UsageBatchResponse(batch.Source, batch.Sequence, accepted, duplicates, false), Json.UsageBatchResponse);
        }));
    }

    private IResult Guarded(HttpContext http, Func<IResult> handle)
    {
        if (!string.Equals(http.Request.Headers.Authorization.ToString(), "Bearer " + FakeLedgerState.ApiKey, StringComparison.Ordinal))
        {
            return Problem(401, "Unauthorized", "Send a valid API key as a bearer token.");
        }

        lock (State.Gate)
        {
            return State.Unavailable ? Problem(503, "Unavailable", "The ledger's store is down (fault injection).") : handle();
        }
    }

    private async Task<IResult> Idempotent<T>(HttpContext http, JsonTypeInfo<T>? type, Func<T, IResult> handle)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        T request = default!;
        if (type is not null)
        {
            try
            {
                request = JsonSerializer.Deserialize(body, type)!;
            }
            catch (JsonException ex)
            {
                return Problem(400, "Malformed JSON", ex.Message);
            }
        }

        var key = http.Request.Headers["Idempotency-Key"].ToString();
        return Guarded(http, () =>
        {
            var scoped = http.Request.Path + "|" + key;
            if (key.Length > 0 && State.Idempotency.TryGetValue(scoped, out var first))
            {
                return first.Body == body ? new Stored(first.Status, first.Response) : Problem(422, "Idempotency key reused", "The key was used with a different body.");
            }

            var result = handle(request);
            if (key.Length > 0 && result is Stored stored && stored.Status < 500)
            {
                State.Idempotency[scoped] = (body, stored.Status, stored.Body);
            }

            return result;
        });
    }

    private static Stored Ok<T>(T value, JsonTypeInfo<T> type, int status = 200) => new(status, JsonSerializer.Serialize(value, type), "application/json");

    private static Stored Problem(int status, string title, string detail, params (string Name, object Value)[] extensions)
    {
        var problem = new Dictionary<string, object?> { ["type"] = "about:blank", ["title"] = title, ["status"] = status, ["detail"] = detail };
        foreach (var (name, value) in extensions)
        {
            problem[name] = value;
        }

        var json = "{" + string.Join(",", problem.Select(p => $"\"{p.Key}\":{(p.Value is string s ? "\"" + s.Replace("\"", "'", StringComparison.Ordinal) + "\"" : Convert.ToString(p.Value, CultureInfo.InvariantCulture))}")) + "}";
        return new Stored(status, json, "application/problem+json");
    }

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static LeaseResponse Response(FakeLease lease)
    {
        var now = DateTimeOffset.UtcNow;
        return new LeaseResponse(lease.Id, lease.Wallets, Text(lease.Amount), Text(lease.Used), Text(Math.Max(0m, lease.Amount - lease.Used)), lease.Currency, lease.Holder, lease.Status(now), lease.CreatedAt, lease.ExpiresAt);
    }

    /// <summary>A response body kept for idempotent replay.</summary>
    private sealed class Stored(int status, string body, string contentType = "application/json") : IResult
    {
        public int Status { get; } = status;

        public string Body { get; } = body;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = Status;
            httpContext.Response.ContentType = Status >= 400 && contentType == "application/json" && Body.Contains("\"title\"", StringComparison.Ordinal) ? "application/problem+json" : contentType;
            return httpContext.Response.WriteAsync(Body);
        }
    }
}
