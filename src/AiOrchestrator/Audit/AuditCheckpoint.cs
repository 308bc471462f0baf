using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>
/// A signed statement of the log's state: its size and Merkle root hash at a time, signed with ECDSA P-256 over
/// SHA-256. Kept outside the log (and, once configured, anchored in the ledger), it makes truncation and a rewrite
/// of the whole chain detectable: a rewritten log no longer has that root at that size, and a checkpoint cannot be
/// forged without the private key. Exported as text (<see cref="ToText"/>) or JSON (<see cref="ToJson"/>).
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class AuditCheckpoint
{
    private const string Header = "aiorchestrator audit checkpoint v1";
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private AuditCheckpoint(string logId, long treeSize, byte[] rootHash, DateTimeOffset time, string keyId, byte[] signature)
    {
        LogId = logId;
        TreeSize = treeSize;
        RootHash = rootHash;
        Time = time;
        KeyId = keyId;
        Signature = signature;
    }

    /// <summary>The log the checkpoint is for.</summary>
    public string LogId { get; }

    /// <summary>How many entries the log had.</summary>
    public long TreeSize { get; }

    /// <summary>The Merkle root hash of those entries (32 bytes).</summary>
    public ReadOnlyMemory<byte> RootHash { get; }

    /// <summary>When it was signed (UTC, to the microsecond).</summary>
    public DateTimeOffset Time { get; }

    /// <summary>The id of the signing key: the first 8 bytes of the SHA-256 of its public key (SubjectPublicKeyInfo), in hex.</summary>
    public string KeyId { get; }

    /// <summary>The ECDSA signature (IEEE P1363, 64 bytes) over the checkpoint's text body.</summary>
    public ReadOnlyMemory<byte> Signature { get; }

    /// <summary>Signs a checkpoint with a P-256 private key.</summary>
    public static AuditCheckpoint Sign(string logId, long treeSize, ReadOnlySpan<byte> rootHash, DateTimeOffset time, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckLogId(logId);
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        if (rootHash.Length != MerkleHash.Size)
        {
            throw new ArgumentException("A root hash is 32 bytes.", nameof(rootHash));
        }

        CheckKey(key);
        var keyId = KeyIdOf(key);
        var normalized = AuditCanonicalForm.Normalize(time);
        var body = Body(logId, treeSize, rootHash, normalized, keyId);
        var signature = key.SignData(body, HashAlgorithmName.SHA256);
        return new AuditCheckpoint(logId, treeSize, rootHash.ToArray(), normalized, keyId, signature);
    }

    /// <summary>The id of a key, as checkpoints name it.</summary>
    public static string KeyIdOf(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()).AsSpan(0, 8));
    }

    /// <summary>
    /// Checks the signature with the log's public key. Never throws on bad input: the status says what failed and
    /// <paramref name="failure"/> explains it (null when valid).
    /// </summary>
    public AuditCheckpointStatus Verify(ECDsa publicKey, out string? failure)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(publicKey);
            if (publicKey.KeySize != 256)
            {
                failure = $"the public key is a {publicKey.KeySize}-bit key; checkpoints are signed with ECDSA P-256";
                return AuditCheckpointStatus.Malformed;
            }

            var keyId = KeyIdOf(publicKey);
            if (!string.Equals(keyId, KeyId, StringComparison.Ordinal))
            {
                failure = $"the checkpoint was signed by another key (key id {KeyId}); the public key given has key id {keyId}";
                return AuditCheckpointStatus.SignedByAnotherKey;
            }

            if (RootHash.Length != MerkleHash.Size || TreeSize < 0)
            {
                failure = "the checkpoint's root hash is not 32 bytes or its size is negative";
                return AuditCheckpointStatus.Malformed;
            }

            if (!publicKey.VerifyData(Body(LogId, TreeSize, RootHash.Span, Time, KeyId), Signature.Span, HashAlgorithmName.SHA256))
            {
                failure = "the signature does not match the checkpoint's fields: its size, root hash, time, log id or signature was changed";
                return AuditCheckpointStatus.BadSignature;
            }

            failure = null;
            return AuditCheckpointStatus.Valid;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or NotSupportedException)
        {
            failure = "the key or the signature could not be used: " + ex.Message;
            return AuditCheckpointStatus.Malformed;
        }
    }

    /// <summary>
    /// The text form: the signed body (a header line, then <c>log</c>, <c>size</c>, <c>root</c> (base64),
    /// <c>time</c> and <c>key</c> lines), then a <c>signature</c> line (base64).
    /// </summary>
    public string ToText()
        => Encoding.UTF8.GetString(Body(LogId, TreeSize, RootHash.Span, Time, KeyId)) + "signature " + Convert.ToBase64String(Signature.Span) + "\n";

    /// <summary>The JSON form: <c>{"log","size","root","time","key","signature"}</c>, hashes in base64.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("log", LogId);
            writer.WriteNumber("size", TreeSize);
            writer.WriteBase64String("root", RootHash.Span);
            writer.WriteString("time", Time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture));
            writer.WriteString("key", KeyId);
            writer.WriteBase64String("signature", Signature.Span);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads a checkpoint from its text or JSON form; false with the reason when it is neither. Never throws on bad input.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out AuditCheckpoint? checkpoint, [NotNullWhen(false)] out string? error)
    {
        checkpoint = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the checkpoint is empty";
            return false;
        }

        try
        {
            return text.TrimStart().StartsWith('{') ? TryParseJson(text, out checkpoint, out error) : TryParseText(text, out checkpoint, out error);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException or OverflowException or ArgumentException or KeyNotFoundException)
        {
            error = "the checkpoint could not be read: " + ex.Message;
            return false;
        }
    }

    /// <summary>Reads a checkpoint from its text or JSON form.</summary>
    /// <exception cref="FormatException">It is neither; the message says why.</exception>
    public static AuditCheckpoint Parse(string text) => TryParse(text, out var checkpoint, out var error) ? checkpoint : throw new FormatException(error);

    private static bool TryParseText(string text, out AuditCheckpoint? checkpoint, out string? error)
    {
        checkpoint = null;
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        if (lines.Length != 7 || lines[0] != Header)
        {
            error = $"the checkpoint text must have 7 lines starting with '{Header}'";
            return false;
        }

        string Value(int line, string name) => lines[line].StartsWith(name + " ", StringComparison.Ordinal)
            ? lines[line][(name.Length + 1)..]
            : throw new FormatException($"line {line + 1} of the checkpoint must start with '{name} '");

        return Create(Value(1, "log"), long.Parse(Value(2, "size"), NumberStyles.None, CultureInfo.InvariantCulture), Convert.FromBase64String(Value(3, "root")),
            Value(4, "time"), Value(5, "key"), Convert.FromBase64String(Value(6, "signature")), out checkpoint, out error);
    }

    private static bool TryParseJson(string text, out AuditCheckpoint? checkpoint, out string? error)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        return Create(root.GetProperty("log").GetString()!, root.GetProperty("size").GetInt64(), root.GetProperty("root").GetBytesFromBase64(),
            root.GetProperty("time").GetString()!, root.GetProperty("key").GetString()!, root.GetProperty("signature").GetBytesFromBase64(), out checkpoint, out error);
    }

    private static bool Create(string logId, long size, byte[] root, string time, string keyId, byte[] signature, out AuditCheckpoint? checkpoint, out string? error)
    {
        checkpoint = null;
        if (root.Length != MerkleHash.Size || size < 0 || string.IsNullOrEmpty(logId) || string.IsNullOrEmpty(keyId))
        {
            error = "the checkpoint's root hash must be 32 bytes, its size not negative, and its log and key ids set";
            return false;
        }

        var at = new DateTimeOffset(DateTime.ParseExact(time, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);
        checkpoint = new AuditCheckpoint(logId, size, root, at, keyId, signature);
        error = null;
        return true;
    }

    private static byte[] Body(string logId, long treeSize, ReadOnlySpan<byte> rootHash, DateTimeOffset time, string keyId)
        => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{Header}\nlog {logId}\nsize {treeSize}\nroot {Convert.ToBase64String(rootHash)}\ntime {time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)}\nkey {keyId}\n"));

    private static void CheckLogId(string logId)
    {
        ArgumentException.ThrowIfNullOrEmpty(logId);
        foreach (var c in logId)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                throw new ArgumentException("A log id has no spaces or control characters.", nameof(logId));
            }
        }
    }

    private static void CheckKey(ECDsa key)
    {
        if (key.KeySize != 256)
        {
            throw new ArgumentException($"Checkpoints are signed with ECDSA P-256; this key has {key.KeySize} bits.", nameof(key));
        }
    }
}
