using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;
using Microsoft.Extensions.Options;

namespace AiOrchestrator.Audit;

/// <summary>Checks <see cref="AuditOptions"/>, naming the setting and the fix for each problem.</summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Collect(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static List<string> Collect(AuditOptions options)
    {
        var failures = new List<string>();
        var section = AuditOptions.SectionName;
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            failures.Add($"{section}:Directory is not set; give the folder the audit log is kept in, such as data/audit.");
        }

        if (string.IsNullOrWhiteSpace(options.LogId) || options.LogId.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            failures.Add($"{section}:LogId is '{options.LogId}'; it must be a non-empty name without spaces, such as audit or billing-eu.");
        }

        if (options.SegmentBytes < 64 * 1024)
        {
            failures.Add($"{section}:SegmentBytes is {options.SegmentBytes}; it must be at least 65536 (64 KiB).");
        }

        if (options.FlushInterval < TimeSpan.Zero || options.FlushInterval > TimeSpan.FromSeconds(10))
        {
            failures.Add($"{section}:FlushInterval is {options.FlushInterval}; it must be between 00:00:00 and 00:00:10 (entries wait at most this long for their batch).");
        }

        if (options.MaxBatchEntries is < 1 or > 1_000_000)
        {
            failures.Add($"{section}:MaxBatchEntries is {options.MaxBatchEntries}; it must be between 1 and 1000000.");
        }

        if (options.MaxQueuedEntries < options.MaxBatchEntries)
        {
            failures.Add($"{section}:MaxQueuedEntries is {options.MaxQueuedEntries}; it must be at least MaxBatchEntries ({options.MaxBatchEntries}).");
        }

        if (options.CheckpointInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{section}:CheckpointInterval is {options.CheckpointInterval}; it must be at least 00:00:01.");
        }

        if (options.CheckpointEveryEntries < 1)
        {
            failures.Add($"{section}:CheckpointEveryEntries is {options.CheckpointEveryEntries}; it must be at least 1.");
        }

        if (options.SigningKeyPath is { } key && string.IsNullOrWhiteSpace(key))
        {
            failures.Add($"{section}:SigningKeyPath is blank; remove it (the key then lives in the log folder) or give a PEM file path.");
        }

        return failures;
    }
}
