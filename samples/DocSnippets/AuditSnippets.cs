using System.Security.Cryptography;
using AiOrchestrator;
using AiOrchestrator.Audit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DocSnippets;

#pragma warning disable AIOEXP001 // The audit log is experimental.
public static class AuditSnippets
{
    public static void Register(IServiceCollection services, IConfiguration configuration)
    {
        #region audit-register
        // appsettings.json: "AiOrchestrator": { "Audit": { "Directory": "data/audit", "SigningKeyPath": "/run/secrets/audit-key.pem" } }
        services.AddAuditLog(configuration, o => o.CheckpointEveryEntries = 50_000);
        #endregion
    }

    public static async Task Append(IAuditSink audit, AiCallId callId, AiScope scope)
    {
        #region audit-append
        // What a pipeline stage does: no prompt or response text, only the decision, who, which model, how much, why.
        audit.Append(new AuditEvent(AuditEntryKind.Blocked, callId)
        {
            Scope = scope,
            Model = "gpt-4o",
            Attributes = AuditAttributes.Of(AuditAttributeKey.Rule, "secrets.api-key", AuditAttributeKey.Reason, "secret in input"),
        });

        // Where the caller must not go on before the entry is on disk:
        long sequence = await audit.AppendAsync(new AuditEvent(AuditEntryKind.WalletAdministration, default)
        {
            Amount = 500m,
            Currency = "USD",
            Attributes = AuditAttributes.Of(AuditAttributeKey.Wallet, "org:acme", AuditAttributeKey.Actor, "ops-42"),
        });
        #endregion
        _ = sequence;
    }

    public static async Task<bool> Prove(AuditLog log, long sequence, string publicKeyPem)
    {
        #region audit-prove
        AuditCheckpoint checkpoint = await log.CreateCheckpointAsync(); // signed; also saved as checkpoint.txt
        File.WriteAllText("offsite/checkpoint-latest.txt", checkpoint.ToText()); // keep copies out of the log's reach

        // Anyone with the public key and the checkpoint can check an entry without the log:
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(publicKeyPem);
        InclusionProof proof = log.GetInclusionProof(sequence, checkpoint.TreeSize);
        return checkpoint.Verify(publicKey, out _) == AuditCheckpointStatus.Valid
            && proof.Verify(log.GetEntryHash(sequence), checkpoint.RootHash.Span, out _);
        #endregion
    }

    public static AuditVerificationReport Verify(string folder, string checkpointText, ECDsa publicKey)
    {
        #region audit-verify
        var report = AuditVerifier.Verify(folder, AuditCheckpoint.Parse(checkpointText), publicKey);
        if (!report.IsValid)
        {
            Console.Error.WriteLine($"{report.Failure} at entry {report.FirstBadSequence}: {report.Message}");
        }
        #endregion
        return report;
    }
}
