using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AiOrchestrator.Ledger.Server.Auth;
using AiOrchestrator.Ledger.Server.Problems;
using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Storage.Rows;
using AiOrchestrator.Ledger.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Ledger.Server.Http;

/// <summary>Decides one mutation inside its unit of work: loads rows, fills the changes, returns the response.</summary>
internal delegate ValueTask<Outcome> Decision(ILedgerUnitOfWork unit, LedgerChanges changes, DateTimeOffset now, CancellationToken cancellationToken);

/// <summary>
/// Runs every mutation with IETF-draft idempotency. The <c>Idempotency-Key</c> header is required on every POST and
/// PUT. The first response (success or rejection) is stored with the SHA-256 of (API key id, method, path and query,
/// body) in the same unit of work as the mutation, so it holds across instances: the same key and request replay it
/// (header <c>Idempotent-Replayed: true</c>); the same key with another request is 422; while the first request with
/// a key is still running on this instance, another is 409 (on another instance it waits for the row lock, then replays).
/// </summary>
internal sealed class LedgerMutations(ILedgerStore store, TimeProvider time, IOptions<LedgerOptions> options, LedgerTelemetry telemetry)
{
    private readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);
    private readonly TimeSpan _retention = TimeSpan.FromHours(options.Value.IdempotencyRetentionHours);

    public async Task<IResult> RunAsync(HttpContext context, byte[] body, Decision decide)
    {
        var caller = LedgerCaller.Of(context);
        var key = context.Request.Headers[LedgerRoutes.IdempotencyKeyHeader].ToString();
        if (key.Length == 0)
        {
            throw new LedgerProblemException(new LedgerProblem(ProblemKind.IdempotencyKeyRequired,
                "Send an 'Idempotency-Key' header (a unique value per intended mutation, such as a UUID) with every POST and PUT; retry with the same value."));
        }

        if (key.Length > 255 || key.Any(c => c < 0x21 || c > 0x7E))
        {
            throw LedgerProblem.Invalid("The Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.");
        }

        var hash = RequestHash(caller.KeyId, context.Request, body);
        var flight = caller.KeyId + "\n" + key;
        if (!_inFlight.TryAdd(flight, 0))
        {
            throw new LedgerProblemException(new LedgerProblem(ProblemKind.IdempotencyInProgress,
                "A request with this Idempotency-Key is still being processed; retry it after that one has been answered."));
        }

        try
        {
            var (outcome, replayed) = await store.ExecuteAsync(async (unit, ct) =>
            {
                var now = time.GetUtcNow();
                var first = await unit.LockIdempotencyAsync(caller.KeyId, key, ct);
                if (first is not null && first.ExpiresAt > now)
                {
                    return first.RequestHash == hash
                        ? (new Outcome(first.StatusCode, first.ContentType, first.Body), true)
                        : (Outcome.Problem(new LedgerProblem(ProblemKind.IdempotencyKeyReused,
                            "This Idempotency-Key was first used for a different request (method, path or body); use a new key for a new request.")), false);
                }

                var changes = new LedgerChanges();
                Outcome result;
                try
                {
                    result = await decide(unit, changes, now, ct);
                }
                catch (LedgerProblemException ex)
                {
                    // A rejection writes nothing but its idempotency record: the same key stays rejected.
                    changes = new LedgerChanges();
                    result = Outcome.Problem(ex.Problem);
                }

                changes.Idempotency = new IdempotencyRow(caller.KeyId, key, hash, result.Status, result.ContentType, result.Body, now, now + _retention);
                await unit.WriteAsync(changes, ct);
                return (result, false);
            }, new IdempotencyHint(caller.KeyId, key), context.RequestAborted);

            if (outcome.Status >= 400)
            {
                telemetry.Rejections.Add(1, new KeyValuePair<string, object?>("status", outcome.Status));
            }

            return outcome.ToResult(replayed);
        }
        finally
        {
            _inFlight.TryRemove(flight, out _);
        }
    }

    private static string RequestHash(string keyId, HttpRequest request, byte[] body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(keyId + "\n" + request.Method + "\n" + request.Path + request.QueryString + "\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
