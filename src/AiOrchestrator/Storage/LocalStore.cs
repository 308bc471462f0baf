using System.Collections.Concurrent;
using LiteDB;

namespace AiOrchestrator.Storage;

/// <summary>
/// The embedded LiteDB file that holds usage records, wallets and their history.
/// Exactly one <see cref="LiteDatabase"/> is opened per file per process (LiteDB's direct mode does not lock the
/// file on Linux, so two instances would corrupt it); every part of the library that uses the same file shares it.
/// </summary>
internal sealed class LocalStore : IDisposable
{
    private static readonly ConcurrentDictionary<string, LocalStore> Open = new(StringComparer.Ordinal);
    private static readonly Lock OpenLock = new();

    private int _references;

    private LocalStore(string path, LiteDatabase database)
    {
        Path = path;
        Database = database;
    }

    /// <summary>The full path of the database file, or <c>:memory:</c>.</summary>
    public string Path { get; }

    /// <summary>The shared, thread-safe database.</summary>
    public LiteDatabase Database { get; }

    /// <summary>
    /// Opens (or shares the already open) store at <paramref name="path"/>. <c>:memory:</c> opens a private
    /// in-memory database. Each call must be paired with one <see cref="Dispose"/>.
    /// </summary>
    public static LocalStore Acquire(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (path == ":memory:")
        {
            var memory = new LocalStore(path, new LiteDatabase(new MemoryStream()));
            memory._references = 1;
            return memory;
        }

        var full = System.IO.Path.GetFullPath(path);
        lock (OpenLock)
        {
            if (Open.TryGetValue(full, out var existing))
            {
                existing._references++;
                return existing;
            }

            var directory = System.IO.Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            var database = new LiteDatabase(new ConnectionString { Filename = full, Connection = ConnectionType.Direct });
            var store = new LocalStore(full, database) { _references = 1 };
            Open[full] = store;
            return store;
        }
    }

    /// <summary>Releases this reference; the file is closed when the last reference is released.</summary>
    public void Dispose()
    {
        if (Path == ":memory:")
        {
            Database.Dispose();
            return;
        }

        lock (OpenLock)
        {
            if (--_references > 0)
            {
                return;
            }

            Open.TryRemove(Path, out _);
            Database.Dispose();
        }
    }
}
