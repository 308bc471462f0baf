using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AiOrchestrator.Ledger.Server.Problems;
using Microsoft.AspNetCore.Http.Features;

namespace AiOrchestrator.Ledger.Server.Http;

/// <summary>
/// Reads a request body with the contract's source-generated JSON, turning every failure into a problem: not JSON
/// (415), too large (413), malformed, wrong types, unknown members or null (400, with the JSON path).
/// </summary>
internal static class JsonBody
{
    public static async Task<(T Value, byte[] Raw)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> info)
        where T : class
    {
        var contentType = context.Request.ContentType;
        if (contentType is null || !(contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || contentType.Contains("+json", StringComparison.OrdinalIgnoreCase)))
        {
            throw new LedgerProblemException(new LedgerProblem(ProblemKind.UnsupportedMediaType,
                $"Send the body as 'Content-Type: application/json'; got '{Amounts.Clip(contentType ?? "(none)")}'."));
        }

        var raw = await ReadBytesAsync(context);
        if (raw.Length == 0)
        {
            throw new LedgerProblemException(new LedgerProblem(ProblemKind.MalformedJson, "The request body is empty; this operation needs a JSON object."));
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize(raw, info);
        }
        catch (JsonException ex)
        {
            throw new LedgerProblemException(new LedgerProblem(ProblemKind.MalformedJson,
                $"The body is not a valid {typeof(T).Name}: {Describe(ex)}" +
                (ex.Path is { } path ? $" (at {path})." : "."),
                ex.Path is { } p ? [new("path", p)] : null));
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new LedgerProblemException(new LedgerProblem(ProblemKind.MalformedJson, $"The body is not a valid {typeof(T).Name}: {Amounts.Clip(ex.Message)}"));
        }

        return (value ?? throw new LedgerProblemException(new LedgerProblem(ProblemKind.MalformedJson, "The body is JSON null; this operation needs a JSON object.")), raw);
    }

    public static async Task<byte[]> ReadBytesAsync(HttpContext context)
    {
        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (context.Request.ContentLength is { } length && limit is { } max && length > max)
        {
            throw TooLarge(max);
        }

        try
        {
            using var buffer = new MemoryStream(context.Request.ContentLength is { } l and < 1 << 24 ? (int)l : 4096);
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            return buffer.ToArray();
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(limit ?? 0);
        }
    }

    private static string Describe(JsonException ex)
    {
        var message = ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0].Trim().TrimEnd('.');
        return message.Length <= 200 ? message : message[..200];
    }

    private static LedgerProblemException TooLarge(long max)
        => new(new LedgerProblem(ProblemKind.PayloadTooLarge, $"The body is larger than the ledger accepts ({max} bytes); split it (usage and audit uploads take up to 5,000 items).",
            [new("maxBytes", max)]));
}
