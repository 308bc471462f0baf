using AiOrchestrator.Caching.Semantic;

namespace AiOrchestrator.Tests.Caching.Semantic;

public sealed class SemanticIndexValidationTests
{
    public static TheoryData<float[], string> BadVectors => new()
    {
        { new float[3], "*3 dimensions*4*" },
        { new float[5], "*5 dimensions*4*" },
        { new float[4], "*all zeros*" },
        { [1f, float.NaN, 0f, 0f], "*NaN*" },
        { [1f, 0f, float.PositiveInfinity, 0f], "*infinite*" },
        { [float.NegativeInfinity, 0f, 0f, 0f], "*infinite*" },
    };

    [Theory]
    [MemberData(nameof(BadVectors))]
    public void A_bad_vector_is_refused_saying_what_is_wrong(float[] vector, string message)
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = 4 });
        var add = () => index.Add("p", vector, "k");
        add.Should().Throw<ArgumentException>().WithMessage(message).Which.ParamName.Should().Be("vector");
        var find = () => index.TryFindNearest("p", vector, 0.5f, out _);
        find.Should().Throw<ArgumentException>().WithMessage(message);
        index.Count.Should().Be(0);
    }

    [Fact]
    public void Empty_names_and_a_NaN_threshold_are_refused()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = 2 });
        ((Action)(() => index.Add("", [1f, 0f], "k"))).Should().Throw<ArgumentException>();
        ((Action)(() => index.Add("p", [1f, 0f], ""))).Should().Throw<ArgumentException>();
        ((Action)(() => index.TryFindNearest("p", [1f, 0f], float.NaN, out _))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*NaN*");
    }

    [Fact]
    public void Tiny_and_huge_finite_vectors_are_accepted()
    {
        using var index = new SemanticIndex(new SemanticIndexOptions { Dimensions = 2 });
        index.Add("p", [float.MaxValue, float.MaxValue], "huge");
        index.Add("p", [float.Epsilon, 0f], "tiny");
        index.TryFindNearest("p", [1f, 1f], 0.999f, out var match).Should().BeTrue();
        match.EntryKey.Should().Be("huge");
        index.TryFindNearest("p", [1f, 0f], 0.999f, out match).Should().BeTrue();
        match.EntryKey.Should().Be("tiny");
    }

    [Theory]
    [InlineData(0, 50_000, null, null, "*Dimensions is 0*required*")]
    [InlineData(4097, 50_000, null, null, "*Dimensions is 4097*")]
    [InlineData(384, 0, null, null, "*MaxEntries is 0*")]
    [InlineData(384, 100, 101, null, "*MaxEntriesPerPartition is 101*at most*MaxEntries (100)*")]
    [InlineData(384, 100, 0, null, "*MaxEntriesPerPartition is 0*")]
    [InlineData(384, 100, null, -1, "*EntryLifetime*must be positive*")]
    [InlineData(384, 100, null, 0, "*EntryLifetime*must be positive*")]
    [InlineData(4096, 100_000_000, null, null, "*one partition's vectors must fit one array*")]
    public void Bad_options_are_refused_naming_the_setting(int dimensions, int maxEntries, int? perPartition, int? lifetimeSeconds, string message)
    {
        var options = new SemanticIndexOptions
        {
            Dimensions = dimensions,
            MaxEntries = maxEntries,
            MaxEntriesPerPartition = perPartition,
            EntryLifetime = lifetimeSeconds is { } s ? TimeSpan.FromSeconds(s) : null,
        };
        var result = new SemanticIndexOptionsValidator().Validate(null, options);
        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Match(message);
        result.FailureMessage.Should().Contain("AiOrchestrator:SemanticCache:Index:");
        var create = () => new SemanticIndex(options);
        create.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void Good_options_pass()
    {
        new SemanticIndexOptionsValidator().Validate(null, new SemanticIndexOptions { Dimensions = 384 }).Succeeded.Should().BeTrue();
        new SemanticIndexOptionsValidator().Validate(null, new SemanticIndexOptions { Dimensions = 1, MaxEntries = 1, MaxEntriesPerPartition = 1, EntryLifetime = TimeSpan.FromTicks(1) }).Succeeded.Should().BeTrue();
        new SemanticIndexOptions { Dimensions = 8, MaxEntries = 10 }.EffectiveMaxEntriesPerPartition.Should().Be(10);
    }
}
