namespace AiOrchestrator.Caching;

/// <summary>Puts an organisation in a named cache partition that other organisations may share (an explicit opt-in).</summary>
public sealed class CachePartitionRule
{
    /// <summary>The organisation.</summary>
    public string? Organization { get; set; }

    /// <summary>The shared partition's name; organisations with the same name share entries.</summary>
    public string? Partition { get; set; }
}
