using Microsoft.Extensions.Options;

namespace AiOrchestrator.Caching;

/// <summary>Checks <see cref="AiCacheOptions"/>, naming the setting and the fix for each problem.</summary>
public sealed class AiCacheOptionsValidator : IValidateOptions<AiCacheOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, AiCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Collect(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static List<string> Collect(AiCacheOptions options)
    {
        var failures = new List<string>();
        var section = AiCacheOptions.SectionName;
        if (options.DefaultTimeToLive <= TimeSpan.Zero)
        {
            failures.Add($"{section}:DefaultTimeToLive is {options.DefaultTimeToLive}; it must be positive, such as 01:00:00. Leave the cache out of the pipeline to turn it off.");
        }

        if (!Enum.IsDefined(options.SampledCalls))
        {
            failures.Add($"{section}:SampledCalls is '{options.SampledCalls}', which is not a policy. Use Bypass or Cache.");
        }

        if (options.MaxEntryBytes < 1024)
        {
            failures.Add($"{section}:MaxEntryBytes is {options.MaxEntryBytes}; it must be at least 1024.");
        }

        for (var i = 0; i < options.TimeToLiveRules.Count; i++)
        {
            var rule = options.TimeToLiveRules[i];
            if (rule is null)
            {
                failures.Add($"{section}:TimeToLiveRules:{i} is empty. Remove it, or give it an Organization and/or Model and a TimeToLive.");
                continue;
            }

            if (rule.TimeToLive < TimeSpan.Zero)
            {
                failures.Add($"{section}:TimeToLiveRules:{i}:TimeToLive is {rule.TimeToLive}; it cannot be negative (0 turns caching off for the rule).");
            }

            if (string.IsNullOrWhiteSpace(rule.Organization) && string.IsNullOrWhiteSpace(rule.Model))
            {
                failures.Add($"{section}:TimeToLiveRules:{i} names neither an Organization nor a Model; set one, or use DefaultTimeToLive.");
            }
        }

        var semantic = options.Semantic;
        if (semantic is null)
        {
            failures.Add($"{section}:Semantic is empty; remove it or set Enabled.");
        }
        else
        {
            if (semantic.Threshold is <= 0f or > 1f || float.IsNaN(semantic.Threshold))
            {
                failures.Add($"{section}:Semantic:Threshold is {semantic.Threshold}; it must be above 0 and at most 1 (the default, 0.90, was measured: see docs/caching-evaluation.md).");
            }

            if (semantic.MaxEntries < 1)
            {
                failures.Add($"{section}:Semantic:MaxEntries is {semantic.MaxEntries}; it must be at least 1.");
            }

            if (semantic.MaxEntriesPerPartition is < 1)
            {
                failures.Add($"{section}:Semantic:MaxEntriesPerPartition is {semantic.MaxEntriesPerPartition}; it must be at least 1, or unset.");
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.PartitionRules.Count; i++)
        {
            var rule = options.PartitionRules[i];
            if (rule is null || string.IsNullOrWhiteSpace(rule.Organization) || string.IsNullOrWhiteSpace(rule.Partition))
            {
                failures.Add($"{section}:PartitionRules:{i} needs both an Organization and a Partition name.");
                continue;
            }

            if (!seen.Add(rule.Organization))
            {
                failures.Add($"{section}:PartitionRules:{i} lists organization '{rule.Organization}' again; an organisation belongs to one partition.");
            }
        }

        for (var i = 0; i < options.ToolsWithSideEffects.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.ToolsWithSideEffects[i]))
            {
                failures.Add($"{section}:ToolsWithSideEffects:{i} is empty; give a function name.");
            }
        }

        return failures;
    }
}
