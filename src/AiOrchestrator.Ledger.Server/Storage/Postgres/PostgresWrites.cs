using AiOrchestrator.Ledger.Server.Storage.Rows;
using Npgsql;
using static AiOrchestrator.Ledger.Server.Storage.Postgres.PostgresRows;

namespace AiOrchestrator.Ledger.Server.Storage.Postgres;

/// <summary>
/// The statements a unit of work writes: an upsert per row with an id, and one array-parameter insert
/// (<c>unnest</c>) for each kind of appended row, so a batch of a thousand usage records is one statement.
/// </summary>
internal static class PostgresWrites
{
    /// <summary>Joins a record's wallet ids into one array element; the statement splits them on chr(31) (a wallet id has no control characters).</summary>
    private const char WalletSeparator = (char)31;

    public static NpgsqlBatchCommand Upsert(OrganisationRow row)
    {
        var command = new NpgsqlBatchCommand(
            "INSERT INTO organisations (" + OrganisationColumns + ") VALUES ($1, $2, $3) " +
            "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, created_at = EXCLUDED.created_at");
        command.Parameters.With(row.Id).WithNullable(row.Name).With(Ticks(row.CreatedAt));
        return command;
    }

    public static NpgsqlBatchCommand Upsert(ApiKeyRow row)
    {
        var command = new NpgsqlBatchCommand(
            "INSERT INTO api_keys (" + ApiKeyColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) " +
            "ON CONFLICT (id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, role = EXCLUDED.role, organisation = EXCLUDED.organisation, " +
            "wallets = EXCLUDED.wallets, name = EXCLUDED.name, created_at = EXCLUDED.created_at, revoked_at = EXCLUDED.revoked_at");
        command.Parameters.With(row.Id).With(row.SecretHash).With(Text(row.Role)).WithNullable(row.Organisation)
            .With(row.Wallets.ToArray()).WithNullable(row.Name).With(Ticks(row.CreatedAt)).WithNullable(Ticks(row.RevokedAt));
        return command;
    }

    public static NpgsqlBatchCommand Upsert(IdempotencyRow row)
    {
        var command = new NpgsqlBatchCommand(
            "INSERT INTO idempotency (" + IdempotencyColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) " +
            "ON CONFLICT (key_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, status_code = EXCLUDED.status_code, " +
            "content_type = EXCLUDED.content_type, body = EXCLUDED.body, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at");
        command.Parameters.With(row.KeyId).With(row.Key).With(row.RequestHash).With(row.StatusCode).With(row.ContentType)
            .With(row.Body).With(Ticks(row.CreatedAt)).With(Ticks(row.ExpiresAt));
        return command;
    }

    public static NpgsqlBatchCommand Upsert(UsageSourceRow row)
    {
        var command = new NpgsqlBatchCommand(
            "INSERT INTO usage_sources (" + UsageSourceColumns + ") VALUES ($1, $2, $3, $4) " +
            "ON CONFLICT (organisation, source) DO UPDATE SET last_sequence = EXCLUDED.last_sequence, updated_at = EXCLUDED.updated_at");
        command.Parameters.With(row.Organisation).With(row.Source).With(row.LastSequence).With(Ticks(row.UpdatedAt));
        return command;
    }

    public static NpgsqlBatchCommand Upsert(AuditSourceRow row)
    {
        var command = new NpgsqlBatchCommand(
            "INSERT INTO audit_sources (" + AuditSourceColumns + ") VALUES ($1, $2, $3, $4, $5) " +
            "ON CONFLICT (organisation, source) DO UPDATE SET size = EXCLUDED.size, head = EXCLUDED.head, updated_at = EXCLUDED.updated_at");
        command.Parameters.With(row.Organisation).With(row.Source).With(row.Size).With(row.Head).With(Ticks(row.UpdatedAt));
        return command;
    }

    public static NpgsqlBatchCommand Upsert(ReservationRow row)
    {
        var command = new NpgsqlBatchCommand(
            "INSERT INTO reservations (" + ReservationColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) " +
            "ON CONFLICT (organisation, id) DO UPDATE SET wallets = EXCLUDED.wallets, amount = EXCLUDED.amount, currency = EXCLUDED.currency, " +
            "status = EXCLUDED.status, committed = EXCLUDED.committed, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, reference = EXCLUDED.reference");
        command.Parameters.With(row.Organisation).With(row.Id).With(row.Wallets.ToArray()).With(row.Amount).With(row.Currency)
            .With(Text(row.Status)).WithNullable(row.Committed).With(Ticks(row.CreatedAt)).With(Ticks(row.ExpiresAt)).WithNullable(row.Reference);
        return command;
    }

    public static NpgsqlBatchCommand Upsert(LeaseRow row)
    {
        var command = new NpgsqlBatchCommand(
            "INSERT INTO leases (" + LeaseColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) " +
            "ON CONFLICT (organisation, id) DO UPDATE SET wallets = EXCLUDED.wallets, amount = EXCLUDED.amount, used = EXCLUDED.used, " +
            "currency = EXCLUDED.currency, holder = EXCLUDED.holder, status = EXCLUDED.status, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at");
        command.Parameters.With(row.Organisation).With(row.Id).With(row.Wallets.ToArray()).With(row.Amount).With(row.Used)
            .With(row.Currency).With(row.Holder).With(Text(row.Status)).With(Ticks(row.CreatedAt)).With(Ticks(row.ExpiresAt));
        return command;
    }

    public static NpgsqlBatchCommand Upsert(WalletRow row)
    {
        var command = new NpgsqlBatchCommand(
            "INSERT INTO wallets (" + WalletColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) " +
            "ON CONFLICT (organisation, id) DO UPDATE SET currency = EXCLUDED.currency, limit_amount = EXCLUDED.limit_amount, period = EXCLUDED.period, " +
            "time_zone = EXCLUDED.time_zone, thresholds = EXCLUDED.thresholds, period_start = EXCLUDED.period_start, top_ups = EXCLUDED.top_ups, " +
            "spent = EXCLUDED.spent, reserved = EXCLUDED.reserved, leased = EXCLUDED.leased, version = EXCLUDED.version, created_at = EXCLUDED.created_at");
        command.Parameters.With(row.Organisation).With(row.Id).With(row.Currency).With(row.Limit).With(Text(row.Period)).With(row.TimeZone)
            .With(row.Thresholds.ToArray()).With(Ticks(row.PeriodStart)).With(row.TopUps).With(row.Spent).With(row.Reserved).With(row.Leased)
            .With(row.Version).With(Ticks(row.CreatedAt));
        return command;
    }

    public static NpgsqlBatchCommand Upsert(CheckpointRow row)
    {
        var command = new NpgsqlBatchCommand(
            "INSERT INTO checkpoints (" + CheckpointColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) " +
            "ON CONFLICT (organisation, source, size) DO UPDATE SET root_hash = EXCLUDED.root_hash, at = EXCLUDED.at, " +
            "signature = EXCLUDED.signature, key_id = EXCLUDED.key_id, anchored_at = EXCLUDED.anchored_at");
        command.Parameters.With(row.Organisation).With(row.Source).With(row.Size).With(row.RootHash).With(Ticks(row.At))
            .With(row.Signature).WithNullable(row.KeyId).With(Ticks(row.AnchoredAt));
        return command;
    }

    /// <summary>Usage records, new to their organisation (a duplicate id fails the unit with a unique violation, and the store runs it again).</summary>
    public static NpgsqlBatchCommand Insert(List<UsageRecordRow> rows)
    {
        var n = rows.Count;
        var organisation = new string[n];
        var id = new string[n];
        var source = new string[n];
        var sequence = new long[n];
        var wallets = new string[n];
        var amount = new decimal[n];
        var currency = new string[n];
        var at = new long[n];
        var lease = new string?[n];
        var scope = new string?[n];
        var provider = new string?[n];
        var model = new string?[n];
        var input = new long[n];
        var output = new long[n];
        for (var i = 0; i < n; i++)
        {
            var row = rows[i];
            organisation[i] = row.Organisation;
            id[i] = row.Id;
            source[i] = row.Source;
            sequence[i] = row.Sequence;
            wallets[i] = string.Join(WalletSeparator, row.Wallets);
            amount[i] = row.Amount;
            currency[i] = row.Currency;
            at[i] = Ticks(row.At);
            lease[i] = row.Lease;
            scope[i] = row.Scope;
            provider[i] = row.Provider;
            model[i] = row.Model;
            input[i] = row.InputTokens;
            output[i] = row.OutputTokens;
        }

        var command = new NpgsqlBatchCommand(
            "INSERT INTO usage_records (" + UsageRecordColumns + ") " +
            "SELECT u.organisation, u.id, u.source, u.sequence, string_to_array(u.wallets, chr(31)), u.amount, u.currency, u.at, u.lease, u.scope, u.provider, u.model, u.input_tokens, u.output_tokens " +
            "FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::numeric[], $7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], $13::bigint[], $14::bigint[]) " +
            "AS u(organisation, id, source, sequence, wallets, amount, currency, at, lease, scope, provider, model, input_tokens, output_tokens)");
        command.Parameters.With(organisation).With(id).With(source).With(sequence).With(wallets).With(amount).With(currency).With(at)
            .With(lease).With(scope).With(provider).With(model).With(input).With(output);
        return command;
    }

    public static NpgsqlBatchCommand Insert(List<AuditEntryRow> rows)
    {
        var n = rows.Count;
        var organisation = new string[n];
        var source = new string[n];
        var index = new long[n];
        var canonical = new byte[n][];
        var hash = new string[n];
        for (var i = 0; i < n; i++)
        {
            organisation[i] = rows[i].Organisation;
            source[i] = rows[i].Source;
            index[i] = rows[i].Index;
            canonical[i] = rows[i].Canonical;
            hash[i] = rows[i].Hash;
        }

        var command = new NpgsqlBatchCommand(
            "INSERT INTO audit_entries (organisation, source, index, canonical, hash) " +
            "SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bytea[], $5::text[])");
        command.Parameters.With(organisation).With(source).With(index).With(canonical).With(hash);
        return command;
    }

    /// <summary>
    /// Appends transactions, one statement per organisation (in ordinal order): the organisation's counter row is
    /// advanced by the number of rows and the rows take the numbers after its old value, in list order. The counter's
    /// row lock is held to commit, so numbers are handed out in commit order.
    /// </summary>
    public static IEnumerable<NpgsqlBatchCommand> Append(List<TransactionRow> rows)
    {
        var organisations = rows.Select(r => r.Organisation).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var organisation in organisations)
        {
            var mine = rows.Where(r => string.Equals(r.Organisation, organisation, StringComparison.Ordinal)).ToList();
            var n = mine.Count;
            var wallet = new string[n];
            var kind = new string[n];
            var amount = new decimal[n];
            var spendChange = new decimal[n];
            var currency = new string[n];
            var at = new long[n];
            var reference = new string?[n];
            for (var i = 0; i < n; i++)
            {
                var row = mine[i];
                wallet[i] = row.Wallet;
                kind[i] = row.Kind;
                amount[i] = row.Amount;
                spendChange[i] = row.SpendChange;
                currency[i] = row.Currency;
                at[i] = Ticks(row.At);
                reference[i] = row.Reference;
            }

            var command = new NpgsqlBatchCommand(
                "WITH counter AS (" +
                "INSERT INTO organisation_sequences AS o (organisation, last_sequence) VALUES ($1, $2) " +
                "ON CONFLICT (organisation) DO UPDATE SET last_sequence = o.last_sequence + EXCLUDED.last_sequence " +
                "RETURNING o.last_sequence - $2 AS base) " +
                "INSERT INTO transactions (organisation, sequence, wallet, kind, amount, spend_change, currency, at, reference) " +
                "SELECT $1, counter.base + t.ord, t.wallet, t.kind, t.amount, t.spend_change, t.currency, t.at, t.reference " +
                "FROM counter, unnest($3::text[], $4::text[], $5::numeric[], $6::numeric[], $7::text[], $8::bigint[], $9::text[]) WITH ORDINALITY " +
                "AS t(wallet, kind, amount, spend_change, currency, at, reference, ord)");
            command.Parameters.With(organisation).With((long)n).With(wallet).With(kind).With(amount).With(spendChange).With(currency).With(at).With(reference);
            yield return command;
        }
    }
}
