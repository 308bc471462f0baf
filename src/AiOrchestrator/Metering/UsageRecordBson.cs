using LiteDB;

namespace AiOrchestrator.Metering;

/// <summary>Maps usage records to and from LiteDB documents by hand: no reflection, exact decimals, UTC ticks.</summary>
internal static class UsageRecordBson
{
    public static BsonDocument ToDocument(UsageRecord r)
    {
        var u = r.Usage;
        var doc = new BsonDocument
        {
            ["_id"] = r.Id,
            ["ts"] = r.Timestamp.UtcTicks,
            ["model"] = r.Model,
            ["in"] = u.InputTokens,
            ["cin"] = u.CachedInputTokens,
            ["cw"] = u.CacheWriteTokens,
            ["cw1h"] = u.CacheWrite1hTokens,
            ["ain"] = u.InputAudioTokens,
            ["out"] = u.OutputTokens,
            ["rsn"] = u.ReasoningTokens,
            ["aout"] = u.OutputAudioTokens,
            ["est"] = u.IsEstimated,
            ["cost"] = r.Cost.Amount,
            ["cur"] = r.Cost.Currency,
            ["fb"] = r.UsedFallbackPrice,
            ["str"] = r.Streaming,
            ["lat"] = r.Latency.Ticks,
            ["outc"] = (int)r.Outcome,
        };
        Put(doc, "org", r.Scope.Organization);
        Put(doc, "team", r.Scope.Team);
        Put(doc, "user", r.Scope.User);
        Put(doc, "app", r.Scope.App);
        Put(doc, "feat", r.Scope.Feature);
        Put(doc, "prov", r.Provider);
        Put(doc, "err", r.Error);
        if (r.TimeToFirstToken is { } ttft)
        {
            doc["ttft"] = ttft.Ticks;
        }

        if (r.Scope.Tags.Count > 0)
        {
            var tags = new BsonDocument();
            foreach (var (key, value) in r.Scope.Tags)
            {
                tags[key] = value;
            }

            doc["tags"] = tags;
        }

        return doc;
    }

    public static UsageRecord FromDocument(BsonDocument d)
    {
        Dictionary<string, string>? tags = null;
        if (d.TryGetValue("tags", out var t) && t.IsDocument)
        {
            tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in t.AsDocument)
            {
                tags[key] = value.AsString;
            }
        }

        return new UsageRecord
        {
            Id = d["_id"].AsGuid,
            Timestamp = new DateTimeOffset(d["ts"].AsInt64, TimeSpan.Zero),
            Scope = new AiScope
            {
                Organization = Get(d, "org"),
                Team = Get(d, "team"),
                User = Get(d, "user"),
                App = Get(d, "app"),
                Feature = Get(d, "feat"),
                Tags = tags ?? AiScope.EmptyTags,
            },
            Provider = Get(d, "prov"),
            Model = d["model"].AsString,
            Usage = new TokenUsage
            {
                InputTokens = d["in"].AsInt64,
                CachedInputTokens = d["cin"].AsInt64,
                CacheWriteTokens = d["cw"].AsInt64,
                CacheWrite1hTokens = d["cw1h"].AsInt64,
                InputAudioTokens = d["ain"].AsInt64,
                OutputTokens = d["out"].AsInt64,
                ReasoningTokens = d["rsn"].AsInt64,
                OutputAudioTokens = d["aout"].AsInt64,
                IsEstimated = d["est"].AsBoolean,
            },
            Cost = new Money(d["cost"].AsDecimal, d["cur"].AsString),
            UsedFallbackPrice = d["fb"].AsBoolean,
            Streaming = d["str"].AsBoolean,
            Latency = TimeSpan.FromTicks(d["lat"].AsInt64),
            TimeToFirstToken = d.TryGetValue("ttft", out var ttft) ? TimeSpan.FromTicks(ttft.AsInt64) : null,
            Outcome = (CallOutcome)d["outc"].AsInt32,
            Error = Get(d, "err"),
        };
    }

    private static void Put(BsonDocument doc, string key, string? value)
    {
        if (value is not null)
        {
            doc[key] = value;
        }
    }

    private static string? Get(BsonDocument doc, string key) => doc.TryGetValue(key, out var v) && v.IsString ? v.AsString : null;
}
