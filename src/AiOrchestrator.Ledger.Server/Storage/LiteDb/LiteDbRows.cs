using AiOrchestrator.Budgets;
using AiOrchestrator.Ledger.Server.Storage.Rows;
using LiteDB;

namespace AiOrchestrator.Ledger.Server.Storage.LiteDb;

/// <summary>
/// Rows to and from BSON documents, by hand: no reflection on the hot path, times as UTC ticks (LiteDB's dates keep
/// only milliseconds), amounts as BSON decimals (exact).
/// </summary>
internal static class LiteDbRows
{
    private const char Separator = '\n';

    public static string Key(string a, string b) => string.Concat(a, "\n", b);

    public static string Key(string a, string b, long n) => string.Concat(a, "\n", b, "\n", n.ToString("D19", System.Globalization.CultureInfo.InvariantCulture));

    public static long Ticks(DateTimeOffset time) => time.UtcTicks;

    /// <summary>
    /// A query with its values as parameters. LiteDB caches a parsed expression by its text, so a constant text with
    /// parameters is compiled once; <c>Query.EQ(field, value)</c> puts the value in the text and compiles (emits IL)
    /// on every call.
    /// </summary>
    public static BsonExpression Expr(string expression, params BsonValue[] args) => BsonExpression.Create(expression, args);

    public static DateTimeOffset Time(BsonValue value) => new(value.AsInt64, TimeSpan.Zero);

    public static BsonDocument ToDocument(OrganisationRow row) => new()
    {
        ["_id"] = row.Id,
        ["name"] = row.Name,
        ["created"] = Ticks(row.CreatedAt),
    };

    public static OrganisationRow ToOrganisation(BsonDocument d) => new(d["_id"].AsString, Str(d["name"]), Time(d["created"]));

    public static BsonDocument ToDocument(ApiKeyRow row) => new()
    {
        ["_id"] = row.Id,
        ["hash"] = row.SecretHash,
        ["role"] = (int)row.Role,
        ["org"] = row.Organisation,
        ["wallets"] = Array(row.Wallets),
        ["name"] = row.Name,
        ["created"] = Ticks(row.CreatedAt),
        ["revoked"] = row.RevokedAt is { } r ? Ticks(r) : BsonValue.Null,
    };

    public static ApiKeyRow ToApiKey(BsonDocument d) => new(
        d["_id"].AsString, d["hash"].AsString, (ApiKeyRole)d["role"].AsInt32, Str(d["org"]), Strings(d["wallets"]), Str(d["name"]),
        Time(d["created"]), d["revoked"].IsNull ? null : Time(d["revoked"]));

    public static BsonDocument ToDocument(WalletRow row) => new()
    {
        ["_id"] = Key(row.Organisation, row.Id),
        ["org"] = row.Organisation,
        ["id"] = row.Id,
        ["currency"] = row.Currency,
        ["limit"] = row.Limit,
        ["period"] = (int)row.Period,
        ["tz"] = row.TimeZone,
        ["thresholds"] = new BsonArray(row.Thresholds.Select(t => new BsonValue(t))),
        ["start"] = Ticks(row.PeriodStart),
        ["topups"] = row.TopUps,
        ["spent"] = row.Spent,
        ["reserved"] = row.Reserved,
        ["leased"] = row.Leased,
        ["version"] = row.Version,
        ["created"] = Ticks(row.CreatedAt),
    };

    public static WalletRow ToWallet(BsonDocument d) => new(
        d["org"].AsString, d["id"].AsString, d["currency"].AsString, d["limit"].AsDecimal, (BudgetPeriod)d["period"].AsInt32, d["tz"].AsString,
        d["thresholds"].AsArray.Select(v => v.AsDecimal).ToArray(), Time(d["start"]), d["topups"].AsDecimal, d["spent"].AsDecimal,
        d["reserved"].AsDecimal, d["leased"].AsDecimal, d["version"].AsInt64, Time(d["created"]));

    public static BsonDocument ToDocument(TransactionRow row, long sequence) => new()
    {
        ["_id"] = sequence,
        ["org"] = row.Organisation,
        ["wallet"] = row.Wallet,
        ["kind"] = row.Kind,
        ["amount"] = row.Amount,
        ["spend"] = row.SpendChange,
        ["currency"] = row.Currency,
        ["at"] = Ticks(row.At),
        ["ref"] = row.Reference,
    };

    public static TransactionRow ToTransaction(BsonDocument d) => new(
        d["_id"].AsInt64, d["org"].AsString, d["wallet"].AsString, d["kind"].AsString, d["amount"].AsDecimal, d["spend"].AsDecimal,
        d["currency"].AsString, Time(d["at"]), Str(d["ref"]));

    public static BsonDocument ToDocument(ReservationRow row) => new()
    {
        ["_id"] = Key(row.Organisation, row.Id),
        ["org"] = row.Organisation,
        ["id"] = row.Id,
        ["wallets"] = Array(row.Wallets),
        ["amount"] = row.Amount,
        ["currency"] = row.Currency,
        ["status"] = (int)row.Status,
        ["committed"] = row.Committed is { } c ? new BsonValue(c) : BsonValue.Null,
        ["created"] = Ticks(row.CreatedAt),
        ["expires"] = Ticks(row.ExpiresAt),

        // Indexed: only open holds are due for expiry.
        ["due"] = row.Status == HoldState.Open ? Ticks(row.ExpiresAt) : BsonValue.Null,
        ["ref"] = row.Reference,
    };

