using AiOrchestrator.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Tests.Caching;

#pragma warning disable AIOEXP001

/// <summary>The semantic cache in the <c>IChatClient</c> pipeline, over a deterministic bag-of-words embedding.</summary>
public class SemanticCacheTests
{
    private static CacheTestHost Host(IEmbeddingGenerator<string, Embedding<float>>? generator = null)
        => new(
            cache: o => o.Semantic.Enabled = true,
            services: s => s.AddSingleton(generator ?? new BagOfWords()));

    [Fact]
    public async Task A_rewording_of_a_stored_question_gets_its_answer_and_is_recorded_as_a_semantic_hit()
    {
        await using var host = Host();

        var first = await host.Client.GetResponseAsync("What is the capital of France?");
        var second = await host.Client.GetResponseAsync("what is the capital of France");

        host.ProviderCalls.Should().Be(1);
        second.Text.Should().Be(first.Text);
        var hit = (await host.RecordsAsync()).Single(r => r.CacheHit);
        hit.SemanticCacheHit.Should().BeTrue();
        hit.CostAvoided.Should().Be(0.004m);

        // A streamed rewording is replayed too.
        var streamed = await host.Client.GetStreamingResponseAsync("What is the capital of France").ToChatResponseAsync();
        streamed.Text.Should().Be(first.Text);
        host.ProviderCalls.Should().Be(1);
    }

    [Fact]
    public async Task A_question_that_changes_a_number_a_negation_or_a_name_is_not_answered_from_a_similar_one()
    {
        await using var host = Host();

        await host.Client.GetResponseAsync("Is 17 a prime number?");
        await host.Client.GetResponseAsync("Is 21 a prime number?");
        await host.Client.GetResponseAsync("Does the model support streaming?");
        await host.Client.GetResponseAsync("Does the model not support streaming?");
        await host.Client.GetResponseAsync("How do I install Django?");
        await host.Client.GetResponseAsync("How do I install Flask?");

        host.ProviderCalls.Should().Be(6);
        (await host.RecordsAsync()).Should().OnlyContain(r => !r.CacheHit);
    }

    [Fact]
    public async Task Semantic_hits_never_cross_tenants_or_conversations()
    {
        await using var host = Host();

        await host.Client.GetResponseAsync("What is the capital of France?", CacheTestHost.For("tenant-a"));
        await host.Client.GetResponseAsync("what is the capital of france", CacheTestHost.For("tenant-b"));
        host.ProviderCalls.Should().Be(2);

        // The same last question after other earlier messages is another conversation.
        List<ChatMessage> conversation = [new(ChatRole.System, "Answer in French."), new(ChatRole.User, "what is the capital of france")];
        await host.Client.GetResponseAsync(conversation, CacheTestHost.For("tenant-a"));
        host.ProviderCalls.Should().Be(3);
    }

    [Fact]
    public async Task An_embedding_generator_that_fails_or_returns_the_wrong_dimension_leaves_the_call_to_the_provider()
    {
        var generator = new BagOfWords();
        await using var host = Host(generator);
        await host.Client.GetResponseAsync("What is the capital of France?");

        generator.Fail = true;
        (await host.Client.GetResponseAsync("what is the capital of France")).Text.Should().StartWith("Answer to:");
        generator.Fail = false;
        generator.Dimensions = 8;
        (await host.Client.GetResponseAsync("What is the capital of France")).Text.Should().StartWith("Answer to:");

        host.ProviderCalls.Should().Be(3);
        (await host.RecordsAsync()).Should().OnlyContain(r => !r.CacheHit);
    }

    [Fact]
    public void Enabling_the_semantic_cache_without_an_embedding_generator_fails_naming_the_fix()
    {
        var services = new ServiceCollection().AddAiOrchestrator(o => o.StorePath = ":memory:").AddAiCache(configure: o => o.Semantic.Enabled = true);
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<AiResponseCache>();

        act.Should().Throw<InvalidOperationException>().WithMessage("*Semantic:Enabled is true, but no IEmbeddingGenerator<string, Embedding<float>> is registered*AddLocalEmbeddingGenerator*");
    }

    /// <summary>A deterministic embedding: one dimension per hashed lower-case word, normalised.</summary>
    private sealed class BagOfWords : IEmbeddingGenerator<string, Embedding<float>>
    {
        public bool Fail { get; set; }

        public int Dimensions { get; set; } = 64;

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (Fail)
            {
                throw new HttpRequestException("The embedding service is down.");
            }

            var result = new GeneratedEmbeddings<Embedding<float>>();
            foreach (var value in values)
            {
                var vector = new float[Dimensions];
                foreach (var word in value.ToLowerInvariant().Split([' ', '?', '.', ','], StringSplitOptions.RemoveEmptyEntries))
                {
                    vector[(int)((uint)StableHash(word) % (uint)Dimensions)] += 1f;
                }

                result.Add(new Embedding<float>(vector));
            }

            return Task.FromResult(result);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }

        private static int StableHash(string word)
        {
            var hash = 17;
            foreach (var c in word)
            {
                hash = (hash * 31) + c;
            }

            return hash;
        }
    }
}
