using AiOrchestrator.Ledger.Server.Problems;
using AiOrchestrator.Ledger.Server.Storage.Rows;

namespace AiOrchestrator.Ledger.Server.Auth;

/// <summary>Who is calling: the API key that authenticated the request.</summary>
internal sealed record LedgerCaller(string KeyId, ApiKeyRole Role, string? Organisation, IReadOnlyList<string> Wallets)
{
    private static readonly object ItemKey = new();

    public bool IsAdmin => Role == ApiKeyRole.Admin;

    public static LedgerCaller Of(HttpContext context)
        => context.Items[ItemKey] as LedgerCaller ?? throw new InvalidOperationException("The request was not authenticated.");

    public void AttachTo(HttpContext context) => context.Items[ItemKey] = this;

    /// <summary>True when a key wallet is this wallet or above it on the scope path.</summary>
    public bool Covers(string wallet)
    {
        if (IsAdmin)
        {
            return true;
        }

        for (var w = wallet; w is not null; w = Ids.Parent(w))
        {
            foreach (var own in Wallets)
            {
                if (own == w)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// A client may hold or spend on wallets it covers, and on the wallets above a covered wallet of the same request
    /// (a reservation on a scope path holds on the team and organisation wallets too). 403 otherwise.
    /// </summary>
    public void RequireWallets(IReadOnlyList<string> wallets)
    {
        if (IsAdmin)
        {
            return;
        }

        foreach (var wallet in wallets)
        {
            if (Covers(wallet))
            {
                continue;
            }

            var above = false;
            foreach (var other in wallets)
            {
                if (other != wallet && Covers(other) && IsAbove(wallet, other))
                {
                    above = true;
                    break;
                }
            }

            if (!above)
            {
                throw Forbidden($"This API key was not issued for wallet '{wallet}'.");
            }
        }
    }

    public void RequireWallet(string wallet)
    {
        if (!Covers(wallet))
        {
            throw Forbidden($"This API key was not issued for wallet '{wallet}'.");
        }
    }

    public void RequireAdmin()
    {
        if (!IsAdmin)
        {
            throw Forbidden("This operation needs an admin API key.");
        }
    }

    public static LedgerProblemException Forbidden(string detail) => new(new LedgerProblem(ProblemKind.Forbidden, detail));

    private static bool IsAbove(string ancestor, string wallet)
    {
        for (var w = Ids.Parent(wallet); w is not null; w = Ids.Parent(w))
        {
            if (w == ancestor)
            {
                return true;
            }
        }

        return false;
    }
}
