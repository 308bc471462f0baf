namespace AiOrchestrator.Caching.Semantic;

internal sealed partial class SemanticIndex
{
    /// <summary>
    /// Writes every entry to <paramref name="stream"/> in the <see cref="SemanticIndexFile"/> format (least recently used
    /// first). Lookups go on meanwhile; adds and removals wait until it is written.
    /// </summary>
    public void SaveTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _lock.EnterReadLock();
        try
        {
            var numbers = new Dictionary<SemanticPartition, int>(_partitions.Count);
            var names = new List<string>(_partitions.Count);
            foreach (var partition in _partitions.Values)
            {
                numbers.Add(partition, names.Count);
                names.Add(partition.Name);
            }

            // Hits move entries on the recency list under the gate: take the order under it, then write without it.
            var order = new int[_count];
            lock (_recencyGate)
            {
                var next = 0;
                for (var slot = _recency.Head; slot >= 0; slot = _recencyLinks.Next[slot])
                {
                    order[next++] = slot;
                }
            }

            using var writer = new SemanticIndexFile.Writer(stream);
            SemanticIndexFile.WriteHeader(writer, _dimensions, names, order.Length);
            foreach (var slot in order)
            {
                var entry = _entries[slot];
                SemanticIndexFile.WriteEntry(writer, numbers[entry.Partition!], entry.Key!, entry.CreatedTicks, entry.Partition!.Vector(entry.Row));
            }

            SemanticIndexFile.WriteTrailer(writer);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Replaces the contents of the index with the entries saved in <paramref name="stream"/>, in their recency order,
    /// within this index's caps (the least recently used beyond them are evicted) and leaving out expired entries. The
    /// whole stream is read and checked before anything changes.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The stream is not a semantic index file, is corrupt or truncated, or holds vectors of another dimension; the message
    /// says which. The index is unchanged.
    /// </exception>
    public void LoadFrom(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var contents = SemanticIndexFile.Read(stream, _dimensions);
        var now = _time.GetUtcNow().UtcTicks;
        _lock.EnterWriteLock();
        try
        {
            ClearCore();
            foreach (var entry in contents.Entries)
            {
                if (_lifetimeTicks != 0 && entry.CreatedTicks <= now - _lifetimeTicks)
                {
                    continue;
                }

                AddCore(contents.Partitions[entry.Partition], contents.Vectors.AsSpan(entry.VectorOffset, _dimensions), entry.Key, entry.CreatedTicks);
            }

            // Entries came in recency order; expiry drops from the head of the creation-order list, so sort that list.
            var byAge = new List<int>(_count);
            for (var slot = _age.Head; slot >= 0; slot = _ageLinks.Next[slot])
            {
                byAge.Add(slot);
            }

            byAge.Sort((a, b) => _entries[a].CreatedTicks.CompareTo(_entries[b].CreatedTicks));
            _age = SlotList.Empty;
            foreach (var slot in byAge)
            {
                _age.AddLast(_ageLinks, slot);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }
}
