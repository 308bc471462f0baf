using System.Text;
using System.Text.RegularExpressions;
using AiOrchestrator.Safety;

namespace AiOrchestrator.Tests.Safety;

/// <summary>
/// The hand-written matchers of the numeric detectors return what the regular expressions they replace return (the
/// patterns are kept here as the reference), on chosen cases and at every position of many generated texts.
/// </summary>
public class NumberPatternTests
{
    private const RegexOptions Options = RegexOptions.CultureInvariant;

    private static readonly Regex CardRegex = new(@"\G(?<![\w\-.])\d(?:[ \-]?\d){11,18}(?![\w]|[\-.]\d)", Options);
    private static readonly Regex SsnRegex = new(@"\G(?<![\w\-.])\d{3}([\- ]?)\d{2}\1\d{4}(?![\w]|[\-.]\d)", Options);
    private static readonly Regex QuadRegex = new(@"\G(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)", Options);
    private static readonly Regex IbanRegex = new(@"\G[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])", Options);
    private static readonly Regex PhoneRegex = new(@"\G(?<![\w+\-.(/])(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,5}\)[ .\-]?)?\d{1,12}(?:[ .\-]\d{1,12}){0,6}(?:[ ]?(?:x|ext\.?)[ ]?\d{1,6})?(?![\w]|[\-./:]\d)", Options);

    [Theory]
    [InlineData("4111 1111 1111 1111", 0, 19)]
    [InlineData("4111-1111-1111-1111", 0, 19)]
    [InlineData("4111111111111111", 0, 16)]
    [InlineData("card 4111 1111 1111 1111.", 5, 19)]
    [InlineData("4111 1111 1111 1111 1111", 0, 19)] // 20 digits: the greedy loop gives back to a group end before a space
    [InlineData("4111-1111-1111-1111-1111", 0, -1)] // ... but not before a dash and a digit
    [InlineData("41111111111", 0, -1)] // 11 digits
    [InlineData("x4111 1111 1111 1111", 1, -1)] // a word character before
    [InlineData("-4111 1111 1111 1111", 1, -1)]
    [InlineData("4111  1111 1111 1111", 0, -1)] // two separators: only 4 digits
    [InlineData("4111 1111 1111 1111a", 0, 14)] // a letter after: given back to the last group end before a space
    [InlineData("4111 1111 1111 1111.5", 0, 14)] // a dot and a digit after: given back likewise
    [InlineData("4111111111111111a", 0, -1)] // no group end to give back to
    public void Card_candidates(string text, int at, int length)
    {
        NumberPatterns.Card(text, at).Should().Be(length);
        Same(CardRegex, text, at, length);
    }

    [Theory]
    [InlineData("123-45-6789", 0, 11)]
    [InlineData("123 45 6789", 0, 11)]
    [InlineData("123456789", 0, 9)]
    [InlineData("SSN 123-45-6789.", 4, 11)]
    [InlineData("123-45 6789", 0, -1)] // two different separators
    [InlineData("123-456789", 0, -1)]
    [InlineData("123--45-6789", 0, -1)]
    [InlineData("123-45-67890", 0, -1)] // a digit after
    [InlineData("123-45-6789-1", 0, -1)] // a dash and a digit after
    [InlineData("123-45-6789-", 0, 11)]
    [InlineData("a123-45-6789", 1, -1)]
    [InlineData(".123-45-6789", 1, -1)]
    [InlineData("123-45-678", 0, -1)]
    public void Ssn_candidates(string text, int at, int length)
    {
        NumberPatterns.Ssn(text, at).Should().Be(length);
        Same(SsnRegex, text, at, length);
    }

    [Theory]
    [InlineData("192.168.14.20", 0, 13)]
    [InlineData("host 10.0.0.1, next", 5, 8)]
    [InlineData("999.999.999.999", 0, 15)] // the shape only: the octet range is checked by the detector
    [InlineData("1.2.3", 0, -1)]
    [InlineData("1.2.3.4.5", 0, -1)]
    [InlineData("1.2.3.4.", 0, 7)]
    [InlineData("1.2.3.4a", 0, -1)]
    [InlineData("1.2.3.1234", 0, -1)]
    [InlineData("1234.2.3.4", 0, -1)]
    [InlineData("v1.2.3.4", 1, -1)]
    [InlineData(".1.2.3.4", 1, -1)]
    public void Dotted_quad_candidates(string text, int at, int length)
    {
        NumberPatterns.DottedQuad(text, at).Should().Be(length);
        Same(QuadRegex, text, at, length);
    }

