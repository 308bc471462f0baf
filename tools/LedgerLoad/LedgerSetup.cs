using System.Globalization;
using AiOrchestrator.Ledger;

namespace LedgerLoad;

/// <summary>Creates what a load run needs through the admin API: an organisation, its wallets, and a client key for them.</summary>
internal static class LedgerSetup
{
    public static async Task<(LoadTarget Target, string ClientKey)> CreateAsync(LedgerApi admin, int clients, int depth, CancellationToken cancellationToken)
    {
        var organisation = "load" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture) + Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture);
        var target = new LoadTarget(organisation, "USD", depth, clients);
        await admin.PutOrganisationAsync(organisation, cancellationToken).ConfigureAwait(false);
        foreach (var wallet in target.AllWallets())
        {
            // A budget no run can exhaust: the run measures the path, not refusals.
            await admin.PutWalletAsync(organisation, wallet, new WalletRequest("USD", "1000000000", "total", null, ["0.8"]), cancellationToken).ConfigureAwait(false);
        }

        var key = await admin.CreateKeyAsync(new ApiKeyRequest("client", organisation, [target.OrganisationWallet], "load generator"), cancellationToken).ConfigureAwait(false);
        return (target, key.Secret ?? throw new InvalidOperationException("The ledger returned no secret for the new client key."));
    }
}
