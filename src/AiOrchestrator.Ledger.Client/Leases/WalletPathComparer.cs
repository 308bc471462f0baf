using AiOrchestrator.Budgets;

namespace AiOrchestrator.Ledger.Client.Leases;

/// <summary>Compares wallet paths by their wallets, in order, so a path found on every call allocates nothing.</summary>
internal sealed class WalletPathComparer : IEqualityComparer<IReadOnlyList<WalletId>>
{
    public static WalletPathComparer Instance { get; } = new();

    public bool Equals(IReadOnlyList<WalletId>? x, IReadOnlyList<WalletId>? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || x.Count != y.Count)
        {
            return false;
        }

        for (var i = 0; i < x.Count; i++)
        {
            if (x[i] != y[i])
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(IReadOnlyList<WalletId> obj)
    {
        var hash = new HashCode();
        for (var i = 0; i < obj.Count; i++)
        {
            hash.Add(obj[i]);
        }

        return hash.ToHashCode();
    }
}
