using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger.Server.Storage.Rows;
using Npgsql;

namespace AiOrchestrator.Ledger.Server.Storage.Postgres;

/// <summary>
/// The column lists of each table and the reading of a row into its record, in one place for the store's queries
/// and the unit of work's locks. Times are UTC ticks, enumerations lowercase text (see Migrations/0001_initial.sql).
/// </summary>
internal static class PostgresRows
{
    public const string OrganisationColumns = "id, name, created_at";
    public const string ApiKeyColumns = "id, secret_hash, role, organisation, wallets, name, created_at, revoked_at";
    public const string WalletColumns = "organisation, id, currency, limit_amount, period, time_zone, thresholds, period_start, top_ups, spent, reserved, leased, version, created_at";
    public const string ReservationColumns = "organisation, id, wallets, amount, currency, status, committed, created_at, expires_at, reference";
    public const string LeaseColumns = "organisation, id, wallets, amount, used, currency, holder, status, created_at, expires_at";
    public const string TransactionColumns = "sequence, organisation, wallet, kind, amount, spend_change, currency, at, reference";
    public const string UsageSourceColumns = "organisation, source, last_sequence, updated_at";
    public const string UsageRecordColumns = "organisation, id, source, sequence, wallets, amount, currency, at, lease, scope, provider, model, input_tokens, output_tokens";
    public const string IdempotencyColumns = "key_id, key, request_hash, status_code, content_type, body, created_at, expires_at";
    public const string AuditSourceColumns = "organisation, source, size, head, updated_at";
    public const string CheckpointColumns = "organisation, source, size, root_hash, at, signature, key_id, anchored_at";

    public static long Ticks(DateTimeOffset value) => value.UtcTicks;

    public static long? Ticks(DateTimeOffset? value) => value?.UtcTicks;

    public static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    public static string Text(ApiKeyRole role) => role switch
    {
        ApiKeyRole.Admin => "admin",
        ApiKeyRole.Client => "client",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    public static string Text(HoldState state) => state switch
    {
        HoldState.Open => "open",
        HoldState.Committed => "committed",
        HoldState.Released => "released",
        HoldState.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static string Text(BudgetPeriod period) => period switch
    {
        BudgetPeriod.Day => "day",
        BudgetPeriod.Week => "week",
        BudgetPeriod.Month => "month",
        BudgetPeriod.Total => "total",
        _ => throw new ArgumentOutOfRangeException(nameof(period), period, null),
    };

    public static OrganisationRow Organisation(NpgsqlDataReader r) =>
        new(r.GetString(0), Nullable(r, 1), Time(r.GetInt64(2)));

    public static ApiKeyRow ApiKey(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2) switch
        {
            "admin" => ApiKeyRole.Admin,
            "client" => ApiKeyRole.Client,
            var other => throw Unknown("api_keys.role", other),
        },
        Nullable(r, 3),
        r.GetFieldValue<string[]>(4),
        Nullable(r, 5),
        Time(r.GetInt64(6)),
        r.IsDBNull(7) ? null : Time(r.GetInt64(7)));

    public static WalletRow Wallet(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        r.GetDecimal(3),
        r.GetString(4) switch
        {
            "day" => BudgetPeriod.Day,
            "week" => BudgetPeriod.Week,
            "month" => BudgetPeriod.Month,
            "total" => BudgetPeriod.Total,
            var other => throw Unknown("wallets.period", other),
        },
        r.GetString(5),
        r.GetFieldValue<decimal[]>(6),
        Time(r.GetInt64(7)),
        r.GetDecimal(8),
        r.GetDecimal(9),
        r.GetDecimal(10),
        r.GetDecimal(11),
        r.GetInt64(12),
        Time(r.GetInt64(13)));

    public static ReservationRow Reservation(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetFieldValue<string[]>(2),
        r.GetDecimal(3),
        r.GetString(4),
        State(r.GetString(5)),
        r.IsDBNull(6) ? null : r.GetDecimal(6),
        Time(r.GetInt64(7)),
        Time(r.GetInt64(8)),
        Nullable(r, 9));

    public static LeaseRow Lease(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetFieldValue<string[]>(2),
        r.GetDecimal(3),
        r.GetDecimal(4),
        r.GetString(5),
        r.GetString(6),
        State(r.GetString(7)),
        Time(r.GetInt64(8)),
        Time(r.GetInt64(9)));

    public static TransactionRow Transaction(NpgsqlDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        r.GetDecimal(4),
        r.GetDecimal(5),
        r.GetString(6),
        Time(r.GetInt64(7)),
        Nullable(r, 8));

    public static UsageSourceRow UsageSource(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetInt64(2), Time(r.GetInt64(3)));

    public static UsageRecordRow UsageRecord(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        r.GetInt64(3),
        r.GetFieldValue<string[]>(4),
        r.GetDecimal(5),
        r.GetString(6),
        Time(r.GetInt64(7)),
        Nullable(r, 8),
        Nullable(r, 9),
        Nullable(r, 10),
        Nullable(r, 11),
        r.GetInt64(12),
        r.GetInt64(13));

    public static IdempotencyRow Idempotency(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        r.GetInt32(3),
        r.GetString(4),
        r.GetFieldValue<byte[]>(5),
        Time(r.GetInt64(6)),
        Time(r.GetInt64(7)));

    public static AuditSourceRow AuditSource(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), Time(r.GetInt64(4)));

    public static CheckpointRow Checkpoint(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetInt64(2),
        r.GetString(3),
        Time(r.GetInt64(4)),
        r.GetString(5),
        Nullable(r, 6),
        Time(r.GetInt64(7)));

    public static HoldKey Hold(NpgsqlDataReader r) => new(r.GetString(0), r.GetString(1));

    private static HoldState State(string text) => text switch
    {
        "open" => HoldState.Open,
        "committed" => HoldState.Committed,
        "released" => HoldState.Released,
        "expired" => HoldState.Expired,
        _ => throw Unknown("status", text),
    };

    private static string? Nullable(NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private static InvalidOperationException Unknown(string column, string value) =>
        new($"The PostgreSQL column {column} holds '{value}', which this ledger does not know; was the database written by a newer version?");
}
