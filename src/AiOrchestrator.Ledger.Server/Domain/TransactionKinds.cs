namespace AiOrchestrator.Ledger.Server.Domain;

/// <summary>The kinds of wallet history entries, as the API names them.</summary>
internal static class TransactionKinds
{
    public const string Defined = "defined";
    public const string TopUp = "top-up";
    public const string Refund = "refund";
    public const string Reserved = "reserved";
    public const string Committed = "committed";
    public const string Released = "released";
    public const string Expired = "expired";
    public const string Leased = "leased";
    public const string LeaseRenewed = "lease-renewed";
    public const string LeaseReturned = "lease-returned";
    public const string LeaseExpired = "lease-expired";
    public const string Usage = "usage";
}