    [Theory]
    [InlineData("+44 20 7946 0958", 0, 16)]
    [InlineData("+1 (415) 555-2671", 0, 17)]
    [InlineData("(415) 555-2671 x204", 0, 19)]
    [InlineData("(415) 555-2671 ext. 204", 0, 23)]
    [InlineData("555-2671ext204", 0, 14)]
    [InlineData("06-10446904", 0, 11)]
    [InlineData("089 72 63 41", 0, 12)]
    [InlineData("+4420 7946", 0, 10)] // the country code's digits run into the number
    [InlineData("1 2 3 4 5 6 7 8 9", 0, 13)] // at most seven groups; it stops before a space
    [InlineData("1-2-3-4-5-6-7-8", 0, -1)] // ... and not before a dash and a digit
    [InlineData("+44 20-11-22-33-44-55-66-77-88", 0, 3)] // found by giving the country code's last digit to the number
    [InlineData("2024-05-01T10", 0, -1)]
    [InlineData("12:30", 0, -1)]
    [InlineData("1234567890123", 0, -1)] // 13 digits in one group
    [InlineData("a555-2671", 1, -1)]
    [InlineData("/555-2671", 1, -1)]
    [InlineData("555-2671 x", 0, 8)]
    [InlineData("555-2671 x1234567", 0, 8)] // an extension of seven digits is not one
    public void Phone_candidates(string text, int at, int length)
    {
        NumberPatterns.Phone(text, at).Should().Be(length);
        Same(PhoneRegex, text, at, length);
    }

    [Theory]
    [InlineData("GB82 WEST 1234 5698 7654 32", 0, 27)]
    [InlineData("GB82WEST12345698765432", 0, 22)]
    [InlineData("GB82 WEST 1234 5698 7654 32 and more", 0, 36)] // runs on into the next words; the detector cuts it
    [InlineData("GB82 WEST 1234", 0, -1)] // fewer than 11 more characters
    [InlineData("GB82  WEST 1234 5698 7654 32", 0, -1)] // two spaces
    [InlineData("G882 WEST 1234 5698 7654 32", 0, -1)]
    [InlineData("GB8 WEST 1234 5698 7654 32", 0, -1)]
    [InlineData("GB82123456789012345678901234567890123", 0, -1)] // over 30 more characters and no end to give back to
    [InlineData("GB82 1234567890 1234567890 1234567890", 0, 37)] // 30 more: the most there can be
    [InlineData("GB82 1234567890 1234567890 12345678901", 0, 26)] // 31: given back to the last space
    public void Iban_candidates(string text, int at, int length)
    {
        NumberPatterns.Iban(text, at).Should().Be(length);
        Same(IbanRegex, text, at, length);
    }

    [Fact]
    public void Every_matcher_agrees_with_its_regex_at_every_position_of_generated_texts()
    {
        var random = new Random(20261203);
        string[] pieces =
        [
            "0", "1", "4", "9", "12", "123", "4111", "1111", "2671", "123456", "1234567890123", " ", " ", "-", "-", ".", ".",
            "(", ")", "+", "/", ":", "x", "ext", "ext.", "e", "a", "_", "é", "\u0661", "\u0300", "\t", ",", "GB", "de", "WEST",
            "Z", "12345678901234567890",
        ];
        var sb = new StringBuilder();
        var checkedPositions = 0;
        for (var i = 0; i < 4000; i++)
        {
            sb.Clear();
            for (int k = 0, n = random.Next(1, 24); k < n; k++)
            {
                sb.Append(pieces[random.Next(pieces.Length)]);
            }

            var text = sb.ToString();
            for (var at = 0; at < text.Length; at++)
            {
                Same(CardRegex, text, at, NumberPatterns.Card(text, at));
                Same(SsnRegex, text, at, NumberPatterns.Ssn(text, at));
                Same(QuadRegex, text, at, NumberPatterns.DottedQuad(text, at));
                Same(PhoneRegex, text, at, NumberPatterns.Phone(text, at));
                Same(IbanRegex, text, at, NumberPatterns.Iban(text, at));
                checkedPositions++;
            }
        }

        checkedPositions.Should().BeGreaterThan(10_000);
    }

    [Theory]
    [InlineData('a', true)]
    [InlineData('Z', true)]
    [InlineData('7', true)]
    [InlineData('_', true)]
    [InlineData('é', true)]
    [InlineData('\u0661', true)] // Arabic-Indic digit one
    [InlineData('\u0300', true)] // a combining accent
    [InlineData('\u203F', true)] // a connector punctuation
    [InlineData('-', false)]
    [InlineData(' ', false)]
    [InlineData('\u00A0', false)]
    [InlineData('\u2460', false)] // a circled digit is not a decimal digit
    public void Word_characters_are_those_of_the_regex_engine(char c, bool word)
    {
        NumberPatterns.IsWordChar(c).Should().Be(word);
        Regex.IsMatch(c.ToString(), @"\A\w\z", Options).Should().Be(word);
    }

    private static void Same(Regex regex, string text, int at, int actual)
    {
        var m = regex.Match(text, at);
        var expected = m.Success ? m.Length : -1;
        actual.Should().Be(expected, "{0} at {1} of \"{2}\"", regex, at, text);
    }
}

/// <summary>The hand-written password and OpenAI key matchers return what the regular expressions they replace return.</summary>
public class KeyPatternTests
{
    private static readonly Regex PasswordRegex = new(@"\G(?<![\w])(?i:password|passwd|pwd)[ \t]{0,3}=[ \t]{0,3}(?:""[^""\r\n]{1,256}""|'[^'\r\n]{1,256}'|[^;\s'""]{1,256})", RegexOptions.CultureInvariant);
    private static readonly Regex OpenAiRegex = new(@"\G(?<![\w\-])sk-(?!ant-)(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_\-]{20,200}(?![\w\-])", RegexOptions.CultureInvariant);

