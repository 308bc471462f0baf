using System.Globalization;
using System.Text;
using AiOrchestrator.Ledger.Server.Auth;
using AiOrchestrator.Ledger.Server.Problems;
using AiOrchestrator.Ledger.Server.Storage;

namespace AiOrchestrator.Ledger.Server.Api;

/// <summary>Spend reports (JSON, or CSV when asked) and health.</summary>
internal static class ReportEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(LedgerRoutes.SpendReport, Spend).Produces<SpendReport>(200).Produces<string>(200, "text/csv")
            .Ledger("getSpendReport", "Spend grouped by scope, model, provider or day (text/csv with Accept: text/csv or ?format=csv)", "Reports", LedgerAccess.Organisation, mutation: false, 400);
        app.MapGet(LedgerRoutes.Health, Health).Produces<string>(200, "text/plain")
            .Ledger("getHealth", "Liveness and storage health (no key needed)", "Health", LedgerAccess.Anonymous, mutation: false, 503);
    }

    private static async Task<IResult> Health(ILedgerStore store, CancellationToken cancellationToken)
    {
        try
        {
            await store.CheckHealthAsync(cancellationToken);
            return Results.Text("healthy (" + store.Name + ")", "text/plain");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new LedgerProblemException(new LedgerProblem(ProblemKind.Unavailable, $"The {store.Name} store cannot be read: {Amounts.Clip(ex.Message)}"));
        }
    }

    private static async Task<IResult> Spend(HttpContext context, string organisation, ILedgerStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var by = query["by"].ToString() is { Length: > 0 } b ? b : "scope";
        if (by is not ("scope" or "model" or "provider" or "day"))
        {
            throw LedgerProblem.Invalid("Query parameter 'by' must be scope, model, provider or day.");
        }

        var to = ParseTime(query["to"].ToString(), "to") ?? time.GetUtcNow();
        var from = ParseTime(query["from"].ToString(), "from") ?? to.AddDays(-30);
        if (from > to)
        {
            throw LedgerProblem.Invalid("'from' must not be after 'to'.");
        }

        var format = query["format"].ToString();
        if (format.Length > 0 && format is not ("json" or "csv"))
        {
            throw LedgerProblem.Invalid("Query parameter 'format' must be json or csv.");
        }

        var csv = format == "csv" || (format.Length == 0 && context.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase));
        await WalletEndpoints.RequireOrganisationAsync(store, organisation, cancellationToken);
        var caller = LedgerCaller.Of(context);
        var groups = new Dictionary<(string Key, string Currency), (decimal Amount, long Records, long In, long Out)>();
        await foreach (var r in store.ReadUsageAsync(organisation, from, to, cancellationToken))
        {
            if (!caller.IsAdmin && !r.Wallets.Any(caller.Covers))
            {
                continue;
            }

            var key = by switch
            {
                "model" => r.Model,
                "provider" => r.Provider,
                "day" => r.At.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                _ => r.Scope,
            } ?? "(none)";
            var g = groups.GetValueOrDefault((key, r.Currency));
            groups[(key, r.Currency)] = (g.Amount + r.Amount, g.Records + 1, g.In + r.InputTokens, g.Out + r.OutputTokens);
        }

        var rows = groups.OrderByDescending(g => g.Value.Amount).ThenBy(g => g.Key.Key, StringComparer.Ordinal).ThenBy(g => g.Key.Currency, StringComparer.Ordinal)
            .Select(g => new SpendReportRow(g.Key.Key, g.Key.Currency, Amounts.Format(g.Value.Amount), g.Value.Records, g.Value.In, g.Value.Out)).ToList();
        if (!csv)
        {
            return Results.Json(new SpendReport(by, from, to, rows), LedgerJsonContext.Default.SpendReport);
        }

        var text = new StringBuilder("key,currency,amount,records,input_tokens,output_tokens\r\n");
        foreach (var row in rows)
        {
            text.Append(Csv(row.Key)).Append(',').Append(row.Currency).Append(',').Append(row.Amount).Append(',')
                .Append(row.Records.ToString(CultureInfo.InvariantCulture)).Append(',').Append(row.InputTokens.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(row.OutputTokens.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }

        return Results.Text(text.ToString(), "text/csv; charset=utf-8");
    }

    private static DateTimeOffset? ParseTime(string text, string name)
        => text.Length == 0 ? null
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value.ToUniversalTime()
            : throw LedgerProblem.Invalid($"Query parameter '{name}' must be an ISO 8601 time such as 2025-01-31T00:00:00Z.");

    /// <summary>RFC 4180 quoting; a leading = + - @ is prefixed with ' so a spreadsheet does not run it as a formula.</summary>
    private static string Csv(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
