using System.Numerics.Tensors;

namespace AiOrchestrator.Caching.Semantic;

/// <summary>
/// An in-process nearest-neighbour index for a semantic response cache: unit vectors in partitions (one per tenant,
/// model and option set), each tagged with the key of a cached response, searched by cosine similarity.
/// </summary>
/// <remarks>
/// <para><b>Partitions are walls.</b> A lookup scans the rows of the one partition it names and nothing else, so an
/// entry of another tenant is never returned however close its vector is.</para>
/// <para><b>Storage and scan.</b> A partition keeps its unit vectors in one contiguous float array (row after row,
/// doubled when full, swap-remove on delete) and beside it an 8-bit copy of each row with the row's scale and
/// quantisation error (<see cref="SemanticVectors"/>). A lookup walks the 8-bit rows (a quarter of the bytes of the
/// floats, one AVX-VNNI instruction per 32 dimensions) and computes the exact float similarity with
/// <see cref="TensorPrimitives.Dot{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/> only for rows whose estimate, plus the error
/// bound of the two quantised vectors, could reach the threshold and the best so far. The bound is rigorous, so the
/// answer is the exact brute-force answer; only the work differs.</para>
/// <para><b>Locking.</b> A <see cref="ReaderWriterLockSlim"/>: lookups share the read lock and run in parallel, adds and
/// removals take the write lock. A copy-on-write snapshot would make lookups lock-free but would copy a partition's
/// vector array (tens of MB at 50,000 × 384) on every add, which costs more than the brief lock it saves. A hit moves its
/// entry to the recent end of the recency lists under a small separate lock, held for a few pointer writes; writers
/// need not take it, since the write lock excludes every reader.</para>
/// <para><b>Eviction.</b> Exact least-recently-used, O(1): entries are on a global recency list and on their
/// partition's, both moved to the recent end by an add, a replacement or a hit. Adding a new key to a partition at
/// <see cref="SemanticIndexOptions.MaxEntriesPerPartition"/> evicts that partition's least recently used entry; adding
/// when the index holds <see cref="SemanticIndexOptions.MaxEntries"/> evicts the least recently used entry of all.
/// Expired entries (<see cref="SemanticIndexOptions.EntryLifetime"/>) are never returned; they are dropped, oldest
/// first from a creation-order list, whenever the index is written and by <see cref="PurgeExpired"/>.</para>
/// </remarks>
internal sealed partial class SemanticIndex : IDisposable
{
    // Float rounding of the estimate and of the exact dot product, added to the quantisation error bound.
    private const float RoundingSlack = 1e-3f;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _recencyGate = new();
    private readonly Dictionary<string, SemanticPartition> _partitions = new(StringComparer.Ordinal);
    private readonly SlotLinks _recencyLinks = new();
    private readonly SlotLinks _partitionRecencyLinks = new();
    private readonly SlotLinks _ageLinks = new();
    private readonly TimeProvider _time;
    private readonly int _dimensions;
    private readonly int _maxEntries;
    private readonly int _maxPerPartition;
    private readonly long _lifetimeTicks;
    private SlotList _recency = SlotList.Empty;
    private SlotList _age = SlotList.Empty;
    private Entry[] _entries = [];
    private int _freeSlot = -1;
    private int _slotsInUse;
    private int _count;
    private long _stringBytes;
    private long _evictions;

    /// <summary>Creates an empty index; throws <see cref="ArgumentException"/> listing what is wrong with <paramref name="options"/>.</summary>
    public SemanticIndex(SemanticIndexOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new SemanticIndexOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new ArgumentException(result.FailureMessage, nameof(options));
        }

