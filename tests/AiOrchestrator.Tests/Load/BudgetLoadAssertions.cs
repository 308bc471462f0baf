using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using Xunit.Abstractions;

// Shared by both pipelines' load tests (linked into the HTTP test project): one set of assertions over the books a
// load run leaves, whichever pipeline it went through.
namespace AiOrchestrator.Tests.Load;

/// <summary>What a load run left: the callers' outcomes, the team's and organisation's wallets and histories, the usage store's view.</summary>
public interface IBudgetLoadRun
{
    int Callers { get; }

    decimal TeamLimit { get; }

    int CallsMade { get; }

    int Refusals { get; }

    int Answers { get; }

    /// <summary>Callers that got something their case does not provoke, described for the failure message.</summary>
    IEnumerable<string> UnexpectedOutcomes { get; }

    Wallet TeamWallet { get; }

    Wallet OrgWallet { get; }

    IReadOnlyList<WalletTransaction> TeamHistory { get; }

    IReadOnlyList<WalletTransaction> OrgHistory { get; }

    IReadOnlyList<SpendSummary> TeamSpend { get; }

    IReadOnlyList<UsageRecord> TeamRecords { get; }

    long OverrunTokens { get; }

    int OverrunCalls { get; }

    /// <summary>What the provider-reported overruns allow the team's spend to exceed its limit by.</summary>
    decimal AllowedExcess { get; }

    string Describe();
}

/// <summary>
/// 4,000 concurrent callers of one team against a $1.00 team wallet, through one pipeline (the derived classes say
/// which). The load runs once per derived class; each test checks one invariant of the books it leaves.
/// </summary>
/// <typeparam name="TRun">The load run, a class fixture.</typeparam>
public abstract class BudgetLoadTests<TRun>
    where TRun : IBudgetLoadRun
{
    private readonly TRun _run;

    protected BudgetLoadTests(TRun run, ITestOutputHelper output)
    {
        _run = run;
        output.WriteLine(run.Describe());
    }

    [Fact]
    public void Every_caller_gets_its_answer_or_the_error_its_case_expects_and_the_wallet_runs_out()
    {
        _run.CallsMade.Should().BeGreaterThanOrEqualTo(_run.Callers);
        _run.UnexpectedOutcomes.Should().BeEmpty("a caller only sees its answer, a refusal, or the error its own case provokes");
        _run.Refusals.Should().BePositive("4,000 callers need far more than $1.00, so the limit is reached under load");
        _run.Answers.Should().BePositive();
    }

    [Fact]
    public void Settled_team_spend_stays_within_the_limit_plus_what_the_provider_reported_past_its_caps()
    {
        var allowed = _run.TeamLimit + _run.AllowedExcess;
        _run.TeamWallet.Spent.Amount.Should().BeLessThanOrEqualTo(
            allowed,
            "only provider-reported usage beyond the cap may exceed a reservation ({0} tokens over {1} calls allow ${2} over the ${3} limit); spend past that is an overspend of {4:P2}",
            _run.OverrunTokens,
            _run.OverrunCalls,
            _run.AllowedExcess,
            _run.TeamLimit,
            (_run.TeamWallet.Spent.Amount - _run.TeamLimit) / _run.TeamLimit);
    }

    [Fact]
    public void Only_usage_the_provider_reported_past_its_cap_settles_above_a_reservation()
    {
        var overruns = _run.TeamHistory.Where(t => t.Kind == WalletTransactionKind.Settle).Sum(t => t.Overrun);
        overruns.Should().BeLessThanOrEqualTo(
            _run.AllowedExcess,
            "an estimate is capped at what was reserved, so only the {0} tokens the provider (or server) reported past its caps may settle above a reservation; the ledger recorded overruns worth {1:P2} of the limit",
            _run.OverrunTokens,
            overruns / _run.TeamLimit);
    }

    [Fact]
    public void No_reservation_is_left_open_after_every_caller_has_finished()
    {
        _run.TeamWallet.Reserved.Amount.Should().Be(0m);
        _run.OrgWallet.Reserved.Amount.Should().Be(0m);
        _run.TeamHistory.Sum(t => t.ReservedChange).Should().Be(0m, "every reservation in the history was resolved");
        _run.TeamHistory.Count(t => t.Kind == WalletTransactionKind.Expire).Should().Be(0, "no reservation had to wait for the expiry sweep");
    }

    [Fact]
    public void The_wallet_history_adds_up_to_its_balance_and_its_spend()
    {
        foreach (var (wallet, history) in new[] { (_run.TeamWallet, _run.TeamHistory), (_run.OrgWallet, _run.OrgHistory) })
        {
            history.Sum(t => t.BalanceChange).Should().Be(wallet.Balance.Amount, "the balance of {0} is the sum of its history", wallet.Id);
            history.Where(t => t.Kind is WalletTransactionKind.Settle or WalletTransactionKind.Adjustment or WalletTransactionKind.Refund)
                .Sum(t => -t.BalanceChange)
                .Should().Be(wallet.Spent.Amount, "the spend of {0} is what its history posted", wallet.Id);
        }
    }

    [Fact]
    public void The_usage_store_and_the_ledger_agree_on_the_teams_total_cost_to_the_exact_decimal()
    {
        var stored = _run.TeamSpend.Sum(s => s.Cost.Amount);
        stored.Should().Be(_run.TeamWallet.Spent.Amount, "every priced attempt is both recorded and settled, at the same cost");
        _run.TeamSpend.Sum(s => s.Calls).Should().Be(_run.TeamRecords.Count);
        _run.OrgWallet.Spent.Should().Be(_run.TeamWallet.Spent, "each settlement is posted to every wallet on the path, the organisation's too");
    }
}

