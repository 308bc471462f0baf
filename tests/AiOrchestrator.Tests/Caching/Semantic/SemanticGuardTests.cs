using AiOrchestrator.Caching.Semantic;

namespace AiOrchestrator.Tests.Caching.Semantic;

public class SemanticGuardTests
{
    private static bool Agree(string a, string b) => SemanticGuard.Agree(SemanticGuard.Signature(a), SemanticGuard.Signature(b));

    [Theory]
    [InlineData("How long does a 3 day trial last?", "How long does a 4 day trial last?")]
    [InlineData("Is the limit 2.5 GB per upload?", "Is the limit 2.6 GB per upload?")]
    [InlineData("Give me a 10% discount code", "Give me a 15% discount code")]
    [InlineData("Summarise the report in five bullet points", "Summarise the report in six bullet points")]
    [InlineData("The plan costs $20 a month", "The plan costs $25 a month")]
    public void Different_numbers_disagree(string a, string b) => Agree(a, b).Should().BeFalse();

    [Theory]
    [InlineData("Summarise the report in five bullet points", "Summarise the report in 5 bullet points")]
    [InlineData("We have twenty-one seats left", "We have 21 seats left")]
    [InlineData("It holds two hundred and five rows", "It holds 205 rows")]
    [InlineData("The budget is 3 million", "The budget is three million")]
    [InlineData("A fee of 1,000.50 applies", "A fee of 1000.5 applies")]
    [InlineData("Growth was 12 percent", "Growth was 12%")]
    public void Number_word_and_digits_agree(string a, string b) => Agree(a, b).Should().BeTrue();

    [Fact]
    public void One_as_a_pronoun_is_not_a_number() =>
        Agree("Which one should I pick for testing?", "Which should I pick for testing?").Should().BeTrue();

    [Theory]
    [InlineData("Does the queue retry failed jobs?", "Does the queue not retry failed jobs?")]
    [InlineData("Why isn't the cache warm after a restart?", "Why is the cache warm after a restart?")]
    [InlineData("Can I delete a project that has members?", "Can I delete a project without members?")]
    [InlineData("The token never expires", "The token expires")]
    public void Negation_flip_disagrees(string a, string b) => Agree(a, b).Should().BeFalse();

    [Theory]
    [InlineData("Why isn't the cache warm after a restart?", "Why is the cache not warm after a restart?")]
    [InlineData("I can't open the settings page", "I cannot open the settings page")]
    [InlineData("No, the export doesn't include archived items.", "The export does not include archived items.")]
    public void Contractions_and_negation_words_agree(string a, string b) => Agree(a, b).Should().BeTrue();

    [Theory]
    [InlineData("How do I deploy the service to Azure?", "How do I deploy the service to Kubernetes?")]
    [InlineData("What does the retry_count option do?", "What does the retry_delay option do?")]
    [InlineData("Is the SDK supported on ARM devices?", "Is the SDK supported on x64 devices?")]
    [InlineData("Where is appsettings.json read from?", "Where is secrets.json read from?")]
    [InlineData("Explain what 'strict mode' means", "Explain what 'lenient mode' means")]
    [InlineData("Does the client work with v2.1 of the API?", "Does the client work with v2.2 of the API?")]
    public void Different_named_things_disagree(string a, string b) => Agree(a, b).Should().BeFalse();

    [Theory]
    [InlineData("How do I deploy the service to Azure with 3 replicas?", "What is the way to deploy this service on Azure using three replicas?")]
    [InlineData("Can the retry_count option be set per request in PyTorch?", "Is it possible to set retry_count for each request in PyTorch?")]
    [InlineData("The report does not list users created after March.", "Users created after March aren't listed in the report.")]
    public void Paraphrases_with_the_same_facts_agree(string a, string b) => Agree(a, b).Should().BeTrue();

    [Theory]
    [InlineData("How do I reset my password?", "how do i reset my password")]
    [InlineData("Where is the `Retry_Count` setting?!", "where is the retry_count setting")]
    [InlineData("Is GPT-4 available in the EU?", "is gpt-4 available in the Eu ?")]
    [InlineData("Does Azure's   free tier cover this?", "does AZURE free tier cover this")]
    [InlineData("Can PyTorch load it?", "can Pytorch load it")]
    public void Case_and_punctuation_differences_agree(string a, string b) => Agree(a, b).Should().BeTrue();

    [Fact]
    public void Capitalised_first_word_of_a_sentence_is_not_a_name() =>
        Agree("Deploy it now. Then check the logs.", "Deploy it now. Check the logs afterwards.").Should().BeTrue();

    [Fact]
    public void Words_joined_by_a_slash_are_not_a_path() =>
        Facts(SemanticGuard.Signature("Can I read and/or write the input/output?")).Should().BeEmpty();

    [Fact]
    public void Empty_text_has_an_empty_signature()
    {
        SemanticGuard.Signature("").Should().BeEmpty();
        SemanticGuard.Signature("   ").Should().BeEmpty();
        SemanticGuard.Agree(SemanticGuard.Signature(""), SemanticGuard.Signature("how are you")).Should().BeTrue();
        SemanticGuard.Agree(SemanticGuard.Signature(""), SemanticGuard.Signature("not now")).Should().BeFalse();
    }

    [Fact]
    public void Signature_is_order_independent_and_deterministic()
    {
        var a = SemanticGuard.Signature("Compare Redis 7 with Postgres 16");
        var b = SemanticGuard.Signature("Compare Postgres 16 with Redis 7");
        SemanticGuard.Agree(a, b).Should().BeTrue();
        Facts(a).Should().Be(Facts(b));
        a.Should().Be(SemanticGuard.Signature("Compare Redis 7 with Postgres 16"));
        Facts(a).Split('\n').Should().BeEquivalentTo("#16", "#7", "@postgres", "@redis");
    }

    [Theory]
    [InlineData("How do I upload a file to the bucket?", "How do I download a file to the bucket?")]
    [InlineData("Should I train before the evaluation?", "Should I train after the evaluation?")]
    [InlineData("How do I add a row to the table?", "How do I add a column to the table?")]
    [InlineData("What is the fastest sorting algorithm?", "What is the slowest sorting algorithm?")]
    public void A_small_edit_of_a_content_word_does_not_agree(string a, string b) =>
        SemanticGuard.Agree(SemanticGuard.Signature(a), SemanticGuard.Signature(b)).Should().BeFalse();

    [Theory]
    [InlineData("How do I install the package?", "How can I install the package?")]
    [InlineData("Explain recursion", "Please explain recursion to me")]
    [InlineData("What's the best way to learn Python?", "How should I go about learning Python most effectively?")]
    public void Function_word_changes_and_rewordings_agree(string a, string b) =>
        SemanticGuard.Agree(SemanticGuard.Signature(a), SemanticGuard.Signature(b)).Should().BeTrue();

    private static string Facts(string signature) => signature.Split('\u001F')[0];

    [Fact]
    public void Null_is_rejected()
    {
        var act = () => SemanticGuard.Signature(null!);
        act.Should().Throw<ArgumentNullException>();
    }
}
