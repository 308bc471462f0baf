using System.Globalization;
using System.Text.Json;

namespace AiOrchestrator.Ledger.Server.Problems;

/// <summary>An RFC 9457 problem: a kind, a detail saying what to do, and extension members (all strings or numbers).</summary>
internal sealed record LedgerProblem(ProblemKind Kind, string Detail, IReadOnlyList<KeyValuePair<string, object?>>? Extensions = null)
{
    public const string ContentType = "application/problem+json";

    public int Status => Kind.Status;

    public byte[] ToJson(string? instance = null)
    {
        using var stream = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("type", Kind.Type);
            writer.WriteString("title", Kind.Title);
            writer.WriteNumber("status", Kind.Status);
            writer.WriteString("detail", Detail);
            if (instance is not null)
            {
                writer.WriteString("instance", instance);
            }

            foreach (var (name, value) in Extensions ?? [])
            {
                switch (value)
                {
                    case null:
                        writer.WriteNull(name);
                        break;
                    case long l:
                        writer.WriteNumber(name, l);
                        break;
                    case int i:
                        writer.WriteNumber(name, i);
                        break;
                    case decimal d:
                        writer.WriteString(name, Amounts.Format(d));
                        break;
                    case DateTimeOffset t:
                        writer.WriteString(name, t.ToString("O", CultureInfo.InvariantCulture));
                        break;
                    default:
                        writer.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture));
                        break;
                }
            }

            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    public Exception ToException() => new LedgerProblemException(this);

    public static LedgerProblemException Invalid(string detail) => new(new LedgerProblem(ProblemKind.InvalidRequest, detail));

    public static LedgerProblemException NotFound(string detail) => new(new LedgerProblem(ProblemKind.NotFound, detail));
}
