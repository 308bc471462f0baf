using AiOrchestrator.Benchmarks.Soak;
using BenchmarkDotNet.Running;

// `-- soak --calls N` runs the budget soak (see Soak/BudgetSoak.cs); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "soak")
{
    return await BudgetSoak.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
