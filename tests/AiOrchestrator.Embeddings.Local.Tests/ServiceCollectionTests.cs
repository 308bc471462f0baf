using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Embeddings.Local.Tests;

public class ServiceCollectionTests
{
    [Fact]
    public async Task AddLocalEmbeddingGenerator_registers_one_local_generator_for_the_app()
    {
        var services = new ServiceCollection();
        services.AddLocalEmbeddingGenerator(o => o.BatchSize = 8);

        await using var provider = services.BuildServiceProvider();
        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>().Should().BeSameAs(generator);
        generator.GetService<LocalEmbeddingGenerator>().Should().NotBeNull();
        generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId.Should().Be("all-MiniLM-L6-v2");
        (await generator.GenerateVectorAsync("Where is my invoice?")).Length.Should().Be(384);
    }

    [Fact]
    public void AddLocalEmbeddingGenerator_checks_its_settings_when_called()
    {
        FluentActions.Invoking(() => new ServiceCollection().AddLocalEmbeddingGenerator(o => o.IntraOpNumThreads = 0))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("IntraOpNumThreads");
    }
}
