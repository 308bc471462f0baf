using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>
/// The decision an audit entry records. The numeric values and the names written in the canonical form
/// (<c>"allowed"</c>, <c>"cache_hit"</c>, ...) are stable: they are part of the bytes hashed, so they never change.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public enum AuditEntryKind
{
    /// <summary>The input passed the safety checks and the call was let through.</summary>
    Allowed = 1,

    /// <summary>The call was refused by a safety policy.</summary>
    Blocked = 2,

    /// <summary>Values were redacted from the input before it went to the model.</summary>
    Redacted = 3,

    /// <summary>The call was answered from the response cache.</summary>
    CacheHit = 4,

    /// <summary>The router chose a target (provider and model) for an attempt.</summary>
    Routed = 5,

    /// <summary>A budget reservation was made for an attempt.</summary>
    Reserved = 6,

    /// <summary>A reservation was settled with the actual cost.</summary>
    Settled = 7,

    /// <summary>A reservation was released (failure, cancellation, abandoned stream).</summary>
    Released = 8,

    /// <summary>The provider reported more usage than was reserved.</summary>
    Overrun = 9,

    /// <summary>A rate limit rejected the call.</summary>
    LimitRejected = 10,

    /// <summary>Configuration that changes decisions was changed.</summary>
    ConfigurationChanged = 11,

    /// <summary>A wallet was created, redefined, topped up or refunded.</summary>
    WalletAdministration = 12,
}
