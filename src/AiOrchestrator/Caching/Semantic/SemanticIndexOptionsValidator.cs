using System.Globalization;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Caching.Semantic;

/// <summary>Validates <see cref="SemanticIndexOptions"/>; every message names the configuration key and how to fix it.</summary>
internal sealed class SemanticIndexOptionsValidator : IValidateOptions<SemanticIndexOptions>
{
    /// <summary>The largest <see cref="SemanticIndexOptions.MaxEntries"/> accepted (the slot table is indexed by int).</summary>
    public const int MaxEntriesLimit = 100_000_000;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, SemanticIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = SemanticIndexOptions.SectionName;
        var failures = new List<string>();
        if (options.Dimensions is < 1 or > SemanticIndexOptions.MaxDimensions)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{S}:Dimensions is {options.Dimensions}; it is required and must be 1 to {SemanticIndexOptions.MaxDimensions}: the length of the embedding model's vectors (for example 384 or 1536)."));
        }

        if (options.MaxEntries is < 1 or > MaxEntriesLimit)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{S}:MaxEntries is {options.MaxEntries}; it must be 1 to {MaxEntriesLimit:N0} (50000 by default)."));
        }

        if (options.MaxEntriesPerPartition is { } perPartition && (perPartition < 1 || perPartition > options.MaxEntries))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{S}:MaxEntriesPerPartition is {perPartition}; it must be at least 1 and at most {S}:MaxEntries ({options.MaxEntries}), or unset to use {S}:MaxEntries."));
        }

        var perPartitionCap = (long)Math.Min(options.MaxEntriesPerPartition ?? options.MaxEntries, options.MaxEntries);
        if (options.Dimensions > 0 && perPartitionCap * options.Dimensions > Array.MaxLength)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{S}:MaxEntriesPerPartition × {S}:Dimensions is {perPartitionCap * options.Dimensions:N0}; one partition's vectors must fit one array ({Array.MaxLength:N0} floats). Lower {S}:MaxEntriesPerPartition."));
        }

        if (options.EntryLifetime is { } lifetime && lifetime <= TimeSpan.Zero)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{S}:EntryLifetime is {lifetime}; it must be positive (for example \"01:00:00\"), or unset to keep entries until they are evicted."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
