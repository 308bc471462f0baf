using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace AiOrchestrator.Ledger.Client.Http;

/// <summary>
/// The ledger's /v1 API as this client uses it: wallets, leases and usage batches, with the contract's
/// source-generated JSON. Every failure becomes a <see cref="LedgerRequestException"/>: unreachable (no answer,
/// timeout, 5xx) or the problem the ledger answered with.
/// </summary>
internal sealed class LedgerHttpClient(HttpClient http, string organisation)
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client.</summary>
    public const string ClientName = "AiOrchestrator.Ledger";

    private static readonly LedgerJsonContext Json = LedgerJsonContext.Default;

    private readonly string _org = Uri.EscapeDataString(organisation);

    public Task<IReadOnlyList<WalletResponse>> GetWalletsAsync(CancellationToken cancellationToken)
        => SendAsync(HttpMethod.Get, Path(LedgerRoutes.Wallets), null, null, Json.IReadOnlyListWalletResponse, cancellationToken);

    public Task<LeaseResponse> TakeLeaseAsync(LeaseRequest request, string idempotencyKey, CancellationToken cancellationToken)
        => SendAsync(HttpMethod.Post, Path(LedgerRoutes.Leases), idempotencyKey, Body(request, Json.LeaseRequest), Json.LeaseResponse, cancellationToken);

    public Task<LeaseResponse> GetLeaseAsync(string leaseId, CancellationToken cancellationToken)
        => SendAsync(HttpMethod.Get, Path(LedgerRoutes.Lease, leaseId), null, null, Json.LeaseResponse, cancellationToken);

    public Task<LeaseResponse> RenewLeaseAsync(string leaseId, LeaseRenewRequest request, string idempotencyKey, CancellationToken cancellationToken)
        => SendAsync(HttpMethod.Post, Path(LedgerRoutes.LeaseRenew, leaseId), idempotencyKey, Body(request, Json.LeaseRenewRequest), Json.LeaseResponse, cancellationToken);

    public Task<LeaseResponse> ReturnLeaseAsync(string leaseId, string idempotencyKey, CancellationToken cancellationToken)
        => SendAsync(HttpMethod.Post, Path(LedgerRoutes.LeaseReturn, leaseId), idempotencyKey, null, Json.LeaseResponse, cancellationToken);

    public Task<UsageBatchResponse> UploadUsageAsync(UsageBatchRequest request, string idempotencyKey, CancellationToken cancellationToken)
        => SendAsync(HttpMethod.Post, Path(LedgerRoutes.Usage), idempotencyKey, Body(request, Json.UsageBatchRequest), Json.UsageBatchResponse, cancellationToken);

    private string Path(string route, string? id = null)
    {
        var path = route.Replace("{organisation}", _org, StringComparison.Ordinal);
        if (id is not null)
        {
            path = path.Replace("{leaseId}", Uri.EscapeDataString(id), StringComparison.Ordinal);
        }

        return path.TrimStart('/');
    }

    private static ByteArrayContent Body<T>(T value, JsonTypeInfo<T> type)
    {
        // Bytes, not a stream: the resilience handler may send the same request again.
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, type));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, string? idempotencyKey, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation(LedgerRoutes.IdempotencyKeyHeader, idempotencyKey);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new LedgerRequestException($"The ledger at {http.BaseAddress} could not be reached ({method} /{path}): {ex.Message}", ex);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                    await using (stream.ConfigureAwait(false))
                    {
                        return await JsonSerializer.DeserializeAsync(stream, type, cancellationToken).ConfigureAwait(false)
                            ?? throw new JsonException("The body is null.");
                    }
                }
                catch (JsonException ex)
                {
                    // A reply this client cannot read is treated as a failure on the ledger's side: try again later.
                    throw new LedgerRequestException($"The ledger answered {method} /{path} with a body this client cannot read ({ex.Message}); check that client and ledger speak the same API version.", ex);
                }
            }

            throw await ProblemAsync(response, method, path, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<LedgerRequestException> ProblemAsync(HttpResponseMessage response, HttpMethod method, string path, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        string? type = null, title = null, detail = null;
        var extensions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (body.Length > 0 && body.Length < 1 << 20)
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var member in document.RootElement.EnumerateObject())
                    {
                        var text = member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString() ?? string.Empty : member.Value.GetRawText();
                        switch (member.Name)
                        {
                            case "type": type = text; break;
                            case "title": title = text; break;
                            case "detail": detail = text; break;
                            case "status": break;
                            default: extensions[member.Name] = text; break;
                        }
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not a problem document: the status says enough.
        }

        var what = detail ?? title ?? response.ReasonPhrase ?? response.StatusCode.ToString();
        var message = status >= 500
            ? $"The ledger failed on {method} /{path} ({status} {response.StatusCode}): {what}"
            : $"The ledger refused {method} /{path} ({status} {response.StatusCode}): {what}";
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            message += " Check AiOrchestrator:Ledger:ApiKey: it must be a client key of the organisation that covers these wallets.";
        }

        return new LedgerRequestException(message, status, type, title, detail, extensions);
    }
}
