using System.Globalization;
using System.Text.Json;

namespace AiOrchestrator.Audit;

/// <summary>
/// The canonical form of an audit entry: one UTF-8 JSON object with the fields always in this order, absent fields
/// left out: <c>v</c> (1), <c>seq</c>, <c>time</c> (<c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>), <c>kind</c> (a fixed name),
/// <c>call</c> (32 lower-case hex digits), <c>org</c>, <c>team</c>, <c>user</c>, <c>app</c>, <c>feature</c>,
/// <c>provider</c>, <c>model</c>, <c>amount</c> (a string: invariant digits, no exponent, no trailing zeros),
/// <c>currency</c>, <c>attrs</c> (an object in key order), <c>prev</c> (64 lower-case hex digits). Strings escape
/// only <c>"</c>, <c>\</c> and control characters. Reading accepts only bytes that writing the entry reproduces,
/// so a stored entry's bytes, and so its hash, never change by a round trip.
/// </summary>
internal static class AuditCanonicalForm
{
    public const int Version = 1;

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private static readonly string[] KindNames =
        ["", "allowed", "blocked", "redacted", "cache_hit", "routed", "reserved", "settled", "released", "overrun", "limit_rejected", "configuration_changed", "wallet_administration"];

    private static readonly string[] AttributeNames =
        ["", "rule", "reason", "wallet", "route", "limit", "partition", "setting", "actor", "reference", "count"];

    private static readonly byte[][] KindNameBytes = Array.ConvertAll(KindNames, n => System.Text.Encoding.UTF8.GetBytes(n));
    private static readonly byte[][] AttributeNameBytes = Array.ConvertAll(AttributeNames, n => System.Text.Encoding.UTF8.GetBytes(n));

    /// <summary>The fixed name of a kind in the canonical form.</summary>
    public static string KindName(AuditEntryKind kind) => (int)kind > 0 && (int)kind < KindNames.Length ? KindNames[(int)kind] : ((int)kind).ToString(CultureInfo.InvariantCulture);

    /// <summary>A time as the canonical form keeps it: UTC, truncated to whole microseconds.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset time) => new(TruncateTicks(time.UtcTicks), TimeSpan.Zero);

    public static long TruncateTicks(long utcTicks) => utcTicks - (utcTicks % 10);

    public static void Write(AuditBuffer buffer, AuditEntry entry)
        => Write(buffer, entry.Sequence, entry.Time.UtcTicks, entry.Kind, entry.CallId.Value, entry.Organization, entry.Team, entry.User, entry.App,
            entry.Feature, entry.Provider, entry.Model, entry.Amount, entry.Currency, entry.Attributes, entry.PreviousHash.Span);

    public static void Write(AuditBuffer buffer, long sequence, long utcTicks, in AuditEvent e, ReadOnlySpan<byte> previousHash)
    {
        var scope = e.Scope;
        Write(buffer, sequence, utcTicks, e.Kind, e.CallId.Value, scope?.Organization, scope?.Team, scope?.User, scope?.App, scope?.Feature,
            e.Provider, e.Model, e.Amount, e.Currency, e.Attributes, previousHash);
    }

    public static void Write(
        AuditBuffer b, long sequence, long utcTicks, AuditEntryKind kind, Guid call, string? org, string? team, string? user, string? app, string? feature,
        string? provider, string? model, decimal? amount, string? currency, AuditAttributes attributes, ReadOnlySpan<byte> previousHash)
    {
        b.Raw("{\"v\":1,\"seq\":"u8);
        b.Number(sequence);
        b.Raw(",\"time\":\""u8);
        Span<byte> scratch = stackalloc byte[64];
        new DateTime(TruncateTicks(utcTicks), DateTimeKind.Utc).TryFormat(scratch, out var written, TimeFormat, CultureInfo.InvariantCulture);
        b.Raw(scratch[..written]);
        b.Raw("\",\"kind\":\""u8);
        if ((int)kind > 0 && (int)kind < KindNameBytes.Length)
        {
            b.Raw(KindNameBytes[(int)kind]);
        }
        else
        {
            b.Number((int)kind);
        }

        b.Byte((byte)'"');
        if (call != Guid.Empty)
        {
            b.Raw(",\"call\":\""u8);
            call.TryFormat(scratch, out written, "N");
            b.Raw(scratch[..written]);
            b.Byte((byte)'"');
        }

        Field(b, ",\"org\":"u8, org);
        Field(b, ",\"team\":"u8, team);
        Field(b, ",\"user\":"u8, user);
        Field(b, ",\"app\":"u8, app);
        Field(b, ",\"feature\":"u8, feature);
        Field(b, ",\"provider\":"u8, provider);
        Field(b, ",\"model\":"u8, model);
        if (amount is { } value)
        {
            b.Raw(",\"amount\":\""u8);
            b.Raw(scratch[..FormatDecimal(value, scratch)]);
            b.Byte((byte)'"');
        }

        Field(b, ",\"currency\":"u8, currency);
        if (attributes.Count > 0)
        {
            b.Raw(",\"attrs\":{"u8);
            var first = true;
            foreach (var (key, text) in attributes.Items)
            {
                if (!first)
                {
                    b.Byte((byte)',');
                }

                first = false;
                b.Byte((byte)'"');
                b.Raw(AttributeNameBytes[(int)key]);
                b.Raw("\":"u8);
                b.JsonString(text);
            }

            b.Byte((byte)'}');
        }

        b.Raw(",\"prev\":\""u8);
        b.Hex(previousHash.Length == MerkleHash.Size ? previousHash : stackalloc byte[MerkleHash.Size]);
        b.Raw("\"}"u8);
    }

