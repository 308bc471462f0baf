using AiOrchestrator.Budgets;
using AiOrchestrator.Pricing;
using AiOrchestrator.Tokens;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Routing;

/// <summary>Puts a route's targets in the order one call tries them, by the route's strategy.</summary>
internal sealed class TargetOrder(CostCalculator pricing, ITokenCounter tokens, IBudgetLedger? ledger, TimeProvider time, int defaultMaxOutputTokens)
{
    /// <summary>The source of the weighted draw; replaceable so tests are repeatable.</summary>
    public Random Random { get; set; } = Random.Shared;

    public RouteEntry[] For(Route route, IEnumerable<ChatMessage> messages, ChatOptions options, AiScope? scope, bool streaming)
    {
        var entries = route.Entries;
        if (entries.Length == 1)
        {
            return entries;
        }

        return route.Strategy switch
        {
            RoutingStrategy.Weighted => Weighted(entries),
            RoutingStrategy.Cheapest => Cheapest(entries, messages, options),
            RoutingStrategy.Fastest => Fastest(entries, streaming),
            RoutingStrategy.BudgetAware when scope is not null && IsLow(route, scope) => Cheapest(entries, messages, options),
            _ => entries,
        };
    }

    /// <summary>True when a wallet on the scope's path has less available than the route's low-budget fraction or amount.</summary>
    internal bool IsLow(Route route, AiScope scope)
    {
        if (ledger is null)
        {
            return false;
        }

        foreach (var id in ledger.GetWalletPath(scope))
        {
            Wallet wallet;
            try
            {
                wallet = ledger.GetWallet(id);
            }
            catch (UnknownWalletException)
            {
                continue;
            }

            var available = wallet.Available.Amount;
            var allowance = wallet.Limit.Amount.Amount + wallet.TopUps.Amount;
            if ((route.LowBudgetFraction > 0m && available < route.LowBudgetFraction * allowance)
                || (route.LowBudgetAmount is { } amount && available < amount))
            {
                return true;
            }
        }

        return false;
    }

    private RouteEntry[] Weighted(RouteEntry[] entries)
    {
        // Draw among targets whose circuit is closed, so an open target's share goes to the others, not to the first.
        var total = 0d;
        foreach (var entry in entries)
        {
            total += entry.Health.Circuit.State == CircuitState.Closed ? entry.Weight : 0;
        }

        var closedOnly = total > 0;
        if (!closedOnly)
        {
            foreach (var entry in entries)
            {
                total += entry.Weight;
            }
        }

        var draw = Random.NextDouble() * total;
        var chosen = entries.Length - 1;
        for (var i = 0; i < entries.Length; i++)
        {
            if (closedOnly && entries[i].Health.Circuit.State != CircuitState.Closed)
            {
                continue;
            }

            draw -= entries[i].Weight;
            if (draw < 0)
            {
                chosen = i;
                break;
            }
        }

        if (chosen == 0)
        {
            return entries;
        }

        var order = new RouteEntry[entries.Length];
        order[0] = entries[chosen];
        for (int i = 0, j = 1; i < entries.Length; i++)
        {
            if (i != chosen)
            {
                order[j++] = entries[i];
            }
        }

        return order;
    }

    private RouteEntry[] Cheapest(RouteEntry[] entries, IEnumerable<ChatMessage> messages, ChatOptions options)
    {
        var inputTokens = tokens.CountInputTokens(messages, options, entries[0].ModelId);
        var maxOutput = options.MaxOutputTokens is { } m and > 0 ? m : defaultMaxOutputTokens;
        var now = time.GetUtcNow();
        var costs = new decimal[entries.Length];
        string? currency = null;
        for (var i = 0; i < entries.Length; i++)
        {
            costs[i] = decimal.MaxValue;
            try
            {
                var cost = pricing.GetPrice(entries[i].Provider, entries[i].ModelId, now).EstimateMaxCost(inputTokens, maxOutput);
                currency ??= cost.Currency;

                // Prices in another currency cannot be compared without a rate: they go last.
                if (string.Equals(currency, cost.Currency, StringComparison.Ordinal))
                {
                    costs[i] = cost.Amount;
                }
            }
            catch (UnpricedModelException)
            {
                // A model without a price goes last; its own metering stage will refuse it if the policy says so.
            }
        }

        return SortBy(entries, costs);
    }

    private static RouteEntry[] Fastest(RouteEntry[] entries, bool streaming)
    {
        var scores = new double[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            var score = entries[i].Health.Latency.Score(streaming);

            // Not yet measured: try it first, so every target gets a measurement.
            scores[i] = double.IsNaN(score) ? double.NegativeInfinity : score;
        }

        return SortBy(entries, scores);
    }

    /// <summary>A stable insertion sort by key: routes are short, and ties keep priority order.</summary>
    private static RouteEntry[] SortBy<TKey>(RouteEntry[] entries, TKey[] keys)
        where TKey : IComparable<TKey>
    {
        var order = (RouteEntry[])entries.Clone();
        for (var i = 1; i < order.Length; i++)
        {
            var entry = order[i];
            var key = keys[i];
            var j = i - 1;
            while (j >= 0 && keys[j].CompareTo(key) > 0)
            {
                order[j + 1] = order[j];
                keys[j + 1] = keys[j];
                j--;
            }

            order[j + 1] = entry;
            keys[j + 1] = key;
        }

        return order;
    }
}
