using System.ComponentModel.DataAnnotations;

namespace AiOrchestrator.Budgets;

/// <summary>Settings of the budget stage (the part of the pipeline that reserves and settles each attempt).</summary>
public sealed class BudgetStageOptions
{
    /// <summary>
    /// Lower the output cap of a call when it is unset or more than the wallets can pay for, so one call cannot
    /// overspend. Default true. When false, an unaffordable call is refused.
    /// </summary>
    public bool ClampMaxOutputTokens { get; set; } = true;

    /// <summary>The output cap reserved for (and sent with) calls that set none. Default 4,096 tokens.</summary>
    [Range(1, int.MaxValue)]
    public int DefaultMaxOutputTokens { get; set; } = 4096;

    /// <summary>
    /// Wait until a call's settlement is on disk before returning its response. Default false: settlements are
    /// group-committed a few milliseconds later, and a crash in between loses at most those (see the budgets docs).
    /// </summary>
    public bool WaitForDurableSettlement { get; set; }

    /// <summary>Checks the settings; throws naming the setting and the fix.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    internal void Validate()
    {
        if (DefaultMaxOutputTokens < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(DefaultMaxOutputTokens), DefaultMaxOutputTokens, "DefaultMaxOutputTokens of the budget stage must be at least 1 (4,096 by default): it is the output cap reserved for calls that set none.");
        }
    }
}
