using Microsoft.Extensions.AI;

namespace AiOrchestrator.Embeddings.Local.Tests;

public class LocalEmbeddingGeneratorTests(GeneratorFixture fixture) : IClassFixture<GeneratorFixture>
{
    // Sentences written for these tests: a question, its paraphrase, and questions on other subjects.
    private static readonly string[] Sentences =
    [
        "How do I reset my account password?",
        "What are the steps to change my login password?",
        "Which trains run from the airport to the city centre at night?",
        "Bake the bread for forty minutes until the crust turns golden brown and sounds hollow when tapped.",
        "Refund",
        "",
    ];

    private readonly LocalEmbeddingGenerator _generator = fixture.Generator;

    [Fact]
    public async Task Every_embedding_has_384_dimensions_unit_length_and_the_model_id()
    {
        var result = await _generator.GenerateAsync(Sentences);

        result.Should().HaveCount(Sentences.Length);
        foreach (var embedding in result)
        {
            embedding.Vector.Length.Should().Be(384);
            embedding.Dimensions.Should().Be(384);
            GeneratorFixture.Norm(embedding.Vector).Should().BeApproximately(1.0, 1e-4);
            embedding.ModelId.Should().Be("all-MiniLM-L6-v2");
            embedding.CreatedAt.Should().NotBeNull();
        }
    }

    [Fact]
    public async Task Usage_counts_the_wordpiece_tokens_read_with_the_start_and_end_markers()
    {
        var result = await _generator.GenerateAsync(["Refund", "", "How do I reset my account password?"]);

        // "Refund" is two word pieces; the empty text is only [CLS] [SEP]; the question is 7 words and a question mark.
        result.Usage!.InputTokenCount.Should().Be(4 + 2 + 10);
        result.Usage.TotalTokenCount.Should().Be(result.Usage.InputTokenCount);
        result.Usage.OutputTokenCount.Should().BeNull();
    }

    [Fact]
    public async Task A_text_longer_than_512_tokens_is_cut_to_512()
    {
        var longText = string.Join(' ', Enumerable.Repeat("refund", 700));

        var result = await _generator.GenerateAsync([longText]);

        result.Usage!.InputTokenCount.Should().Be(512);
        GeneratorFixture.Norm(result[0].Vector).Should().BeApproximately(1.0, 1e-4);
    }

    [Fact]
    public void Metadata_names_the_provider_model_and_dimensions()
    {
        var metadata = _generator.GetService<EmbeddingGeneratorMetadata>();

        metadata.Should().BeSameAs(_generator.Metadata);
        metadata!.ProviderName.Should().Be("local");
        metadata.DefaultModelId.Should().Be("all-MiniLM-L6-v2");
        metadata.DefaultModelDimensions.Should().Be(384);
        _generator.GetService<LocalEmbeddingGenerator>().Should().BeSameAs(_generator);
        _generator.GetService<LocalEmbeddingGenerator>("some key").Should().BeNull();
        _generator.GetService<string>().Should().BeNull();
    }

    [Fact]
    public async Task The_same_text_gives_the_same_vector_every_time()
    {
        var first = await _generator.GenerateVectorAsync(Sentences[0]);
        var second = await _generator.GenerateVectorAsync(Sentences[0]);

        second.ToArray().Should().Equal(first.ToArray(), (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public async Task A_paraphrase_is_closer_than_a_question_on_another_subject()
    {
        (string Text, string Paraphrase, string Unrelated)[] cases =
        [
            ("How do I reset my account password?", "What are the steps to change my login password?", "Which trains run from the airport to the city centre at night?"),
            ("Can I return shoes that do not fit?", "Is it possible to send back shoes in the wrong size?", "How long should I boil an egg for a soft yolk?"),
            ("What is the capital city of Australia?", "Which city is Australia's capital?", "What is the capital gains tax rate on shares?"),
        ];

        foreach (var (text, paraphrase, unrelated) in cases)
        {
            var vectors = await _generator.GenerateAsync([text, paraphrase, unrelated]);
            var close = GeneratorFixture.Cosine(vectors[0].Vector, vectors[1].Vector);
            var far = GeneratorFixture.Cosine(vectors[0].Vector, vectors[2].Vector);

            close.Should().BeGreaterThan(far + 0.2f, $"'{paraphrase}' restates '{text}' and '{unrelated}' does not");
        }
    }

    [Fact]
    public async Task A_batch_gives_the_vectors_of_the_texts_embedded_one_by_one_in_input_order()
    {
        using var smallBatches = new LocalEmbeddingGenerator(new LocalEmbeddingGeneratorOptions { BatchSize = 4 });

        var batch = await smallBatches.GenerateAsync(Sentences);

        for (var i = 0; i < Sentences.Length; i++)
        {
            var single = await _generator.GenerateVectorAsync(Sentences[i]);
            batch[i].Vector.ToArray().Should().Equal(single.ToArray(), (a, b) => Math.Abs(a - b) < 1e-4f, $"input {i} keeps its place in the batch");
        }
    }

    [Fact]
    public async Task Several_threads_at_once_get_the_same_vectors_as_one_thread()
    {
        var expected = (await _generator.GenerateAsync(Sentences)).Select(e => e.Vector.ToArray()).ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var runs = new List<float[][]>();
            for (var i = 0; i < 3; i++)
            {
                runs.Add((await _generator.GenerateAsync(Sentences)).Select(e => e.Vector.ToArray()).ToArray());
            }

            return runs;
        })));

