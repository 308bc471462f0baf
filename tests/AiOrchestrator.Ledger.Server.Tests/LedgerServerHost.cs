using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Ledger.Server.Tests;

/// <summary>
/// The real ledger server on Kestrel at a loopback port chosen by the OS, on a LiteDB file of its own, talked to over
/// HTTP. Optionally on a <see cref="FakeTimeProvider"/> (the sweeper's timer runs on it too).
/// </summary>
public sealed class LedgerServerHost : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789abcdefghijklmnop";

    private readonly string _directory;
    private readonly bool _ownsDirectory;
    private WebApplication? _app;

    private LedgerServerHost(string directory, bool ownsDirectory, FakeTimeProvider? time)
    {
        _directory = directory;
        _ownsDirectory = ownsDirectory;
        Time = time;
    }

    public FakeTimeProvider? Time { get; }

    public HttpClient Client { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public string DatabasePath => Path.Combine(_directory, "ledger.db");

    internal WebApplication App => _app!;

    public static Task<LedgerServerHost> StartAsync(bool fakeTime = false, string? directory = null, params string[] settings)
        => new LedgerServerHost(directory ?? Directory.CreateTempSubdirectory("ledger-server-").FullName, directory is null,
            fakeTime ? new FakeTimeProvider(new DateTimeOffset(2025, 6, 10, 12, 0, 0, TimeSpan.Zero)) : null).StartAsync(settings);

    /// <summary>Stops this server and starts another on the same file.</summary>
    public async Task<LedgerServerHost> RestartAsync()
    {
        await StopAsync();
        return await new LedgerServerHost(_directory, _ownsDirectory, Time).StartAsync([]);
    }

    private async Task<LedgerServerHost> StartAsync(string[] settings)
    {
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            "--environment", "Production",
            $"--Ledger:AdminKey={AdminKey}",
            $"--Ledger:Storage:LiteDbPath={DatabasePath}",
            "--Ledger:SweepIntervalSeconds=1",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ];
        _app = LedgerApp.Build(args, builder =>
        {
            if (Time is not null)
            {
                builder.Services.AddSingleton<TimeProvider>(Time);
            }
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        return this;
    }

    private async Task StopAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Sends a request; a mutation gets a fresh Idempotency-Key unless one is given ("" for none).</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? key = AdminKey, string? idempotencyKey = null, string? rawBody = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (method == HttpMethod.Post || method == HttpMethod.Put)
        {
            idempotencyKey ??= Guid.NewGuid().ToString("N");
            if (idempotencyKey.Length > 0)
            {
                request.Headers.Add("Idempotency-Key", idempotencyKey);
            }
        }

        if (rawBody is not null)
        {
            request.Content = new StringContent(rawBody, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, body.GetType(), LedgerJsonContext.Default), Encoding.UTF8, "application/json");
        }

        return Client.SendAsync(request);
    }

    public async Task<T> SendAsync<T>(HttpMethod method, string path, object? body = null, string? key = AdminKey, int expect = 0)
    {
        using var response = await SendAsync(method, path, body, key);
        var text = await response.Content.ReadAsStringAsync();
        if (expect != 0)
        {
            ((int)response.StatusCode).Should().Be(expect, text);
        }
        else
        {
            response.IsSuccessStatusCode.Should().BeTrue(text);
        }

        return (T)JsonSerializer.Deserialize(text, typeof(T), LedgerJsonContext.Default)!;
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(status, text);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json", text);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        problem.GetProperty("status").GetInt32().Should().Be(status);
        problem.GetProperty("type").GetString().Should().StartWith("urn:aiorchestrator:ledger:problem:");
        problem.GetProperty("detail").GetString().Should().NotBeNullOrWhiteSpace();
        return problem;
    }

    public Task<OrganisationResponse> CreateOrganisationAsync(string org)
        => SendAsync<OrganisationResponse>(HttpMethod.Put, $"/v1/organisations/{org}", new OrganisationRequest(org + " Inc."));

    public Task<WalletResponse> DefineWalletAsync(string org, string wallet, string limit, string period = "month", string currency = "USD")
        => SendAsync<WalletResponse>(HttpMethod.Put, $"/v1/organisations/{org}/wallets/{wallet}", new WalletRequest(currency, limit, period, null, null));

    public Task<WalletResponse> WalletAsync(string org, string wallet, string key = AdminKey)
        => SendAsync<WalletResponse>(HttpMethod.Get, $"/v1/organisations/{org}/wallets/{wallet}", key: key);

    public async Task<string> ClientKeyAsync(string org, params string[] wallets)
        => (await SendAsync<ApiKeyResponse>(HttpMethod.Post, "/v1/keys", new ApiKeyRequest("client", org, wallets, "test"), expect: 201)).Secret!;

    public Task<ReservationResponse> ReserveAsync(string org, string amount, params string[] wallets)
        => SendAsync<ReservationResponse>(HttpMethod.Post, $"/v1/organisations/{org}/reservations", new ReservationRequest(wallets, amount, "USD", 60, "call"), expect: 201);
}