    /// <summary>A decimal in invariant digits with no exponent, no trailing zeros and no negative zero.</summary>
    public static int FormatDecimal(decimal value, Span<byte> destination)
    {
        value.TryFormat(destination, out var length, default, CultureInfo.InvariantCulture);
        if (destination[..length].Contains((byte)'.'))
        {
            while (destination[length - 1] == (byte)'0')
            {
                length--;
            }

            if (destination[length - 1] == (byte)'.')
            {
                length--;
            }
        }

        if (length == 2 && destination[0] == (byte)'-' && destination[1] == (byte)'0')
        {
            destination[0] = (byte)'0';
            length = 1;
        }

        return length;
    }

    public static bool TryParse(ReadOnlySpan<byte> json, out AuditEntry? entry, out string? error)
    {
        entry = null;
        try
        {
            var parsed = Read(json, out error);
            if (parsed is null)
            {
                return false;
            }

            var again = new AuditBuffer(json.Length + 16);
            Write(again, parsed);
            if (!again.Written.SequenceEqual(json))
            {
                error = "the entry is not in canonical form (field order, number, date or string format differs from what writing it gives)";
                return false;
            }

            entry = parsed;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or OverflowException or ArgumentException or InvalidOperationException)
        {
            error = "the entry is not valid JSON of an audit entry: " + ex.Message;
            return false;
        }
    }

    private static void Field(AuditBuffer b, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            b.Raw(name);
            b.JsonString(value);
        }
    }

    private static AuditEntry? Read(ReadOnlySpan<byte> json, out string? error)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 4 });
        error = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = "the entry is not a JSON object";
            return null;
        }

        long? sequence = null;
        DateTimeOffset? time = null;
        AuditEntryKind? kind = null;
        int? version = null;
        byte[]? previous = null;
        Guid call = Guid.Empty;
        string? org = null, team = null, user = null, app = null, feature = null, provider = null, model = null, currency = null;
        decimal? amount = null;
        var attributes = AuditAttributes.Empty;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "v":
                    version = reader.GetInt32();
                    break;
                case "seq":
                    sequence = reader.GetInt64();
                    break;
                case "time":
                    time = new DateTimeOffset(DateTime.ParseExact(reader.GetString()!, TimeFormat, CultureInfo.InvariantCulture,
                        DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);
                    break;
                case "kind":
                    var index = Array.IndexOf(KindNames, reader.GetString());
                    if (index <= 0)
                    {
                        error = $"the entry's kind '{reader.GetString()}' is not one this version knows";
                        return null;
                    }

                    kind = (AuditEntryKind)index;
                    break;
                case "call":
                    call = Guid.ParseExact(reader.GetString()!, "N");
                    break;
                case "org": org = reader.GetString(); break;
                case "team": team = reader.GetString(); break;
                case "user": user = reader.GetString(); break;
                case "app": app = reader.GetString(); break;
                case "feature": feature = reader.GetString(); break;
                case "provider": provider = reader.GetString(); break;
                case "model": model = reader.GetString(); break;
                case "currency": currency = reader.GetString(); break;
                case "amount":
                    amount = decimal.Parse(reader.GetString()!, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
                    break;
                case "attrs":
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        error = "the entry's attrs is not an object";
                        return null;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var key = Array.IndexOf(AttributeNames, reader.GetString());
                        reader.Read();
                        if (key <= 0)
                        {
                            error = "the entry has an attribute this version does not know";
                            return null;
                        }

                        attributes = attributes.With((AuditAttributeKey)key, reader.GetString()!);
                    }

                    break;
                case "prev":
                    var hex = reader.GetString()!;
                    previous = Convert.FromHexString(hex);
                    if (previous.Length != MerkleHash.Size)
                    {
                        error = "the entry's prev is not a 32-byte hash";
                        return null;
                    }

                    break;
                default:
                    error = $"the entry has a field '{name}' that audit entries do not have";
                    return null;
            }
        }

        if (version != Version || sequence is null || time is null || kind is null || previous is null)
        {
            error = version is not null && version != Version
                ? $"the entry is of version {version}; this version reads version {Version}"
                : "the entry lacks one of its required fields (v, seq, time, kind, prev)";
            return null;
        }

        return new AuditEntry
        {
            Sequence = sequence.Value,
            Time = time.Value,
            Kind = kind.Value,
            CallId = new AiCallId(call),
            Organization = org,
            Team = team,
            User = user,
            App = app,
            Feature = feature,
            Provider = provider,
            Model = model,
            Amount = amount,
            Currency = currency,
            Attributes = attributes,
            PreviousHash = previous,
        };
    }
}