    public static ReservationRow ToReservation(BsonDocument d) => new(
        d["org"].AsString, d["id"].AsString, Strings(d["wallets"]), d["amount"].AsDecimal, d["currency"].AsString, (HoldState)d["status"].AsInt32,
        d["committed"].IsNull ? null : d["committed"].AsDecimal, Time(d["created"]), Time(d["expires"]), Str(d["ref"]));

    public static BsonDocument ToDocument(LeaseRow row) => new()
    {
        ["_id"] = Key(row.Organisation, row.Id),
        ["org"] = row.Organisation,
        ["id"] = row.Id,
        ["wallets"] = Array(row.Wallets),
        ["amount"] = row.Amount,
        ["used"] = row.Used,
        ["currency"] = row.Currency,
        ["holder"] = row.Holder,
        ["status"] = (int)row.Status,
        ["created"] = Ticks(row.CreatedAt),
        ["expires"] = Ticks(row.ExpiresAt),
        ["due"] = row.Status == HoldState.Open ? Ticks(row.ExpiresAt) : BsonValue.Null,
    };

    public static LeaseRow ToLease(BsonDocument d) => new(
        d["org"].AsString, d["id"].AsString, Strings(d["wallets"]), d["amount"].AsDecimal, d["used"].AsDecimal, d["currency"].AsString,
        d["holder"].AsString, (HoldState)d["status"].AsInt32, Time(d["created"]), Time(d["expires"]));

    public static BsonDocument ToDocument(IdempotencyRow row) => new()
    {
        ["_id"] = Key(row.KeyId, row.Key),
        ["keyId"] = row.KeyId,
        ["key"] = row.Key,
        ["hash"] = row.RequestHash,
        ["status"] = row.StatusCode,
        ["type"] = row.ContentType,
        ["body"] = row.Body,
        ["created"] = Ticks(row.CreatedAt),
        ["expires"] = Ticks(row.ExpiresAt),
    };

    public static IdempotencyRow ToIdempotency(BsonDocument d) => new(
        d["keyId"].AsString, d["key"].AsString, d["hash"].AsString, d["status"].AsInt32, d["type"].AsString, d["body"].AsBinary,
        Time(d["created"]), Time(d["expires"]));

    public static BsonDocument ToDocument(UsageSourceRow row) => new()
    {
        ["_id"] = Key(row.Organisation, row.Source),
        ["org"] = row.Organisation,
        ["source"] = row.Source,
        ["last"] = row.LastSequence,
        ["updated"] = Ticks(row.UpdatedAt),
    };

    public static UsageSourceRow ToUsageSource(BsonDocument d) => new(d["org"].AsString, d["source"].AsString, d["last"].AsInt64, Time(d["updated"]));

    public static BsonDocument ToDocument(UsageRecordRow row) => new()
    {
        ["_id"] = Key(row.Organisation, row.Id),
        ["org"] = row.Organisation,
        ["id"] = row.Id,
        ["source"] = row.Source,
        ["seq"] = row.Sequence,
        ["wallets"] = Array(row.Wallets),
        ["amount"] = row.Amount,
        ["currency"] = row.Currency,
        ["at"] = Ticks(row.At),
        ["lease"] = row.Lease,
        ["scope"] = row.Scope,
        ["provider"] = row.Provider,
        ["model"] = row.Model,
        ["in"] = row.InputTokens,
        ["out"] = row.OutputTokens,
    };

    public static UsageRecordRow ToUsageRecord(BsonDocument d) => new(
        d["org"].AsString, d["id"].AsString, d["source"].AsString, d["seq"].AsInt64, Strings(d["wallets"]), d["amount"].AsDecimal,
        d["currency"].AsString, Time(d["at"]), Str(d["lease"]), Str(d["scope"]), Str(d["provider"]), Str(d["model"]), d["in"].AsInt64, d["out"].AsInt64);

    public static BsonDocument ToDocument(AuditSourceRow row) => new()
    {
        ["_id"] = Key(row.Organisation, row.Source),
        ["org"] = row.Organisation,
        ["source"] = row.Source,
        ["size"] = row.Size,
        ["head"] = row.Head,
        ["updated"] = Ticks(row.UpdatedAt),
    };

    public static AuditSourceRow ToAuditSource(BsonDocument d) => new(d["org"].AsString, d["source"].AsString, d["size"].AsInt64, d["head"].AsString, Time(d["updated"]));

    public static BsonDocument ToDocument(AuditEntryRow row) => new()
    {
        ["_id"] = Key(row.Organisation, row.Source, row.Index),
        ["canonical"] = row.Canonical,
        ["hash"] = row.Hash,
    };

    public static BsonDocument ToDocument(CheckpointRow row) => new()
    {
        ["_id"] = Key(row.Organisation, row.Source, row.Size),
        ["org"] = row.Organisation,
        ["source"] = row.Source,
        ["size"] = row.Size,
        ["root"] = row.RootHash,
        ["at"] = Ticks(row.At),
        ["signature"] = row.Signature,
        ["keyId"] = row.KeyId,
        ["anchored"] = Ticks(row.AnchoredAt),
    };

    public static CheckpointRow ToCheckpoint(BsonDocument d) => new(
        d["org"].AsString, d["source"].AsString, d["size"].AsInt64, d["root"].AsString, Time(d["at"]), d["signature"].AsString,
        Str(d["keyId"]), Time(d["anchored"]));

    private static BsonArray Array(IReadOnlyList<string> values)
    {
        var array = new BsonArray();
        foreach (var value in values)
        {
            array.Add(value);
        }

        return array;
    }

    private static string[] Strings(BsonValue value)
    {
        var array = value.AsArray;
        var result = new string[array.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = array[i].AsString;
        }

        return result;
    }

    private static string? Str(BsonValue value) => value.IsNull ? null : value.AsString;

    internal static char KeySeparator => Separator;
}
