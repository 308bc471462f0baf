using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>The outcome of checking a checkpoint's signature.</summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public enum AuditCheckpointStatus
{
    /// <summary>The signature is good and was made by the given key.</summary>
    Valid = 0,

    /// <summary>The checkpoint names a different signing key than the public key given: it was signed by another key.</summary>
    SignedByAnotherKey = 1,

    /// <summary>The signature does not match the checkpoint's fields: a field or the signature was changed.</summary>
    BadSignature = 2,

    /// <summary>The checkpoint or the key is malformed (wrong hash length, not a P-256 key, ...).</summary>
    Malformed = 3,
}
