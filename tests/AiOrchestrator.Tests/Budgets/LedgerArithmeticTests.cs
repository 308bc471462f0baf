using AiOrchestrator.Budgets;
using AiOrchestrator.Pricing;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Budgets.TestLedgers;

namespace AiOrchestrator.Tests.Budgets;

/// <summary>
/// The money arithmetic the budget relies on, pinned where mutation testing found it untested: the planner's price
/// sums, the rollover's carry-over of top-ups, and the currency of a reservation.
/// </summary>
public sealed class LedgerArithmeticTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static ModelPrice PriceWithFee() => PriceCatalog.Default.WithPrices(
        [new ModelPriceDefinition { Provider = "acme", Model = "fee", Currency = "EUR", InputPerMillion = 1m, OutputPerMillion = 2m, PerRequest = 0.5m }])
        .FindPrice("acme", "fee", Now);

    [Fact]
    public void The_worst_case_estimate_adds_the_per_request_fee()
    {
        // 1,000 x 1 + 2,000 x 2 = 5,000 per million = 0.005; + 0.5 per request.
        PriceWithFee().EstimateMaxCost(1_000, 2_000).Should().Be(new Money(0.505m, "EUR"));
        PriceWithFee().EstimateMaxCost(0, 0).Should().Be(new Money(0.5m, "EUR"));
    }

    [Fact]
    public void The_affordable_output_leaves_room_for_the_per_request_fee_and_the_input()
    {
        var price = PriceWithFee();

        // 0.505 pays for 1,000 input tokens (0.001), the fee (0.5) and 2,000 output tokens (0.004).
        price.MaxAffordableOutputTokens(new Money(0.505m, "EUR"), 1_000).Should().Be(2_000);
        price.MaxAffordableOutputTokens(new Money(0.5049999m, "EUR"), 1_000).Should().Be(1_999);
        price.MaxAffordableOutputTokens(new Money(0.5m, "EUR"), 0).Should().Be(0, "the fee alone uses everything");
        price.EstimateMaxCost(1_000, price.MaxAffordableOutputTokens(new Money(0.7m, "EUR"), 1_000)).Amount.Should().BeLessThanOrEqualTo(0.7m);
        price.CalculateCost(new TokenUsage { InputTokens = 1_000, OutputTokens = 2_000 }).Should().Be(new Money(0.505m, "EUR"));
    }

    [Fact]
    public void Negative_token_counts_are_refused()
    {
        var price = PriceWithFee();
        var output = () => price.EstimateMaxCost(10, -1);
        output.Should().Throw<ArgumentOutOfRangeException>();
        var input = () => price.EstimateMaxCost(-1, 10);
        input.Should().Throw<ArgumentOutOfRangeException>();
        var affordable = () => price.MaxAffordableOutputTokens(new Money(1m, "EUR"), -1);
        affordable.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void The_affordable_output_steps_back_when_decimal_division_rounds_up()
    {
        var price = PriceCatalog.Default.WithPrices(
            [new ModelPriceDefinition { Provider = "acme", Model = "three", Currency = "EUR", InputPerMillion = 1m, OutputPerMillion = 3m, PerRequest = 0.5m }])
            .FindPrice("acme", "three", Now);

        // After the fee, just under the price of 8,701,230,553 tokens is left; decimal division (28 digits) rounds the
        // count up to exactly that many, which would cost more than is left.
        price.MaxAffordableOutputTokens(new Money(26104.191658999999999999999999m, "EUR"), 0).Should().Be(8_701_230_552);
        price.MaxAffordableOutputTokens(new Money(0.500003m, "EUR"), 0).Should().Be(1);

        // A large budget: the count comes from one division, not from stepping back.
        price.MaxAffordableOutputTokens(new Money(3_000.5m, "EUR"), 0).Should().Be(1_000_000_000);
    }

    [Fact]
    public void Nothing_left_after_the_input_and_the_fee_affords_no_output_even_when_output_is_free()
    {
        var free = PriceCatalog.Default.WithPrices(
            [new ModelPriceDefinition { Provider = "acme", Model = "free-out", Currency = "EUR", InputPerMillion = 1m, OutputPerMillion = 0m, PerRequest = 0.5m }])
            .FindPrice("acme", "free-out", Now);
        free.MaxAffordableOutputTokens(new Money(0.501m, "EUR"), 1_000).Should().Be(0);
        free.MaxAffordableOutputTokens(new Money(0.502m, "EUR"), 1_000).Should().Be(long.MaxValue);
    }

    [Fact]
    public void A_price_describes_its_long_context_tiers()
    {
        var definition = new ModelPriceDefinition { Provider = "acme", Model = "long", Currency = "EUR", InputPerMillion = 1m, OutputPerMillion = 2m };
        definition.Tiers.Add(new PriceTierDefinition { AboveInputTokens = 100_000, InputPerMillion = 2m });
        var tiered = PriceCatalog.Default.WithPrices([definition]).FindPrice("acme", "long", Now);
        tiered.ToString().Should().Be("acme/long: input_mtok=1 (+tiers), output_mtok=2 EUR [Override]");
        PriceWithFee().ToString().Should().Be("acme/fee: input_mtok=1, output_mtok=2, requests_kcount=500.0 EUR [Override]");
    }

    [Fact]
    public async Task At_a_rollover_top_ups_carry_over_only_as_far_as_holds_exceed_the_new_limit()
    {
        var time = new FakeTimeProvider(Start);
        var options = Options(userLimit: 10m, period: BudgetPeriod.Day);
        options.ReservationTimeout = TimeSpan.FromDays(2);
        options.IdempotencyRetention = TimeSpan.FromDays(2);
        using var ledger = Create(time, options);
        await ledger.TopUpAsync(User, Usd(6m), "t");
        await ledger.ReserveAsync([User], Usd(14m), "big");
        await ledger.ReserveAsync([User], Usd(1m), "small");

        time.Advance(TimeSpan.FromDays(1));
        var wallet = ledger.GetWallet(User);
        wallet.Reserved.Should().Be(Usd(15m));
        wallet.TopUps.Should().Be(Usd(5m), "15 held against a limit of 10: 5 of the top-ups stay to cover it");
        wallet.Spent.Should().Be(Usd(0m));
        wallet.Available.Should().Be(Usd(0m));
        await LedgerInvariants.AssertHoldAsync(ledger);

        time.Advance(TimeSpan.FromDays(0.5));
        using var below = Create(time, options);
        await below.TopUpAsync(User, Usd(6m), "t");
        await below.ReserveAsync([User], Usd(4m), "r");
        time.Advance(TimeSpan.FromDays(1));
        below.GetWallet(User).TopUps.Should().Be(Usd(0m), "holds within the new limit need no carry-over");
    }

    [Fact]
    public async Task A_reservation_is_in_its_wallets_currency_also_after_a_restart()
    {
        using var journal = new TempJournal();
        var time = new FakeTimeProvider(Start);
        var options = new BudgetOptions { StorePath = journal.Path };
        options.Wallets.Add(new WalletOptions { Id = "app:acme/bot", Limit = 10m, Currency = "EUR", Period = BudgetPeriod.Total });
        var bot = WalletId.ForApp("acme", "bot");
        long id;
        await using (var ledger = new BudgetLedger(options, time))
        {
            var r = await ledger.ReserveAsync([bot], new Money(2m, "EUR"), "r");
            r.Amount.Currency.Should().Be("EUR");
            id = r.Id;
        }

        foreach (var fromSnapshot in new[] { true, false })
        {
            if (!fromSnapshot)
            {
                File.Delete(journal.Path + ".snapshot");
            }

            await using var reopened = new BudgetLedger(options, time);
            reopened.FindReservation(id)!.Amount.Should().Be(new Money(2m, "EUR"));
            (await reopened.ReserveAsync([bot], new Money(2m, "EUR"), "r")).Amount.Currency.Should().Be("EUR");
        }
    }
}
