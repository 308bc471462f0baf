// Verifies an audit log folder and prints the report; exits 0 when it verifies, 1 when it does not, 2 on bad usage.
//   aio-audit-verify <log folder> [--checkpoint <file>] [--public-key <pem file>] [--export <file.jsonl>]
using System.Security.Cryptography;
using AiOrchestrator.Audit;

const string Usage = "usage: aio-audit-verify <log folder> [--checkpoint <checkpoint.txt|.json>] [--public-key <public key .pem>] [--export <entries.jsonl>]";
string? folder = null, checkpointPath = null, keyPath = null, exportPath = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--checkpoint" when i + 1 < args.Length:
            checkpointPath = args[++i];
            break;
        case "--public-key" when i + 1 < args.Length:
            keyPath = args[++i];
            break;
        case "--export" when i + 1 < args.Length:
            exportPath = args[++i];
            break;
        case "-h" or "--help":
            Console.WriteLine(Usage);
            return 0;
        default:
            if (folder is null && !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                folder = args[i];
                break;
            }

            Console.Error.WriteLine($"unexpected argument '{args[i]}'\n{Usage}");
            return 2;
    }
}

if (folder is null)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

AuditCheckpoint? checkpoint = null;
using var key = ECDsa.Create();
var hasKey = false;
try
{
    if (checkpointPath is not null && !AuditCheckpoint.TryParse(File.ReadAllText(checkpointPath), out checkpoint, out var error))
    {
        Console.WriteLine($"result: INVALID\nfailure: {AuditFailure.CheckpointUnusable}\nmessage: the checkpoint '{checkpointPath}' cannot be read: {error}");
        return 1;
    }

    if (keyPath is not null)
    {
        key.ImportFromPem(File.ReadAllText(keyPath));
        hasKey = true;
    }
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
{
    Console.WriteLine($"result: INVALID\nfailure: {AuditFailure.CheckpointUnusable}\nmessage: {ex.Message}");
    return 1;
}

var report = AuditVerifier.Verify(folder, checkpoint, hasKey ? key : null);
if (exportPath is not null)
{
    using var output = File.Create(exportPath);
    var exported = AuditVerifier.ExportJsonLines(folder, output);
    Console.Error.WriteLine($"exported {exported.EntriesVerified} entries to {exportPath}");
}

Console.Write(report.ToString());
return report.IsValid ? 0 : 1;
