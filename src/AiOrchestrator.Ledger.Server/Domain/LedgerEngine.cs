namespace AiOrchestrator.Ledger.Server.Domain;

/// <summary>The ledger's rules, independent of the store (see <see cref="Storage.ILedgerStore"/>).</summary>
internal static partial class LedgerEngine
{
}
