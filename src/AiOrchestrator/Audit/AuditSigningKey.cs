using System.Security.Cryptography;

namespace AiOrchestrator.Audit;

/// <summary>Loads the checkpoint signing key from its PEM file, or creates one there.</summary>
internal static class AuditSigningKey
{
    public static ECDsa LoadOrCreate(string path, bool create, out bool created)
    {
        created = false;
        var key = ECDsa.Create();
        try
        {
            if (File.Exists(path))
            {
                key.ImportFromPem(File.ReadAllText(path));
                if (key.KeySize != 256)
                {
                    throw new InvalidOperationException($"The audit signing key '{path}' is a {key.KeySize}-bit key; checkpoints are signed with ECDSA P-256. Give a P-256 key (openssl ecparam -name prime256v1 -genkey | openssl pkcs8 -topk8 -nocrypt).");
                }

                return key;
            }

            if (!create)
            {
                throw new FileNotFoundException($"The audit signing key '{path}' does not exist. Create one, point AiOrchestrator:Audit:SigningKeyPath at it, or set CreateSigningKeyIfMissing.", path);
            }

            key.GenerateKey(ECCurve.NamedCurves.nistP256);
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            var temp = path + ".tmp";
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                stream.Write(System.Text.Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path);
            created = true;
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