    [Theory]
    [InlineData("Password=S3cr3t!x;", 0, 17)]
    [InlineData("pwd = 'a b c'", 0, 13)]
    [InlineData("PASSWD=\"x\"", 0, 10)]
    [InlineData("password\t=\t\tsecret more", 0, 18)]
    [InlineData("password    =x", 0, -1)] // four blanks
    [InlineData("password=", 0, -1)]
    [InlineData("password=;", 0, -1)]
    [InlineData("password=\"\"", 0, -1)] // an empty quoted value
    [InlineData("password=\"open", 0, -1)] // an unclosed quote
    [InlineData("password=\"a\nb\"", 0, -1)]
    [InlineData("mypassword=x", 2, -1)] // a word character before
    [InlineData("-pwd=x", 1, 5)]
    public void Password_key_values(string text, int at, int length)
    {
        PasswordDetector.KeyValue(text, at).Should().Be(length);
        Same(PasswordRegex, text, at, length);
    }

    [Theory]
    [InlineData("sk-proj-Ab3dE5gH7jK9mN1pQ3sT5vX7zB9dF1hJ3", 0, 41)]
    [InlineData("sk-T3stKey0nlyForUnitTests4bcd3fgh1jk", 0, 37)]
    [InlineData("sk-proj-0123456789012345678", 0, 27)] // 19 after the prefix: found without the prefix (24 characters)
    [InlineData("sk-0123456789012345678", 0, -1)] // 19
    [InlineData("sk-ant-api03-0123456789012345678901234", 0, -1)]
    [InlineData("xsk-01234567890123456789", 1, -1)]
    [InlineData("sk-01234567890123456789é", 0, -1)] // a word character after
    [InlineData("sk-01234567890123456789.", 0, 23)]
    public void OpenAi_keys(string text, int at, int length)
    {
        ApiKeyDetector.OpenAiKey(text, at).Should().Be(length);
        Same(OpenAiRegex, text, at, length);
    }

    [Fact]
    public void Both_agree_with_their_regexes_at_every_position_of_generated_texts()
    {
        var random = new Random(20261204);
        string[] pieces =
        [
            "password", "PassWord", "passwd", "pwd", "PWD", "pass", "sk-", "proj-", "None-", "ant-", "admin-", "svcacct-",
            "=", "=", " ", "\t", "\"", "'", ";", "\n", "\r", "a", "Z", "0", "_", "-", "é", "0123456789", "abcdefghij", new string('q', 120),
        ];
        var sb = new StringBuilder();
        for (var i = 0; i < 3000; i++)
        {
            sb.Clear();
            for (int k = 0, n = random.Next(1, 16); k < n; k++)
            {
                sb.Append(pieces[random.Next(pieces.Length)]);
            }

            var text = sb.ToString();
            for (var at = 0; at < text.Length; at++)
            {
                Same(PasswordRegex, text, at, PasswordDetector.KeyValue(text, at));
                Same(OpenAiRegex, text, at, ApiKeyDetector.OpenAiKey(text, at));
            }
        }
    }

    private static void Same(Regex regex, string text, int at, int actual)
    {
        var m = regex.Match(text, at);
        actual.Should().Be(m.Success ? m.Length : -1, "{0} at {1} of \"{2}\"", regex, at, text);
    }
}

/// <summary>The IBAN check computed with few reductions equals the check computed on the whole number.</summary>
public class ChecksumTests
{
    [Theory]
    [InlineData("GB82WEST12345698765432", true)]
    [InlineData("GB82WEST12345698765433", false)]
    [InlineData("gb82west12345698765432", true)]
    [InlineData("DE89370400440532013000", true)]
    [InlineData("LC55HEMM000100010012001200023015", true)] // 32 characters, letters in the body
    [InlineData("GB82WEST1234569876543!", false)]
    [InlineData("GB82", false)]
    public void Iban_check(string iban, bool valid) => Checksums.IbanMod97(iban).Should().Be(valid);

    [Fact]
    public void The_iban_check_equals_the_remainder_of_the_whole_number()
    {
        var random = new Random(97);
        const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for (var i = 0; i < 5000; i++)
        {
            var chars = new char[random.Next(5, 35)];
            for (var k = 0; k < chars.Length; k++)
            {
                chars[k] = Alphabet[random.Next(Alphabet.Length)];
            }

            var iban = new string(chars);
            var rotated = iban[4..] + iban[..4];
            var number = System.Numerics.BigInteger.Parse(string.Concat(rotated.Select(c => char.IsAsciiDigit(c) ? c.ToString() : (c - 'A' + 10).ToString(System.Globalization.CultureInfo.InvariantCulture))), System.Globalization.CultureInfo.InvariantCulture);
            Checksums.IbanMod97(iban).Should().Be(number % 97 == 1, iban);
        }
    }
}
