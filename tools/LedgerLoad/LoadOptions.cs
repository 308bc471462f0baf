using System.Globalization;

namespace LedgerLoad;

/// <summary>The command line of the load generator (see Program.cs for the usage text).</summary>
internal sealed record LoadOptions
{
    public Uri? Url { get; init; }

    public string? AdminKey { get; init; }

    public bool StartServer { get; init; }

    public string Storage { get; init; } = "litedb";

    public string? ConnectionString { get; init; }

    public string Mode { get; init; } = "all";

    public int Clients { get; init; } = 64;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    public int Depth { get; init; } = 3;

    public int Batches { get; init; } = 50;

    public int BatchSize { get; init; } = 1000;

    public string? ServerPath { get; init; }

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Number(int min, int max)
            {
                var text = Value();
                return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                    ? n
                    : throw new ArgumentException($"{name} must be a whole number from {min} to {max}; got '{text}'.");
            }

            options = name switch
            {
                "--url" => options with { Url = Uri.TryCreate(Value(), UriKind.Absolute, out var url) ? url : throw new ArgumentException("--url must be an absolute http(s) URL.") },
                "--admin-key" => options with { AdminKey = Value() },
                "--start-server" => options with { StartServer = true },
                "--storage" => options with { Storage = Value() is "litedb" or "postgres" ? args[i] : throw new ArgumentException("--storage must be litedb or postgres.") },
                "--connection-string" => options with { ConnectionString = Value() },
                "--mode" => options with { Mode = Value() is "pairs" or "usage" or "all" ? args[i] : throw new ArgumentException("--mode must be pairs, usage or all.") },
                "--clients" => options with { Clients = Number(1, 4096) },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Number(1, 3600)) },
                "--warmup" => options with { Warmup = TimeSpan.FromSeconds(Number(0, 600)) },
                "--depth" => options with { Depth = Number(1, 3) },
                "--batches" => options with { Batches = Number(1, 100_000) },
                "--batch-size" => options with { BatchSize = Number(1, 5000) },
                "--server" => options with { ServerPath = Value() },
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }

        if (options.StartServer == (options.Url is not null))
        {
            throw new ArgumentException("Give either --start-server (and --storage) or --url with --admin-key.");
        }

        if (options.Url is not null && options.AdminKey is null)
        {
            throw new ArgumentException("--url needs --admin-key: the load generator creates its organisation, wallets and client key through the admin API.");
        }

        return options;
    }
}
