using System.Security.Cryptography;
using AiOrchestrator.Ledger.Server.Auth;
using AiOrchestrator.Ledger.Server.Domain;
using AiOrchestrator.Ledger.Server.Http;
using AiOrchestrator.Ledger.Server.Problems;
using AiOrchestrator.Ledger.Server.Storage;
using AiOrchestrator.Ledger.Server.Storage.Rows;
using AiOrchestrator.Ledger.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Ledger.Server.Api;

/// <summary>Reservations (reserve, commit, release) and leases (take, renew, return).</summary>
internal static class HoldEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(LedgerRoutes.Reservations, Reserve).Body<ReservationRequest>().Produces<ReservationResponse>(201)
            .Ledger("createReservation", "Hold an amount on one or more wallets, all or nothing", "Reservations", LedgerAccess.Organisation, mutation: true);
        app.MapGet(LedgerRoutes.Reservation, GetReservation).Produces<ReservationResponse>(200)
            .Ledger("getReservation", "Read a reservation", "Reservations", LedgerAccess.Organisation, mutation: false);
        app.MapPost(LedgerRoutes.ReservationCommit, Commit).Body<CommitRequest>().Produces<ReservationResponse>(200)
            .Ledger("commitReservation", "Post the actual amount (at most the reserved amount) and release the rest", "Reservations", LedgerAccess.Organisation, mutation: true);
        app.MapPost(LedgerRoutes.ReservationRelease, Release).Produces<ReservationResponse>(200)
            .Ledger("releaseReservation", "Void a reservation", "Reservations", LedgerAccess.Organisation, mutation: true);
        app.MapPost(LedgerRoutes.Leases, TakeLease).Body<LeaseRequest>().Produces<LeaseResponse>(201)
            .Ledger("createLease", "Take a lease: a slice of one or more wallets a process spends locally", "Leases", LedgerAccess.Organisation, mutation: true);
        app.MapGet(LedgerRoutes.Lease, GetLease).Produces<LeaseResponse>(200)
            .Ledger("getLease", "Read a lease", "Leases", LedgerAccess.Organisation, mutation: false);
        app.MapPost(LedgerRoutes.LeaseRenew, RenewLease).Body<LeaseRenewRequest>().Produces<LeaseResponse>(200)
            .Ledger("renewLease", "Extend a lease and optionally grow it", "Leases", LedgerAccess.Organisation, mutation: true);
        app.MapPost(LedgerRoutes.LeaseReturn, ReturnLease).Produces<LeaseResponse>(200)
            .Ledger("returnLease", "Close a lease and give back what it did not spend", "Leases", LedgerAccess.Organisation, mutation: true);
    }

    private static string NewId(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static async Task<IResult> Reserve(HttpContext context, string organisation, LedgerMutations mutations, IOptions<LedgerOptions> options, LedgerTelemetry telemetry)
    {
        var (request, raw) = await JsonBody.ReadAsync(context, LedgerJsonContext.Default.ReservationRequest);
        var wallets = Ids.Wallets(request.Wallets, organisation);
        var amount = Amounts.Parse(request.Amount, "amount", allowZero: false);
        var currency = Ids.Currency(request.Currency);
        var ttl = Ids.Ttl(request.TtlSeconds, options.Value.DefaultReservationTtlSeconds);
        var reference = Ids.Text(request.Reference, "reference", 200, required: false);
        LedgerCaller.Of(context).RequireWallets(wallets);
        var id = NewId("res_");
        return await mutations.RunAsync(context, raw, async (unit, changes, now, ct) =>
        {
            var rows = LedgerEngine.RequireWallets(await unit.LockWalletsAsync(organisation, wallets, ct), wallets, currency, now);
            var reservation = LedgerEngine.Reserve(organisation, id, rows, amount, currency, ttl, reference, now, changes);
            telemetry.Reservations.Add(1, new KeyValuePair<string, object?>("outcome", "reserved"));
            return Outcome.Of(201, Responses.ToResponse(reservation, now), LedgerJsonContext.Default.ReservationResponse);
        });
    }

    private static async Task<IResult> GetReservation(HttpContext context, string organisation, string reservationId, ILedgerStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var row = await store.GetReservationAsync(organisation, reservationId, cancellationToken)
            ?? throw LedgerProblem.NotFound($"Reservation '{Amounts.Clip(reservationId)}' was not found.");
        LedgerCaller.Of(context).RequireWallets(row.Wallets);
        return Results.Json(Responses.ToResponse(row, time.GetUtcNow()), LedgerJsonContext.Default.ReservationResponse);
    }

    private static async Task<IResult> Commit(HttpContext context, string organisation, string reservationId, LedgerMutations mutations, LedgerTelemetry telemetry)
    {
        var (request, raw) = await JsonBody.ReadAsync(context, LedgerJsonContext.Default.CommitRequest);
        var amount = Amounts.Parse(request.Amount, "amount", allowZero: true);
        return await CloseReservation(context, organisation, reservationId, raw, mutations, telemetry, HoldState.Committed, amount);
    }

    private static async Task<IResult> Release(HttpContext context, string organisation, string reservationId, LedgerMutations mutations, LedgerTelemetry telemetry)
    {
        var raw = await JsonBody.ReadBytesAsync(context);
        return await CloseReservation(context, organisation, reservationId, raw, mutations, telemetry, HoldState.Released, 0m);
    }

    private static Task<IResult> CloseReservation(HttpContext context, string organisation, string reservationId, byte[] raw, LedgerMutations mutations,
        LedgerTelemetry telemetry, HoldState outcome, decimal amount)
    {
        var caller = LedgerCaller.Of(context);
        return mutations.RunAsync(context, raw, async (unit, changes, now, ct) =>
        {
            var reservation = await unit.LockReservationAsync(organisation, reservationId, ct)
                ?? throw LedgerProblem.NotFound($"Reservation '{Amounts.Clip(reservationId)}' was not found.");
            caller.RequireWallets(reservation.Wallets);
            var wallets = LedgerEngine.RequireWallets(await unit.LockWalletsAsync(organisation, reservation.Wallets, ct), reservation.Wallets, reservation.Currency, now);
            if (LedgerEngine.IsDue(reservation.Status, reservation.ExpiresAt, now))
            {
                // Expired while nobody looked: expire it now (written), then refuse.
                reservation = LedgerEngine.Close(reservation, wallets, HoldState.Expired, 0m, now, changes);
                telemetry.Reservations.Add(1, new KeyValuePair<string, object?>("outcome", "expired"));
                return Outcome.Problem(LedgerEngine.NotOpen("reservation", reservation.Id, HoldState.Expired));
            }

            if (reservation.Status != HoldState.Open)
            {
                throw new LedgerProblemException(LedgerEngine.NotOpen("reservation", reservation.Id, reservation.Status));
            }

            if (outcome == HoldState.Committed && amount > reservation.Amount)
            {
                throw new LedgerProblemException(new LedgerProblem(ProblemKind.UnprocessableAmount,
                    $"Reservation '{reservation.Id}' holds {Amounts.Format(reservation.Amount)} {reservation.Currency}; {Amounts.Format(amount)} cannot be committed. Commit at most the reserved amount.",
                    [new("reserved", reservation.Amount)]));
            }

            var closed = LedgerEngine.Close(reservation, wallets, outcome, amount, now, changes);
            telemetry.Reservations.Add(1, new KeyValuePair<string, object?>("outcome", outcome == HoldState.Committed ? "committed" : "released"));
            if (amount > 0)
            {
                telemetry.Spend.Add(amount, new KeyValuePair<string, object?>("currency", reservation.Currency));
            }

            return Outcome.Of(200, Responses.ToResponse(closed, now), LedgerJsonContext.Default.ReservationResponse);
        });
    }

    private static async Task<IResult> TakeLease(HttpContext context, string organisation, LedgerMutations mutations, LedgerTelemetry telemetry)
    {
        var (request, raw) = await JsonBody.ReadAsync(context, LedgerJsonContext.Default.LeaseRequest);
        var wallets = Ids.Wallets(request.Wallets, organisation);
        var amount = Amounts.Parse(request.Amount, "amount", allowZero: false);
        var currency = Ids.Currency(request.Currency);
        var ttl = Ids.Ttl(request.TtlSeconds, 0);
        var holder = Ids.Required(request.Holder, "holder", 200);
        LedgerCaller.Of(context).RequireWallets(wallets);
        var id = NewId("lease_");
        return await mutations.RunAsync(context, raw, async (unit, changes, now, ct) =>
        {
            var rows = LedgerEngine.RequireWallets(await unit.LockWalletsAsync(organisation, wallets, ct), wallets, currency, now);
            var lease = LedgerEngine.Lease(organisation, id, rows, amount, currency, ttl, holder, now, changes);
            telemetry.Leases.Add(1, new KeyValuePair<string, object?>("outcome", "granted"));
            return Outcome.Of(201, Responses.ToResponse(lease, now), LedgerJsonContext.Default.LeaseResponse);
        });
    }

    private static async Task<IResult> GetLease(HttpContext context, string organisation, string leaseId, ILedgerStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var row = await store.GetLeaseAsync(organisation, leaseId, cancellationToken)
            ?? throw LedgerProblem.NotFound($"Lease '{Amounts.Clip(leaseId)}' was not found.");
        LedgerCaller.Of(context).RequireWallets(row.Wallets);
        return Results.Json(Responses.ToResponse(row, time.GetUtcNow()), LedgerJsonContext.Default.LeaseResponse);
    }

    private static async Task<IResult> RenewLease(HttpContext context, string organisation, string leaseId, LedgerMutations mutations, LedgerTelemetry telemetry)
    {
        var (request, raw) = await JsonBody.ReadAsync(context, LedgerJsonContext.Default.LeaseRenewRequest);
        var ttl = Ids.Ttl(request.TtlSeconds, 0);
        var add = request.AddAmount is null ? 0m : Amounts.Parse(request.AddAmount, "addAmount", allowZero: true);
        return await ChangeLease(context, organisation, leaseId, raw, mutations, telemetry, renew: true, add, ttl);
    }

    private static async Task<IResult> ReturnLease(HttpContext context, string organisation, string leaseId, LedgerMutations mutations, LedgerTelemetry telemetry)
    {
        var raw = await JsonBody.ReadBytesAsync(context);
        return await ChangeLease(context, organisation, leaseId, raw, mutations, telemetry, renew: false, 0m, 0);
    }

    private static Task<IResult> ChangeLease(HttpContext context, string organisation, string leaseId, byte[] raw, LedgerMutations mutations, LedgerTelemetry telemetry,
        bool renew, decimal add, int ttl)
    {
        var caller = LedgerCaller.Of(context);
        return mutations.RunAsync(context, raw, async (unit, changes, now, ct) =>
        {
            var lease = (await unit.LockLeasesAsync(organisation, [leaseId], ct))[0]
                ?? throw LedgerProblem.NotFound($"Lease '{Amounts.Clip(leaseId)}' was not found.");
            caller.RequireWallets(lease.Wallets);
            var wallets = LedgerEngine.RequireWallets(await unit.LockWalletsAsync(organisation, lease.Wallets, ct), lease.Wallets, lease.Currency, now);
            if (LedgerEngine.IsDue(lease.Status, lease.ExpiresAt, now))
            {
                lease = LedgerEngine.CloseLease(lease, wallets, HoldState.Expired, now, changes);
                telemetry.Leases.Add(1, new KeyValuePair<string, object?>("outcome", "expired"));
                return Outcome.Problem(LedgerEngine.NotOpen("lease", lease.Id, HoldState.Expired));
            }

            if (lease.Status != HoldState.Open)
            {
                throw new LedgerProblemException(LedgerEngine.NotOpen("lease", lease.Id, lease.Status));
            }

            var after = renew
                ? LedgerEngine.Renew(lease, wallets, add, ttl, now, changes)
                : LedgerEngine.CloseLease(lease, wallets, HoldState.Released, now, changes);
            telemetry.Leases.Add(1, new KeyValuePair<string, object?>("outcome", renew ? "renewed" : "returned"));
            return Outcome.Of(200, Responses.ToResponse(after, now), LedgerJsonContext.Default.LeaseResponse);
        });
    }

    /// <summary>Expires one reservation if it is still open and due (the sweeper).</summary>
    public static ValueTask<bool> ExpireReservationAsync(ILedgerStore store, HoldKey key, TimeProvider time, LedgerTelemetry telemetry, CancellationToken cancellationToken)
        => store.ExecuteAsync(async (unit, ct) =>
        {
            var now = time.GetUtcNow();
            var reservation = await unit.LockReservationAsync(key.Organisation, key.Id, ct);
            if (reservation is null || !LedgerEngine.IsDue(reservation.Status, reservation.ExpiresAt, now))
            {
                return false;
            }

            var changes = new LedgerChanges();
            var wallets = (await unit.LockWalletsAsync(key.Organisation, reservation.Wallets, ct)).Where(w => w is not null).Select(w => LedgerEngine.Roll(w!, now)).ToArray();
            LedgerEngine.Close(reservation, wallets, HoldState.Expired, 0m, now, changes);
            await unit.WriteAsync(changes, ct);
            telemetry.Reservations.Add(1, new KeyValuePair<string, object?>("outcome", "expired"));
            return true;
        }, cancellationToken);

    /// <summary>Expires one lease if it is still open and due (the sweeper).</summary>
    public static ValueTask<bool> ExpireLeaseAsync(ILedgerStore store, HoldKey key, TimeProvider time, LedgerTelemetry telemetry, CancellationToken cancellationToken)
        => store.ExecuteAsync(async (unit, ct) =>
        {
            var now = time.GetUtcNow();
            var lease = (await unit.LockLeasesAsync(key.Organisation, [key.Id], ct))[0];
            if (lease is null || !LedgerEngine.IsDue(lease.Status, lease.ExpiresAt, now))
            {
                return false;
            }

            var changes = new LedgerChanges();
            var wallets = (await unit.LockWalletsAsync(key.Organisation, lease.Wallets, ct)).Where(w => w is not null).Select(w => LedgerEngine.Roll(w!, now)).ToArray();
            LedgerEngine.CloseLease(lease, wallets, HoldState.Expired, now, changes);
            await unit.WriteAsync(changes, ct);
            telemetry.Leases.Add(1, new KeyValuePair<string, object?>("outcome", "expired"));
            return true;
        }, cancellationToken);
}
