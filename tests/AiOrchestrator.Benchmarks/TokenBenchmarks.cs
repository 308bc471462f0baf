using AiOrchestrator.Tokens;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Benchmarks;

/// <summary>Pre-call token counting of a 1 KB prompt: the cheap bound against the exact o200k tokenizer.</summary>
[MemoryDiagnoser]
public class TokenBenchmarks
{
    private const string Paragraph =
        "Please review the attached quarterly report and summarise the spending per team. Highlight any team whose "
        + "model costs grew by more than 20% since last quarter, list the three most expensive models, and suggest "
        + "cheaper alternatives where quality allows. Format the answer as a short table followed by two sentences. ";

    private string _prompt = "";
    private List<ChatMessage> _messages = [];

    [GlobalSetup]
    public void Setup()
    {
        _prompt = string.Concat(Enumerable.Repeat(Paragraph, 4))[..1024];
        _messages = [new(ChatRole.System, "You are a concise financial analyst."), new(ChatRole.User, _prompt)];
        ExactTokenCounter.CountTokens(_prompt, TokenizerFamily.O200k); // load the vocabulary outside the measurement
    }

    [Benchmark(Baseline = true)]
    public int CharsDividedByFour() => (_prompt.Length + 3) / 4;

    [Benchmark]
    public int Estimate1KB() => TokenEstimator.EstimateTokens(_prompt, TokenizerFamily.O200k);

    [Benchmark]
    public int ExactO200k1KB() => ExactTokenCounter.CountTokens(_prompt, TokenizerFamily.O200k);

    [Benchmark]
    public int EstimateMessages() => TokenEstimator.EstimateInputTokens(_messages, null, "gpt-4o");

    [Benchmark]
    public int ExactMessages() => ExactTokenCounter.CountInputTokens(_messages, null, "gpt-4o");
}
