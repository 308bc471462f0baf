using System.Globalization;

namespace LedgerLoad;

/// <summary>
/// The organisation and wallets the load runs against: one organisation budget shared by every client, and per
/// client a user wallet under one team (depth 3: user, team, organisation), or fewer levels.
/// </summary>
internal sealed record LoadTarget(string Organisation, string Currency, int Depth, int Clients)
{
    public string OrganisationWallet => "org:" + Organisation;

    public string TeamWallet => $"team:{Organisation}/load";

    public string UserWallet(int client) => string.Create(CultureInfo.InvariantCulture, $"user:{Organisation}/load/u{client % Clients}");

    /// <summary>The wallets a client's reservation holds on, most specific first.</summary>
    public IReadOnlyList<string> WalletsOf(int client) => Depth switch
    {
        1 => [OrganisationWallet],
        2 => [TeamWallet, OrganisationWallet],
        _ => [UserWallet(client), TeamWallet, OrganisationWallet],
    };

    public IEnumerable<string> AllWallets()
    {
        yield return OrganisationWallet;
        if (Depth >= 2)
        {
            yield return TeamWallet;
        }

        if (Depth >= 3)
        {
            for (var i = 0; i < Clients; i++)
            {
                yield return UserWallet(i);
            }
        }
    }
}
