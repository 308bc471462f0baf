namespace AiOrchestrator.Budgets;

/// <summary>The scope level a wallet belongs to.</summary>
public enum WalletLevel
{
    /// <summary>An organisation (tenant): <c>org:acme</c>.</summary>
    Organization,

    /// <summary>A team within an organisation: <c>team:acme/search</c>.</summary>
    Team,

    /// <summary>A user within a team: <c>user:acme/search/alice</c>.</summary>
    User,

    /// <summary>An application within an organisation: <c>app:acme/chatbot</c>.</summary>
    App,
}
