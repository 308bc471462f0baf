using System.Globalization;
using Npgsql;

namespace AiOrchestrator.Ledger.Server.Storage.Postgres;

/// <summary>
/// The schema as numbered migrations (<c>Migrations/NNNN_name.sql</c>, embedded), applied in order at start and
/// recorded in <c>schema_migrations</c>. Two ledger instances starting together take turns on a session advisory
/// lock, so each migration runs once; a database migrated by a newer ledger is refused rather than guessed at.
/// </summary>
internal static partial class PostgresMigrations
{
    /// <summary>The advisory lock key: "aioledgr" as a 64-bit number, unlikely to collide with another application's.</summary>
    private const long AdvisoryLockKey = 0x61696F6C65646772;

    private const string ResourcePrefix = "Ledger.Postgres.Migrations.";

    /// <summary>Every migration this build knows, by version.</summary>
    public static IReadOnlyList<Migration> All { get; } = Load();

    /// <summary>Applies the migrations the database does not have yet.</summary>
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, ILogger logger, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        await ExecuteAsync(connection, "SELECT pg_advisory_lock(" + AdvisoryLockKey.ToString(CultureInfo.InvariantCulture) + ")", cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(
                connection,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
                cancellationToken).ConfigureAwait(false);
            var applied = new HashSet<int>();
            var read = new NpgsqlCommand("SELECT version FROM schema_migrations", connection);
            await using (read.ConfigureAwait(false))
            {
                var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using var readerScope = reader.ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }

            var newest = All[^1].Version;
            var unknown = applied.Where(v => v > newest).Order().ToList();
            if (unknown.Count > 0)
            {
                throw new InvalidOperationException(
                    $"The PostgreSQL database has ledger schema version {unknown[^1]}, newer than this ledger knows (up to {newest}). " +
                    "Run the ledger version that migrated it (or a newer one); an older ledger does not write to a newer schema.");
            }

            foreach (var migration in All)
            {
                if (applied.Contains(migration.Version))
                {
                    continue;
                }

                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using var transactionScope = transaction.ConfigureAwait(false);
                await ExecuteAsync(connection, migration.Sql, cancellationToken).ConfigureAwait(false);
                var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", connection);
                await using (record.ConfigureAwait(false))
                {
                    record.Parameters.With(migration.Version).With(migration.Name);
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                LogApplied(logger, migration.Version, migration.Name);
            }
        }
        finally
        {
            await ExecuteAsync(connection, "SELECT pg_advisory_unlock(" + AdvisoryLockKey.ToString(CultureInfo.InvariantCulture) + ")", CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using var commandScope = command.ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static List<Migration> Load()
    {
        var assembly = typeof(PostgresMigrations).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[ResourcePrefix.Length..^".sql".Length];
            var underscore = name.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(name.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"The migration resource '{resource}' is not named NNNN_name.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var text = new StreamReader(stream);
            migrations.Add(new Migration(version, name[(underscore + 1)..], text.ReadToEnd()));
        }

        migrations.Sort(static (a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"The PostgreSQL migrations are not numbered 1, 2, 3…: found {migrations[i].Version} at position {i + 1}.");
            }
        }

        return migrations.Count > 0 ? migrations : throw new InvalidOperationException("No PostgreSQL migrations are embedded in " + assembly.GetName().Name + ".");
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "PostgreSQL schema migration {Version} ({Name}) applied")]
    private static partial void LogApplied(ILogger logger, int version, string name);

    /// <summary>One schema change.</summary>
    internal sealed record Migration(int Version, string Name, string Sql);
}
