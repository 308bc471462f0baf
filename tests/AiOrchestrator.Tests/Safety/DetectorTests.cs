using AiOrchestrator.Safety;

namespace AiOrchestrator.Tests.Safety;

/// <summary>Each built-in detector finds its values (with the right span) and rejects look-alikes that fail validation.</summary>
public class DetectorTests
{
    private static readonly SensitiveDataScanner Scanner = SensitiveDataScanner.Default;

    public static TheoryData<string, string> Valid => new()
    {
        { SampleValues.Email, "EMAIL" },
        { "o.brien@mail.example.co.uk", "EMAIL" },
        { "+44 20 7946 0958", "PHONE" },
        { "+1 (415) 555-2671", "PHONE" },
        { "(415) 555-2671 x204", "PHONE" },
        { "0044 20 7946 0958", "PHONE" },
        { "+49 30 901820", "PHONE" },
        { SampleValues.Visa, "CREDIT_CARD" },
        { SampleValues.Mastercard, "CREDIT_CARD" },
        { SampleValues.Amex, "CREDIT_CARD" },
        { "6011-1111-1111-1117", "CREDIT_CARD" },
        { SampleValues.Iban, "IBAN" },
        { SampleValues.IbanCompact, "IBAN" },
        { "fr1420041010050500013m02606", "IBAN" },
        { SampleValues.Ssn, "US_SSN" },
        { SampleValues.Ipv4, "IP_ADDRESS" },
        { SampleValues.Ipv6, "IP_ADDRESS" },
        { "fe80::1ff:fe23:4567:890a", "IP_ADDRESS" },
        { SampleValues.OpenAiKey, "OPENAI_API_KEY" },
        { SampleValues.OpenAiLegacyKey, "OPENAI_API_KEY" },
        { SampleValues.AnthropicKey, "ANTHROPIC_API_KEY" },
        { SampleValues.AwsKeyId, "AWS_ACCESS_KEY_ID" },
        { SampleValues.GitHubToken, "GITHUB_TOKEN" },
        { SampleValues.GitHubFineGrained, "GITHUB_TOKEN" },
        { SampleValues.SlackToken, "SLACK_TOKEN" },
        { SampleValues.StripeKey, "STRIPE_KEY" },
        { SampleValues.StripeRestricted, "STRIPE_KEY" },
        { SampleValues.Jwt, "JWT" },
        { SampleValues.PemKey, "PRIVATE_KEY" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void A_valid_value_is_found_with_its_exact_span(string value, string type)
    {
        var text = $"Here it is: {value} - thanks.";

        var findings = Scanner.Scan(text);

        findings.Should().ContainSingle();
        findings[0].Type.Name.Should().Be(type);
        text.Substring(findings[0].Start, findings[0].Length).Should().Be(value);
        findings[0].Confidence.Should().BeInRange(0.5, 1.0);
    }

    [Theory]
    [InlineData(SampleValues.VisaBadLuhn)] // Luhn fails
    [InlineData("9111 1111 1111 1119")] // Luhn passes, no issuer starts with 9
    [InlineData("4111-1111 1111-1111")] // mixed separators
    [InlineData(SampleValues.IbanBadChecksum)] // mod 97 fails
    [InlineData("DE89 3704 0044 0532 0130 0")] // one character short for Germany
    [InlineData("QQ82WEST12345698765432")] // no such country
    [InlineData("000-12-3456")] // area 000
    [InlineData("666-12-3456")] // area 666
    [InlineData("912-34-5678")] // area 9xx
    [InlineData("123-00-4567")] // group 00
    [InlineData("123-45-0000")] // serial 0000
    [InlineData("999.12.1.1")] // octet above 255
    [InlineData("01.2.3.4")] // leading zero
    [InlineData("12:30:45")] // a time, not IPv6
    [InlineData("2024-05-01")] // a date, not a phone
    [InlineData("1990-2000")] // a year range
    [InlineData("1 000 000")] // thousands
    [InlineData("user@localhost")] // no dotted domain
    [InlineData("a..b@example.com")] // two dots in a row
    [InlineData("sk-learn-is-a-python-library-name")] // no digits: not a key
    [InlineData("AKIA1234")] // too short
    [InlineData("ghp_short")] // too short
    [InlineData("bearer bonds are a kind of security")] // prose
    public void A_look_alike_that_fails_validation_is_not_reported(string value)
    {
        Scanner.Scan($"Value: {value} end").Should().BeEmpty();
    }

    [Theory]
    [InlineData("eyJhbGciOiJIUzI1NiJ9sk_live_st.sk-ant-api03-_10.0.0.1")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9x.abc.def")] // a header of 4n + 1 characters
    public void A_jwt_shaped_value_whose_header_is_not_valid_base64url_is_not_a_jwt(string value)
    {
        var scan = () => Scanner.Scan($"token {value} here");

        scan.Should().NotThrow().Which.Should().NotContain(f => f.Type == SensitiveDataType.Jwt);
    }

    [Fact]
    public void A_jwt_whose_header_names_no_algorithm_is_not_a_jwt()
    {
        Scanner.Scan($"token {SampleValues.NotAJwt} here").Should().NotContain(f => f.Type == SensitiveDataType.Jwt);
    }

    [Fact]
    public void Nine_bare_digits_are_an_ssn_only_next_to_a_word_that_says_so()
    {
        Scanner.Scan("Order 123456789 shipped").Should().BeEmpty();
        Scanner.Scan("My SSN is 123456789.").Should().ContainSingle().Which.Type.Should().Be(SensitiveDataType.UsSocialSecurityNumber);
    }

    [Fact]
    public void An_aws_secret_key_is_found_next_to_its_name_and_only_the_key_is_reported()
    {
        var text = $"aws_secret_access_key = {SampleValues.AwsSecret}";

        var finding = Scanner.Scan(text).Should().ContainSingle().Subject;

        finding.Type.Should().Be(SensitiveDataType.AwsSecretAccessKey);
        text.Substring(finding.Start, finding.Length).Should().Be(SampleValues.AwsSecret);
        Scanner.Scan($"checksum {SampleValues.AwsSecret}").Should().BeEmpty("forty base64 characters alone are too common to report");
    }

    [Theory]
    [InlineData("Server=db1;Database=app;User Id=sa;Password=S3cr3t!x;", "S3cr3t!x")]
    [InlineData("Host=db;Username=app;Pwd='two words'", "two words")]
    [InlineData("DATABASE_URL=postgres://app:hunter2@db.example.com:5432/app", "hunter2")]
    [InlineData("redis://default:p%40ss@cache.local", "p%40ss")]
    public void A_connection_string_password_is_reported_alone(string text, string password)
    {
        var finding = Scanner.Scan(text).Should().ContainSingle(f => f.Type == SensitiveDataType.Password).Subject;

        text.Substring(finding.Start, finding.Length).Should().Be(password);
    }

    [Fact]
    public void A_bearer_token_is_reported_without_the_word_bearer()
    {
        const string Text = "Authorization: Bearer abcDEF123456ghiJKL789_mno";

        var finding = Scanner.Scan(Text).Should().ContainSingle().Subject;

        finding.Type.Should().Be(SensitiveDataType.BearerToken);
        Text[finding.Start..finding.End].Should().Be("abcDEF123456ghiJKL789_mno");
    }

    [Fact]
    public void A_private_key_cut_off_before_its_end_line_is_still_reported()
    {
        var text = "key: -----BEGIN " + "PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC";

        Scanner.Scan(text).Should().ContainSingle().Which.Type.Should().Be(SensitiveDataType.PrivateKey);
    }

    [Fact]
    public void Phone_numbers_in_addresses_and_dates_with_times_are_not_phones()
    {
        Scanner.Scan("Deliver to Apt. 722 20 40 Rue Victor Hugo").Should().BeEmpty();
        Scanner.Scan("Ship to 27 2711 Queens Sq please").Should().BeEmpty();
        Scanner.Scan("Logged at 2023-02-06 08:35:20 by the job").Should().BeEmpty();
    }

    [Fact]
    public void National_phone_formats_are_found_next_to_a_phone_word()
    {
        Scanner.Scan("Call me on 089 72 63 41 tomorrow").Should().ContainSingle().Which.Type.Should().Be(SensitiveDataType.Phone);
        Scanner.Scan("Phone: 2813882583").Should().ContainSingle().Which.Type.Should().Be(SensitiveDataType.Phone);
        Scanner.Scan("Invoice 2813882583 is paid").Should().BeEmpty("an unseparated run needs a phone word nearby");
    }
}
