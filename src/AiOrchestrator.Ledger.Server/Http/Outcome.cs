using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AiOrchestrator.Ledger.Server.Problems;

namespace AiOrchestrator.Ledger.Server.Http;

/// <summary>A response as bytes: what a mutation answers, and what its idempotency record replays.</summary>
internal readonly record struct Outcome(int Status, string ContentType, byte[] Body)
{
    public const string Json = "application/json; charset=utf-8";

    public static Outcome Of<T>(int status, T value, JsonTypeInfo<T> info) => new(status, Json, JsonSerializer.SerializeToUtf8Bytes(value, info));

    public static Outcome Problem(LedgerProblem problem) => new(problem.Status, LedgerProblem.ContentType, problem.ToJson());

    public IResult ToResult(bool replayed = false) => new OutcomeResult(this, replayed);

    private sealed class OutcomeResult(Outcome outcome, bool replayed) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = outcome.Status;
            response.ContentType = outcome.ContentType;
            response.ContentLength = outcome.Body.Length;
            if (replayed)
            {
                response.Headers["Idempotent-Replayed"] = "true";
            }

            return response.Body.WriteAsync(outcome.Body).AsTask();
        }
    }
}