        _time = timeProvider ?? TimeProvider.System;
        _dimensions = options.Dimensions;
        _maxEntries = options.MaxEntries;
        _maxPerPartition = options.EffectiveMaxEntriesPerPartition;
        _lifetimeTicks = options.EntryLifetime?.Ticks ?? 0;
    }

    /// <summary>The length of every vector.</summary>
    public int Dimensions => _dimensions;

    /// <summary>The entries held, across partitions (expired entries not yet dropped included).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>How many entries were evicted to stay within the caps since the index was created.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>About how many bytes the index holds: vectors and codes at capacity, bookkeeping, keys and partition names.</summary>
    public long ApproximateBytes
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                // An entry slot is a key and a partition reference, a row and a time (32 bytes); a dictionary entry
                // about 24 bytes more.
                var bytes = (_entries.LongLength * 32) + _recencyLinks.Bytes + _partitionRecencyLinks.Bytes + _ageLinks.Bytes + _stringBytes + ((long)_count * 24);
                foreach (var partition in _partitions.Values)
                {
                    bytes += partition.Bytes + 64;
                }

                return bytes;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>
    /// Adds the vector of the response <paramref name="entryKey"/> to <paramref name="partition"/>, normalised to unit
    /// length, replacing the entry with that key in that partition if there is one. Adding a new key to a full index or
    /// partition evicts the least recently used entry first.
    /// </summary>
    /// <exception cref="ArgumentException">The vector has the wrong length, or is zero, NaN or infinite (the message says which); or a string is empty.</exception>
    public void Add(string partition, ReadOnlySpan<float> vector, string entryKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(partition);
        ArgumentException.ThrowIfNullOrEmpty(entryKey);
        Span<float> unit = stackalloc float[_dimensions];
        SemanticVectors.Normalize(vector, unit, nameof(vector));
        var now = _time.GetUtcNow().UtcTicks;
        _lock.EnterWriteLock();
        try
        {
            PurgeExpiredCore(now);
            AddCore(partition, unit, entryKey, now);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Finds the live entry of <paramref name="partition"/> most similar to <paramref name="vector"/> (cosine
    /// similarity) and returns it when its similarity is at least <paramref name="threshold"/>; a hit counts as a use
    /// for eviction. Entries of other partitions are never considered.
    /// </summary>
    /// <exception cref="ArgumentException">The vector has the wrong length, or is zero, NaN or infinite; or the threshold is NaN.</exception>
    public bool TryFindNearest(string partition, ReadOnlySpan<float> vector, float threshold, out SemanticMatch match)
    {
        ArgumentNullException.ThrowIfNull(partition);
        if (float.IsNaN(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), "The similarity threshold is NaN; use a number from -1 to 1.");
        }

        Span<float> query = stackalloc float[_dimensions];
        SemanticVectors.Normalize(vector, query, nameof(vector));
        Span<sbyte> codes = stackalloc sbyte[_dimensions];
        var quantized = SemanticVectors.QuantizeQuery(query, codes);
        var expiredAtOrBefore = _lifetimeTicks == 0 ? long.MinValue : _time.GetUtcNow().UtcTicks - _lifetimeTicks;
        _lock.EnterReadLock();
        try
        {
            if (_partitions.TryGetValue(partition, out var found))
            {
                var similarity = threshold;
                var row = Scan(found, query, codes, quantized, expiredAtOrBefore, ref similarity);
                if (row >= 0)
                {
                    var slot = found.RowSlots[row];
                    lock (_recencyGate)
                    {
                        Touch(found, slot);
                    }

                    match = new SemanticMatch(_entries[slot].Key!, similarity);
                    return true;
                }
            }

            match = default;
            return false;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Removes the entries with key <paramref name="entryKey"/> from every partition; returns how many there were. It
    /// looks in each partition (O(partitions)); <see cref="Remove(string, string)"/> goes straight to one.
    /// </summary>
    public int Remove(string entryKey)
    {
        ArgumentNullException.ThrowIfNull(entryKey);
        _lock.EnterWriteLock();
        try
        {
            List<int>? slots = null;
            foreach (var partition in _partitions.Values)
            {
                if (partition.SlotsByKey.TryGetValue(entryKey, out var slot))
                {
                    (slots ??= []).Add(slot);
                }
            }

            foreach (var slot in slots ?? [])
            {
                RemoveSlot(slot);
            }

            return slots?.Count ?? 0;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes the entry with key <paramref name="entryKey"/> from <paramref name="partition"/>; returns whether there was one.</summary>
    public bool Remove(string partition, string entryKey)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(entryKey);
        _lock.EnterWriteLock();
        try
        {
            if (_partitions.TryGetValue(partition, out var found) && found.SlotsByKey.TryGetValue(entryKey, out var slot))
            {
                RemoveSlot(slot);
                return true;
            }

            return false;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Removes every partition whose name <paramref name="predicate"/> accepts (for example every partition of one
    /// organisation or model); returns how many entries went. The predicate runs under the write lock: it must not call
    /// back into the index.
    /// </summary>
    public int RemovePartitions(Func<string, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        _lock.EnterWriteLock();
        try
        {
            var doomed = _partitions.Values.Where(partition => predicate(partition.Name)).ToList();
            var removed = 0;
            foreach (var partition in doomed)
            {
                // From the last row, so no row moves.
                while (partition.Count > 0)
                {
                    RemoveSlot(partition.RowSlots[partition.Count - 1]);
                    removed++;
                }
            }

            return removed;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Drops the expired entries now (they are also dropped whenever the index is written); returns how many.</summary>
    public int PurgeExpired()
    {
        var now = _time.GetUtcNow().UtcTicks;
        _lock.EnterWriteLock();
        try
        {
            return PurgeExpiredCore(now);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes every entry and releases the storage.</summary>
    public void Clear()
    {
        _lock.EnterWriteLock();
        try
        {
            ClearCore();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _lock.Dispose();

    // The scan: returns the best row at or above `similarity` (updated to its exact similarity), or -1.
    private int Scan(SemanticPartition partition, ReadOnlySpan<float> query, ReadOnlySpan<sbyte> queryCodes, (float Scale, float Error, int CodeSum) quantized, long expiredAtOrBefore, ref float similarity)
    {
        var dimensions = _dimensions;
        var count = partition.Count;
        var vectors = partition.Vectors;
        var codes = partition.Codes;
        var scales = partition.Scales;
        var errors = partition.Errors;
        var offset = SemanticVectors.CodeOffset * quantized.CodeSum;
        var best = similarity;
        var bestRow = -1;
        for (var row = 0; row < count; row++)
        {
            var start = row * dimensions;
            // |q·v − q̂·v̂| ≤ ‖q‖‖v − v̂‖ + ‖q − q̂‖‖v̂‖ ≤ e_v + e_q(1 + e_v), with ‖q‖ = ‖v‖ = 1.
            var rowError = errors[row];
            var estimate = (SemanticVectors.DotCodes(codes.AsSpan(start, dimensions), queryCodes) - offset) * (scales[row] * quantized.Scale);
            if (estimate + rowError + (quantized.Error * (1f + rowError)) + RoundingSlack < best)
            {
                continue;
            }

            var exact = TensorPrimitives.Dot(new ReadOnlySpan<float>(vectors, start, dimensions), query);
            if ((bestRow < 0 ? exact >= best : exact > best) && _entries[partition.RowSlots[row]].CreatedTicks > expiredAtOrBefore)
            {
                best = exact;
                bestRow = row;
            }
        }

        similarity = best;
        return bestRow;
    }

    // Under the write lock. `unit` is normalised.
    private void AddCore(string partitionName, ReadOnlySpan<float> unit, string entryKey, long createdTicks)
    {
        if (_partitions.TryGetValue(partitionName, out var partition) && partition.SlotsByKey.TryGetValue(entryKey, out var existing))
        {
            partition.Write(_entries[existing].Row, unit);
            _entries[existing].CreatedTicks = createdTicks;
            _age.MoveToLast(_ageLinks, existing);
            Touch(partition, existing);
            return;
        }

        if (partition is not null && partition.Count >= _maxPerPartition)
        {
            RemoveSlot(partition.Recency.Head);
            _evictions++;
        }

        if (_count >= _maxEntries)
        {
            RemoveSlot(_recency.Head);
            _evictions++;
        }

        // An eviction may have emptied, and so dropped, the partition.
        if (!_partitions.TryGetValue(partitionName, out partition))
        {
            partition = new SemanticPartition(partitionName, _dimensions, _maxPerPartition);
            _partitions.Add(partitionName, partition);
            _stringBytes += StringBytes(partitionName);
        }

        var slot = AllocateSlot();
        var row = partition.AddRow(slot);
        partition.Write(row, unit);
        _entries[slot] = new Entry { Key = entryKey, Partition = partition, Row = row, CreatedTicks = createdTicks };
        partition.SlotsByKey.Add(entryKey, slot);
        _recency.AddLast(_recencyLinks, slot);
        partition.Recency.AddLast(_partitionRecencyLinks, slot);
        _age.AddLast(_ageLinks, slot);
        _stringBytes += StringBytes(entryKey);
        Volatile.Write(ref _count, _count + 1);
    }

    // Under the write lock, or under the read lock and the recency gate.
    private void Touch(SemanticPartition partition, int slot)
    {
        _recency.MoveToLast(_recencyLinks, slot);
        partition.Recency.MoveToLast(_partitionRecencyLinks, slot);
    }

    // Under the write lock.
    private int PurgeExpiredCore(long now)
    {
        if (_lifetimeTicks == 0)
        {
            return 0;
        }

        var expiredAtOrBefore = now - _lifetimeTicks;
        var purged = 0;
        while (_age.Head >= 0 && _entries[_age.Head].CreatedTicks <= expiredAtOrBefore)
        {
            RemoveSlot(_age.Head);
            purged++;
        }

        return purged;
    }

    // Under the write lock.
    private void RemoveSlot(int slot)
    {
        var entry = _entries[slot];
        var partition = entry.Partition!;
        _recency.Remove(_recencyLinks, slot);
        partition.Recency.Remove(_partitionRecencyLinks, slot);
        _age.Remove(_ageLinks, slot);
        partition.SlotsByKey.Remove(entry.Key!);
        var moved = partition.RemoveRow(entry.Row);
        if (moved >= 0)
        {
            _entries[moved].Row = entry.Row;
        }

        _stringBytes -= StringBytes(entry.Key!);
        if (partition.Count == 0)
        {
            _partitions.Remove(partition.Name);
            _stringBytes -= StringBytes(partition.Name);
        }

        _entries[slot] = new Entry { Row = _freeSlot };
        _freeSlot = slot;
        Volatile.Write(ref _count, _count - 1);
    }

    // Under the write lock.
    private int AllocateSlot()
    {
        if (_freeSlot >= 0)
        {
            var free = _freeSlot;
            _freeSlot = _entries[free].Row;
            return free;
        }

        if (_slotsInUse == _entries.Length)
        {
            var capacity = (int)Math.Min(Math.Max(16, (long)_entries.Length * 2), _maxEntries);
            Array.Resize(ref _entries, capacity);
            _recencyLinks.Resize(capacity);
            _partitionRecencyLinks.Resize(capacity);
            _ageLinks.Resize(capacity);
        }

        return _slotsInUse++;
    }

    // Under the write lock.
    private void ClearCore()
    {
        _partitions.Clear();
        _entries = [];
        _recencyLinks.Resize(0);
        _partitionRecencyLinks.Resize(0);
        _ageLinks.Resize(0);
        _recency = SlotList.Empty;
        _age = SlotList.Empty;
        _freeSlot = -1;
        _slotsInUse = 0;
        _stringBytes = 0;
        Volatile.Write(ref _count, 0);
    }

    private static long StringBytes(string value) => 24 + (2L * value.Length);

    // An entry slot. A free slot has no partition, and its Row links the next free slot.
    private struct Entry
    {
        public string? Key;
        public SemanticPartition? Partition;
        public int Row;
        public long CreatedTicks;
    }
}
