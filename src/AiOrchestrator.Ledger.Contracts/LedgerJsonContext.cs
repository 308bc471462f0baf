using System.Text.Json;
using System.Text.Json.Serialization;

namespace AiOrchestrator.Ledger;

/// <summary>
/// Source-generated JSON for every shape of the ledger API: camelCase names, numbers read strictly (a string where
/// a number belongs is refused), enums and amounts as strings.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    NumberHandling = JsonNumberHandling.Strict,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(OrganisationRequest))]
[JsonSerializable(typeof(OrganisationResponse))]
[JsonSerializable(typeof(ApiKeyRequest))]
[JsonSerializable(typeof(ApiKeyResponse))]
[JsonSerializable(typeof(IReadOnlyList<ApiKeyResponse>))]
[JsonSerializable(typeof(WalletRequest))]
[JsonSerializable(typeof(WalletResponse))]
[JsonSerializable(typeof(IReadOnlyList<WalletResponse>))]
[JsonSerializable(typeof(WalletAmountRequest))]
[JsonSerializable(typeof(TransactionPage))]
[JsonSerializable(typeof(ReservationRequest))]
[JsonSerializable(typeof(ReservationResponse))]
[JsonSerializable(typeof(CommitRequest))]
[JsonSerializable(typeof(LeaseRequest))]
[JsonSerializable(typeof(LeaseRenewRequest))]
[JsonSerializable(typeof(LeaseResponse))]
[JsonSerializable(typeof(UsageBatchRequest))]
[JsonSerializable(typeof(UsageBatchResponse))]
[JsonSerializable(typeof(AuditEntriesRequest))]
[JsonSerializable(typeof(AuditChainResponse))]
[JsonSerializable(typeof(CheckpointRequest))]
[JsonSerializable(typeof(CheckpointResponse))]
[JsonSerializable(typeof(IReadOnlyList<CheckpointResponse>))]
[JsonSerializable(typeof(SpendReport))]
public sealed partial class LedgerJsonContext : JsonSerializerContext;