        foreach (var run in results.SelectMany(r => r))
        {
            for (var i = 0; i < expected.Length; i++)
            {
                run[i].Should().Equal(expected[i], (a, b) => Math.Abs(a - b) < 1e-6f);
            }
        }
    }

    [Fact]
    public async Task No_inputs_give_no_embeddings_and_no_tokens()
    {
        var result = await _generator.GenerateAsync([]);

        result.Should().BeEmpty();
        result.Usage!.InputTokenCount.Should().Be(0);
    }

    [Fact]
    public async Task Null_inputs_and_unsupported_options_are_refused_with_a_message_that_names_them()
    {
        await FluentActions.Awaiting(() => _generator.GenerateAsync(null!))
            .Should().ThrowAsync<ArgumentNullException>().WithParameterName("values");
        (await FluentActions.Awaiting(() => _generator.GenerateAsync(["fine", null!]))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("values"))
            .WithMessage("*index 1 is null*");
        await FluentActions.Awaiting(() => _generator.GenerateAsync(["fine"], new EmbeddingGenerationOptions { Dimensions = 1536 }))
            .Should().ThrowAsync<NotSupportedException>().WithMessage("*384*1536*");
        await FluentActions.Awaiting(() => _generator.GenerateAsync(["fine"], new EmbeddingGenerationOptions { ModelId = "text-embedding-3-small" }))
            .Should().ThrowAsync<NotSupportedException>().WithMessage("*all-MiniLM-L6-v2*text-embedding-3-small*");
        FluentActions.Invoking(() => new LocalEmbeddingGenerator(new LocalEmbeddingGeneratorOptions { BatchSize = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("BatchSize");
    }

    [Fact]
    public async Task The_model_named_in_the_options_may_be_this_one()
    {
        var result = await _generator.GenerateAsync(["fine"], new EmbeddingGenerationOptions { ModelId = "sentence-transformers/all-MiniLM-L6-v2", Dimensions = 384 });

        result.Should().ContainSingle();
    }

    [Fact]
    public async Task A_cancelled_token_stops_before_the_next_batch()
    {
        using var oneByOne = new LocalEmbeddingGenerator(new LocalEmbeddingGeneratorOptions { BatchSize = 1 });
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await FluentActions.Awaiting(() => oneByOne.GenerateAsync(Sentences, cancellationToken: cancelled.Token))
            .Should().ThrowAsync<OperationCanceledException>();

        // Cancelled while running: 300 inputs one by one take over a second, so the cancel arrives mid-run and the call
        // ends with it instead of returning the 300 vectors (no timing is asserted: the machine is shared).
        var many = Enumerable.Range(0, 300).Select(i => $"Question number {i} about a delayed parcel").ToArray();
        using var soon = new CancellationTokenSource();
        // A thread of its own cancels: a timer needs a pool thread, and the pool is busy with the other tests.
        var canceller = new Thread(() =>
        {
            Thread.Sleep(50);
            soon.Cancel();
        });
        canceller.Start();
        await FluentActions.Awaiting(() => oneByOne.GenerateAsync(many, cancellationToken: soon.Token))
            .Should().ThrowAsync<OperationCanceledException>();
        canceller.Join();
        soon.IsCancellationRequested.Should().BeTrue();
    }

    [Fact]
    public async Task A_disposed_generator_refuses_calls()
    {
        var generator = new LocalEmbeddingGenerator();
        generator.Dispose();
        generator.Dispose();

        await FluentActions.Awaiting(() => generator.GenerateAsync(["fine"]))
            .Should().ThrowAsync<ObjectDisposedException>();
    }
}
