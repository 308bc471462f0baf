using System.Globalization;
using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger.Server.Auth;
using AiOrchestrator.Ledger.Server.Domain;
using AiOrchestrator.Ledger.Server.Http;
using AiOrchestrator.Ledger.Server.Problems;
using AiOrchestrator.Ledger.Server.Storage;

namespace AiOrchestrator.Ledger.Server.Api;

/// <summary>Wallets, top-ups, refunds and history.</summary>
internal static class WalletEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(LedgerRoutes.Wallets, ListWallets).Produces<IReadOnlyList<WalletResponse>>(200)
            .Ledger("listWallets", "List the organisation's wallets the key may see", "Wallets", LedgerAccess.Organisation, mutation: false);
        app.MapPut(LedgerRoutes.Wallet, PutWallet).Body<WalletRequest>().Produces<WalletResponse>(200)
            .Ledger("putWallet", "Define a wallet or update its definition", "Wallets", LedgerAccess.Admin, mutation: true);
        app.MapGet(LedgerRoutes.Wallet, GetWallet).Produces<WalletResponse>(200)
            .Ledger("getWallet", "Read a wallet in its current period", "Wallets", LedgerAccess.Organisation, mutation: false);
        app.MapPost(LedgerRoutes.TopUps, TopUp).Body<WalletAmountRequest>().Produces<WalletResponse>(200)
            .Ledger("topUpWallet", "Add allowance to a wallet for its current period", "Wallets", LedgerAccess.Admin, mutation: true);
        app.MapPost(LedgerRoutes.Refunds, Refund).Body<WalletAmountRequest>().Produces<WalletResponse>(200)
            .Ledger("refundWallet", "Give spend back to a wallet", "Wallets", LedgerAccess.Admin, mutation: true);
        app.MapGet(LedgerRoutes.Transactions, ListTransactions).Produces<TransactionPage>(200)
            .Ledger("listTransactions", "Page through wallet history, oldest first", "Wallets", LedgerAccess.Organisation, mutation: false);
    }

    private static async Task<IResult> ListWallets(HttpContext context, string organisation, ILedgerStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        await RequireOrganisationAsync(store, organisation, cancellationToken);
        var caller = LedgerCaller.Of(context);
        var now = time.GetUtcNow();
        var wallets = await store.ListWalletsAsync(organisation, cancellationToken);
        return Results.Json<IReadOnlyList<WalletResponse>>(wallets.Where(w => caller.Covers(w.Id)).Select(w => Responses.ToResponse(w, now)).ToList(),
            LedgerJsonContext.Default.IReadOnlyListWalletResponse);
    }

    private static async Task<IResult> GetWallet(HttpContext context, string organisation, string wallet, ILedgerStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        Ids.Wallet(wallet, organisation);
        LedgerCaller.Of(context).RequireWallet(wallet);
        var row = await store.GetWalletAsync(organisation, wallet, cancellationToken)
            ?? throw LedgerProblem.NotFound($"Wallet '{wallet}' was not found.");
        return Results.Json(Responses.ToResponse(row, time.GetUtcNow()), LedgerJsonContext.Default.WalletResponse);
    }

    private static async Task<IResult> PutWallet(HttpContext context, string organisation, string wallet, LedgerMutations mutations)
    {
        Ids.Wallet(wallet, organisation);
        var (request, raw) = await JsonBody.ReadAsync(context, LedgerJsonContext.Default.WalletRequest);
        var currency = Ids.Currency(request.Currency);
        var limit = Amounts.Parse(request.Limit, "limit", allowZero: true);
        var period = request.Period switch
        {
            "total" => BudgetPeriod.Total,
            "day" => BudgetPeriod.Day,
            "week" => BudgetPeriod.Week,
            "month" => BudgetPeriod.Month,
            _ => throw LedgerProblem.Invalid("'period' must be \"total\", \"day\", \"week\" or \"month\"."),
        };
        var zone = Ids.Text(request.TimeZone, "timeZone", 64, required: false) ?? "UTC";
        if (!BudgetCalendar.TryFindZone(zone, out _))
        {
            throw LedgerProblem.Invalid($"'timeZone' '{Amounts.Clip(zone)}' is not a known time zone; use an IANA id such as \"Europe/Berlin\" or \"UTC\".");
        }

        var thresholds = (request.Thresholds ?? []).Select(t =>
        {
            var value = Amounts.Parse(t, "thresholds", allowZero: false);
            return value <= 1m ? value : throw LedgerProblem.Invalid("Each of 'thresholds' is a fraction of the limit in (0, 1].");
        }).Distinct().Order().ToArray();

        return await mutations.RunAsync(context, raw, async (unit, changes, now, ct) =>
        {
            await RequireOrganisationAsync(unit, organisation, ct);
            var existing = (await unit.LockWalletsAsync(organisation, [wallet], ct))[0];
            var row = LedgerEngine.Define(existing, organisation, wallet, currency, limit, period, zone, thresholds, now, changes);
            return Outcome.Of(200, Responses.ToResponse(row, now), LedgerJsonContext.Default.WalletResponse);
        });
    }

    private static Task<IResult> TopUp(HttpContext context, string organisation, LedgerMutations mutations)
        => Adjust(context, organisation, mutations, refund: false);

    private static Task<IResult> Refund(HttpContext context, string organisation, LedgerMutations mutations)
        => Adjust(context, organisation, mutations, refund: true);

    private static async Task<IResult> Adjust(HttpContext context, string organisation, LedgerMutations mutations, bool refund)
    {
        var (request, raw) = await JsonBody.ReadAsync(context, LedgerJsonContext.Default.WalletAmountRequest);
        var wallet = Ids.Wallet(request.Wallet, organisation);
        var amount = Amounts.Parse(request.Amount, "amount", allowZero: false);
        var currency = Ids.Currency(request.Currency);
        var reason = Ids.Text(request.Reason, "reason", 500, required: false);
        return await mutations.RunAsync(context, raw, async (unit, changes, now, ct) =>
        {
            var rows = await unit.LockWalletsAsync(organisation, [wallet], ct);
            var w = LedgerEngine.RequireWallets(rows, [wallet], currency, now)[0];
            var after = refund ? LedgerEngine.Refund(w, amount, now, reason, changes) : LedgerEngine.TopUp(w, amount, now, reason, changes);
            return Outcome.Of(200, Responses.ToResponse(after, now), LedgerJsonContext.Default.WalletResponse);
        });
    }

    private static async Task<IResult> ListTransactions(HttpContext context, string organisation, ILedgerStore store, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var wallet = query["wallet"].ToString() is { Length: > 0 } w ? Ids.Wallet(w, organisation) : null;
        var after = ParseLong(query["after"].ToString(), "after", 0, long.MaxValue, 0);
        var limit = (int)ParseLong(query["limit"].ToString(), "limit", 1, 1000, 100);
        var caller = LedgerCaller.Of(context);
        if (wallet is not null)
        {
            caller.RequireWallet(wallet);
        }

        await RequireOrganisationAsync(store, organisation, cancellationToken);
        var rows = await store.ListTransactionsAsync(organisation, wallet, after, limit, cancellationToken);
        var items = rows.Where(t => caller.Covers(t.Wallet)).Select(Responses.ToResponse).ToList();
        return Results.Json(new TransactionPage(items, rows.Count == limit ? rows[^1].Sequence : null), LedgerJsonContext.Default.TransactionPage);
    }

    internal static long ParseLong(string text, string name, long min, long max, long fallback)
    {
        if (text.Length == 0)
        {
            return fallback;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw LedgerProblem.Invalid($"Query parameter '{name}' must be a whole number from {min} to {max}.");
    }

    internal static async Task RequireOrganisationAsync(ILedgerStore store, string organisation, CancellationToken cancellationToken)
    {
        if (!Ids.IsOrganisation(organisation) || await store.GetOrganisationAsync(organisation, cancellationToken) is null)
        {
            throw LedgerProblem.NotFound($"Organisation '{Amounts.Clip(organisation)}' was not found.");
        }
    }

    internal static async Task RequireOrganisationAsync(ILedgerUnitOfWork unit, string organisation, CancellationToken cancellationToken)
    {
        if (!Ids.IsOrganisation(organisation) || await unit.LockOrganisationAsync(organisation, cancellationToken) is null)
        {
            throw LedgerProblem.NotFound($"Organisation '{Amounts.Clip(organisation)}' was not found; create it with PUT /v1/organisations/{{organisation}} first.");
        }
    }
}
