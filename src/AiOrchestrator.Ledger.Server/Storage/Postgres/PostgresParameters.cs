using Npgsql;
using NpgsqlTypes;

namespace AiOrchestrator.Ledger.Server.Storage.Postgres;

/// <summary>Positional parameters (<c>$1</c>, <c>$2</c>…) added in order, typed so the statements can be prepared.</summary>
internal static class PostgresParameters
{
    public static NpgsqlParameterCollection With<T>(this NpgsqlParameterCollection parameters, T value)
    {
        parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
        return parameters;
    }

    public static NpgsqlParameterCollection WithNullable(this NpgsqlParameterCollection parameters, string? value)
    {
        parameters.Add(new NpgsqlParameter { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return parameters;
    }

    public static NpgsqlParameterCollection WithNullable(this NpgsqlParameterCollection parameters, long? value)
    {
        parameters.Add(new NpgsqlParameter { Value = value.HasValue ? value.Value : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        return parameters;
    }

    public static NpgsqlParameterCollection WithNullable(this NpgsqlParameterCollection parameters, decimal? value)
    {
        parameters.Add(new NpgsqlParameter { Value = value.HasValue ? value.Value : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
        return parameters;
    }
}
