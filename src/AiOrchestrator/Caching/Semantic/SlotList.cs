namespace AiOrchestrator.Caching.Semantic;

/// <summary>
/// The two ends of a doubly linked list of entry slots whose links live in a <see cref="SlotLinks"/> table. Several lists
/// can share one table as long as a slot is on at most one of them (each partition's recency list shares one table).
/// The head is the oldest (least recently used) slot; the tail the newest. Every operation is O(1).
/// </summary>
internal struct SlotList
{
    /// <summary>The first (oldest) slot, or -1 when the list is empty.</summary>
    public int Head;

    /// <summary>The last (newest) slot, or -1 when the list is empty.</summary>
    public int Tail;

    /// <summary>An empty list.</summary>
    public static SlotList Empty => new() { Head = -1, Tail = -1 };

    /// <summary>Appends <paramref name="slot"/> (not on the list) at the tail.</summary>
    public void AddLast(SlotLinks links, int slot)
    {
        links.Prev[slot] = Tail;
        links.Next[slot] = -1;
        if (Tail >= 0)
        {
            links.Next[Tail] = slot;
        }
        else
        {
            Head = slot;
        }

        Tail = slot;
    }

    /// <summary>Unlinks <paramref name="slot"/>, which is on the list.</summary>
    public void Remove(SlotLinks links, int slot)
    {
        var prev = links.Prev[slot];
        var next = links.Next[slot];
        if (prev >= 0)
        {
            links.Next[prev] = next;
        }
        else
        {
            Head = next;
        }

        if (next >= 0)
        {
            links.Prev[next] = prev;
        }
        else
        {
            Tail = prev;
        }

        links.Prev[slot] = -1;
        links.Next[slot] = -1;
    }

    /// <summary>Moves <paramref name="slot"/>, which is on the list, to the tail.</summary>
    public void MoveToLast(SlotLinks links, int slot)
    {
        if (Tail == slot)
        {
            return;
        }

        Remove(links, slot);
        AddLast(links, slot);
    }
}

/// <summary>The previous and next links of every entry slot, for one kind of <see cref="SlotList"/>.</summary>
internal sealed class SlotLinks
{
    /// <summary>The previous slot of each slot, or -1.</summary>
    public int[] Prev = [];

    /// <summary>The next slot of each slot, or -1.</summary>
    public int[] Next = [];

    /// <summary>Grows the table to <paramref name="capacity"/> slots, keeping the links.</summary>
    public void Resize(int capacity)
    {
        Array.Resize(ref Prev, capacity);
        Array.Resize(ref Next, capacity);
    }

    /// <summary>The bytes the table holds.</summary>
    public long Bytes => (Prev.LongLength + Next.LongLength) * sizeof(int);
}
