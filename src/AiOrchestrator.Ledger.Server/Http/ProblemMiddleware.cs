using AiOrchestrator.Ledger.Server.Problems;

namespace AiOrchestrator.Ledger.Server.Http;

/// <summary>
/// Turns every error into an RFC 9457 problem: <see cref="LedgerProblemException"/> as it says, bad HTTP requests by
/// their status, and anything unexpected into a logged 500 that reveals nothing.
/// </summary>
internal sealed partial class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (LedgerProblemException ex)
        {
            await WriteAsync(context, ex.Problem);
        }
        catch (BadHttpRequestException ex)
        {
            var kind = ProblemKind.ForStatus(ex.StatusCode);
            await WriteAsync(context, new LedgerProblem(kind, kind == ProblemKind.PayloadTooLarge ? "The request body is too large." : "The HTTP request is malformed: " + Amounts.Clip(ex.Message)));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is there to answer.
        }
        catch (Exception ex)
        {
            LogUnexpected(logger, ex, context.Request.Method, context.Request.Path);
            await WriteAsync(context, new LedgerProblem(ProblemKind.Internal,
                "The ledger failed unexpectedly; the error is logged. Retry with the same Idempotency-Key: a mutation that did not complete left nothing behind."));
        }
    }

    public static async Task WriteAsync(HttpContext context, LedgerProblem problem)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        var wwwAuthenticate = context.Response.Headers.WWWAuthenticate;
        var retryAfter = context.Response.Headers.RetryAfter;
        context.Response.Clear();
        if (problem.Status == 401)
        {
            context.Response.Headers.WWWAuthenticate = wwwAuthenticate.Count > 0 ? wwwAuthenticate : "Bearer";
        }

        if (retryAfter.Count > 0)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        await Outcome.Problem(problem).ToResult().ExecuteAsync(context);
    }

    [LoggerMessage(1, LogLevel.Error, "Unexpected failure of {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, PathString path);
}
