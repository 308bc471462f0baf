namespace AiOrchestrator.Ledger.Server.Storage.Rows;

/// <summary>Names a reservation or a lease.</summary>
internal readonly record struct HoldKey(string Organisation, string Id);
