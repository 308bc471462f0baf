using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DocSnippets;

public static class LedgerClientSnippets
{
    public static void Register(IServiceCollection services)
    {
        #region ledger-client-register
        services.AddAiOrchestrator(o => o.StorePath = "data/aiorchestrator.db")
            .UseLedger(new Uri("https://ledger.internal:8080/"), apiKey: "<client key>", organisation: "acme");
        #endregion
    }

    public static void FromConfiguration(IServiceCollection services, IConfiguration configuration)
    {
        #region ledger-client-configuration
        services.AddAiOrchestrator(configuration).UseLedger(configuration);
        #endregion
    }
}
