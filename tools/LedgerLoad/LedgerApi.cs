using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using AiOrchestrator.Ledger;

namespace LedgerLoad;

/// <summary>The few ledger calls the load generator makes, as a real client makes them: bearer key, JSON from the contract, an Idempotency-Key on every mutation.</summary>
internal sealed class LedgerApi(HttpClient http)
{
    public static HttpClient CreateHttpClient(Uri baseAddress, string apiKey, int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5), UseProxy = false })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue(LedgerRoutes.AuthenticationScheme, apiKey) },
        };

    public Task<OrganisationResponse> PutOrganisationAsync(string organisation, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, Path(LedgerRoutes.Organisation, organisation), new OrganisationRequest("Load test " + organisation), LedgerJsonContext.Default.OrganisationRequest, LedgerJsonContext.Default.OrganisationResponse, cancellationToken);

    public Task<WalletResponse> PutWalletAsync(string organisation, string wallet, WalletRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, Path(LedgerRoutes.Wallet, organisation).Replace("{**wallet}", wallet, StringComparison.Ordinal), request, LedgerJsonContext.Default.WalletRequest, LedgerJsonContext.Default.WalletResponse, cancellationToken);

    public Task<WalletResponse> GetWalletAsync(string organisation, string wallet, CancellationToken cancellationToken) =>
        SendAsync<object, WalletResponse>(HttpMethod.Get, Path(LedgerRoutes.Wallet, organisation).Replace("{**wallet}", wallet, StringComparison.Ordinal), null, null, LedgerJsonContext.Default.WalletResponse, cancellationToken);

    public Task<ApiKeyResponse> CreateKeyAsync(ApiKeyRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, LedgerRoutes.Keys, request, LedgerJsonContext.Default.ApiKeyRequest, LedgerJsonContext.Default.ApiKeyResponse, cancellationToken);

    public Task<ReservationResponse> ReserveAsync(string organisation, ReservationRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, Path(LedgerRoutes.Reservations, organisation), request, LedgerJsonContext.Default.ReservationRequest, LedgerJsonContext.Default.ReservationResponse, cancellationToken);

    public Task<ReservationResponse> CommitAsync(string organisation, string reservationId, CommitRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, Path(LedgerRoutes.ReservationCommit, organisation).Replace("{reservationId}", reservationId, StringComparison.Ordinal), request, LedgerJsonContext.Default.CommitRequest, LedgerJsonContext.Default.ReservationResponse, cancellationToken);

    public Task<UsageBatchResponse> UploadUsageAsync(string organisation, UsageBatchRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, Path(LedgerRoutes.Usage, organisation), request, LedgerJsonContext.Default.UsageBatchRequest, LedgerJsonContext.Default.UsageBatchResponse, cancellationToken);

    private static string Path(string route, string organisation) => route.Replace("{organisation}", organisation, StringComparison.Ordinal);

    private async Task<TResponse> SendAsync<TRequest, TResponse>(
        HttpMethod method, string path, TRequest? body, JsonTypeInfo<TRequest>? requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null && requestType is not null)
        {
            request.Content = JsonContent.Create(body, requestType);
            request.Headers.Add(LedgerRoutes.IdempotencyKeyHeader, Guid.NewGuid().ToString("N"));
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new LedgerCallException(response.StatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        }

        return await response.Content.ReadFromJsonAsync(responseType, cancellationToken).ConfigureAwait(false)
            ?? throw new LedgerCallException(response.StatusCode, $"{method} {path}: an empty body");
    }
}

/// <summary>A ledger call that did not succeed.</summary>
internal sealed class LedgerCallException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}
