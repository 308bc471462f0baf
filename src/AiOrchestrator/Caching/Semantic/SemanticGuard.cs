using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AiOrchestrator.Caching.Semantic;

/// <summary>
/// A cheap lexical check that must agree before a semantic cache serves a stored answer for a new prompt.
/// </summary>
/// <remarks>
/// <para>
/// A sentence embedding scores a prompt and a copy of it with one number changed, one <c>not</c> added or one name
/// replaced about as high as a real paraphrase: the rest of the words are the same, so the vectors barely move
/// (see <c>docs/caching-evaluation.md</c>: with the local MiniLM model, most such near-misses score above 0.92
/// while a third of true paraphrases score below it). No similarity threshold separates them, but the words that
/// make the difference are easy to find in the text. The guard extracts them into a <see cref="Signature"/> and a
/// hit is served only when both prompts' signatures <see cref="Agree"/>.
/// </para>
/// <para>
/// The signature is the set (order-independent, duplicates once) of:
/// </para>
/// <list type="bullet">
/// <item><description><b>Numbers</b>: digits with thousands separators, trailing decimal zeros and a leading
/// currency symbol normalised (<c>$1,000.50</c> = <c>$1000.5</c>), a percent sign or the word <c>percent</c> as
/// <c>%</c>, and number words (<c>zero</c> to <c>twenty</c>, the tens, <c>hundred</c>, <c>thousand</c>,
/// <c>million</c>, <c>billion</c>, combined as in <c>two hundred and five</c> or <c>3 million</c>) as digits;
/// <c>one</c> after a determiner (<c>the one</c>, <c>which one</c>) is a pronoun, not a number.</description></item>
/// <item><description><b>Negation</b>, as present or absent: <c>not</c>, <c>no</c>, <c>never</c>, <c>none</c>,
/// <c>nobody</c>, <c>nothing</c>, <c>neither</c>, <c>nor</c>, <c>without</c>, <c>cannot</c> and any <c>n't</c>
/// contraction, so <c>isn't</c> agrees with <c>is not</c> and <c>no, it does not</c> with <c>it does not</c>.</description></item>
/// <item><description><b>Named things</b>, case-folded: words capitalised inside a sentence (not its first word, and
/// not the pronoun <c>I</c>), ALL-CAPS words, mixed-case words (<c>PyTorch</c>, <c>iterDataset</c>), words with a
/// digit, an underscore or a dot inside (<c>GPT-4</c>, <c>v2.1</c>, <c>load_dataset</c>, <c>config.json</c>),
/// paths and URLs (a slash with anything but plain words around it: <c>and/or</c> is not a name,
/// <c>src/app</c> is), and the text of quoted strings (<c>"..."</c>, <c>'...'</c>, <c>`...`</c>, curly quotes).
/// Surrounding punctuation, a trailing <c>()</c> and a possessive <c>'s</c> are dropped.</description></item>
/// </list>
/// <para>
/// Everything is culture-invariant and deterministic, so signatures can be stored with the cached entry and compared
/// later. The guard is deliberately strict: a paraphrase that spells a number differently from these rules, moves a
/// plain capitalised name to the start of a sentence or says "optional" for "not required" is a miss (the model is
/// called again), which costs money but never serves a wrong answer.
/// </para>
/// <para>
/// The signature also keeps the prompt's words, for one more rule: two prompts that are the same words but for a
/// small local edit of a content word (<c>upload</c> for <c>download</c>, <c>before</c> for <c>after</c>) do not
/// agree. Such an edit changes the question while moving the embedding less than a rewording does; changes of function
/// words alone (<c>do</c> for <c>can</c>), of case or of punctuation still agree.
/// </para>
/// </remarks>
internal static partial class SemanticGuard
{
    private const char NumberMark = '#';
    private const char NameMark = '@';
    private const string NegationItem = "!not";
    private const char Separator = '\n';

    /// <summary>Separates the facts (numbers, negation, names) from the prompt's words in a signature.</summary>
    private const char WordsMark = '\u001F';

    /// <summary>The most words a local edit may change on either side and still count as small.</summary>
    private const int MaxEditWords = 3;

    /// <summary>
    /// Words that carry grammar rather than what is asked: changing only these keeps a paraphrase (auxiliaries,
    /// pronouns, articles, question words, politeness). Negations are not here: they are facts of the signature.
    /// </summary>
    private static readonly HashSet<string> FunctionWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "this", "that", "these", "those", "some", "any",
        "i", "me", "my", "we", "us", "our", "you", "your", "it", "its", "they", "them", "their", "one", "someone",
        "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "done", "have", "has", "had",
        "can", "could", "may", "might", "shall", "should", "will", "would", "must", "need", "want", "like",
        "what", "which", "who", "whom", "whose", "how", "why", "when", "where", "whether",
        "to", "of", "in", "on", "at", "by", "for", "from", "with", "about", "into", "onto", "as", "so", "if", "then",
        "and", "or", "but", "also", "just", "really", "actually", "please", "kindly", "thanks", "thank",
        "tell", "explain", "show", "know", "let", "give", "help", "way", "ways", "there", "here", "s", "'s", "it's",
        "what's", "how's", "i'm", "i'd", "you're", "there's", "let's", "possible", "able", "exactly", "specifically",
    };

    private static readonly Dictionary<string, int> SmallNumbers = new(StringComparer.Ordinal)
    {
        ["zero"] = 0, ["one"] = 1, ["two"] = 2, ["three"] = 3, ["four"] = 4, ["five"] = 5, ["six"] = 6, ["seven"] = 7,
        ["eight"] = 8, ["nine"] = 9, ["ten"] = 10, ["eleven"] = 11, ["twelve"] = 12, ["thirteen"] = 13,
        ["fourteen"] = 14, ["fifteen"] = 15, ["sixteen"] = 16, ["seventeen"] = 17, ["eighteen"] = 18,
        ["nineteen"] = 19, ["twenty"] = 20, ["thirty"] = 30, ["forty"] = 40, ["fifty"] = 50, ["sixty"] = 60,
        ["seventy"] = 70, ["eighty"] = 80, ["ninety"] = 90,
    };

    private static readonly Dictionary<string, long> Scales = new(StringComparer.Ordinal)
    {
        ["hundred"] = 100, ["thousand"] = 1_000, ["million"] = 1_000_000, ["billion"] = 1_000_000_000,
    };

    private static readonly HashSet<string> NegationWords = new(StringComparer.Ordinal)
    {
        "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot",
    };

    // "one" after these is a pronoun ("the one", "which one", "no one"), not the number 1.
    private static readonly HashSet<string> Determiners = new(StringComparer.Ordinal)
    {
        "the", "this", "that", "which", "each", "any", "every", "some", "no", "another", "a", "an",
    };

    /// <summary>
    /// The canonical signature of the facts in <paramref name="text"/> that change the answer: its numbers, whether
    /// it is negated, and the names it mentions, as sorted lines (an empty string when it has none of them).
    /// </summary>
    /// <param name="text">A prompt, or the text a semantic cache embeds for it.</param>
    /// <returns>A deterministic, order-independent string; compare two of them with <see cref="Agree"/>.</returns>
    public static string Signature(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return string.Empty;
        }

        var items = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var match in QuotedString().EnumerateMatches(text))
        {
            // The opening and closing quote characters are one char each.
            var inside = text.AsSpan(match.Index + 1, match.Length - 2);
            var name = NormaliseQuoted(inside);
            if (name.Length > 0)
            {
                items.Add(NameMark + name);
            }
        }

        var numbers = new NumberPhrase(items);
        var negated = false;
        var atSentenceStart = true;
        var previousEnd = 0;
        var previousWord = string.Empty;
        foreach (var match in Token().EnumerateMatches(text))
        {
            var raw = text.AsSpan(match.Index, match.Length);
            if (text.AsSpan(previousEnd, match.Index - previousEnd).Contains('\n'))
            {
                atSentenceStart = true;
            }

            previousEnd = match.Index + match.Length;
            var core = Core(raw);
            if (!HasLetterOrDigit(core))
            {
                // Punctuation or an emoji: not a word, so the sentence has not started yet.
                if (raw.SequenceEqual("%"))
                {
                    numbers.Percent();
                }

                continue;
            }

            var word = core.ToString();
            var lower = word.ToLowerInvariant();
            var startsSentence = atSentenceStart;
            atSentenceStart = EndsSentence(raw, lower);

            if (lower.EndsWith("n't", StringComparison.Ordinal) || lower.EndsWith("n\u2019t", StringComparison.Ordinal) || NegationWords.Contains(lower))
            {
                negated = true;
            }

            if (numbers.TryAdd(lower, previousWord))
            {
                previousWord = lower;
                continue;
            }

            previousWord = lower;
            numbers.Flush();
            if (PlainNumber().Match(word) is { Success: true } number && numbers.TryStart(number))
            {
                continue;
            }

            if (IsName(word, startsSentence))
            {
                items.Add(NameMark + lower);
            }
        }

        numbers.Flush();
        if (negated)
        {
            items.Add(NegationItem);
        }

        var facts = items.Count == 0 ? string.Empty : string.Join(Separator, items);
        var words = Words(text);
        return words.Length == 0 ? facts : facts + WordsMark + words;
    }

    /// <summary>
    /// Whether two prompts state the same facts as far as the guard can tell: their signatures are equal. There is
    /// no tolerance: a number, a negation or a name that only one of them has is exactly what a similarity score misses.
    /// </summary>
    /// <param name="signatureA">The <see cref="Signature"/> of one prompt (for example the cached one).</param>
    /// <param name="signatureB">The <see cref="Signature"/> of the other prompt.</param>
    /// <returns><see langword="true"/> when a semantic hit between the two prompts may be served.</returns>
    public static bool Agree(string signatureA, string signatureB)
    {
        ArgumentNullException.ThrowIfNull(signatureA);
        ArgumentNullException.ThrowIfNull(signatureB);
        var a = signatureA.AsSpan();
        var b = signatureB.AsSpan();
        var splitA = a.IndexOf(WordsMark);
        var splitB = b.IndexOf(WordsMark);
        var factsA = splitA < 0 ? a : a[..splitA];
        var factsB = splitB < 0 ? b : b[..splitB];
        var wordsA = splitA < 0 ? [] : a[(splitA + 1)..];
        var wordsB = splitB < 0 ? [] : b[(splitB + 1)..];
        return factsA.SequenceEqual(factsB) && !IsSmallContentEdit(wordsA, wordsB);
    }

    /// <summary>
    /// True when two prompts are the same words but for a small local change (at most <see cref="MaxEditWords"/>
    /// words replaced, added or removed in one place) that touches a content word: <c>load</c> for <c>save</c>,
    /// <c>before</c> for <c>after</c>, one name or adjective swapped. Such an edit changes what is asked while moving
    /// the embedding no more than a rewording does. A paraphrase rewords more than that; a change of function words
    /// alone (<c>do</c> for <c>can</c>, an added <c>please</c>) or of case and punctuation is still a paraphrase.
    /// </summary>
    private static bool IsSmallContentEdit(ReadOnlySpan<char> wordsA, ReadOnlySpan<char> wordsB)
    {
        if (wordsA.SequenceEqual(wordsB))
        {
            return false;
        }

        var a = wordsA.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var b = wordsB.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var prefix = 0;
        while (prefix < a.Length && prefix < b.Length && a[prefix] == b[prefix])
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < a.Length - prefix && suffix < b.Length - prefix && a[^(suffix + 1)] == b[^(suffix + 1)])
        {
            suffix++;
        }

        var changedA = a.AsSpan(prefix, a.Length - prefix - suffix);
        var changedB = b.AsSpan(prefix, b.Length - prefix - suffix);
        if (changedA.Length > MaxEditWords || changedB.Length > MaxEditWords)
        {
            return false; // reworded: the similarity threshold and the facts decide
        }

        if (changedA.Length == changedB.Length && changedA.ToArray().Order(StringComparer.Ordinal).SequenceEqual(changedB.ToArray().Order(StringComparer.Ordinal)))
        {
            return false; // the same words moved ("isn't the cache" and "is the cache not"), nothing replaced
        }

        foreach (var word in changedA)
        {
            if (IsContentWord(word))
            {
                return true;
            }
        }

        foreach (var word in changedB)
        {
            if (IsContentWord(word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A word that says what is asked: not a function word, and not a number or a number word, which the facts of the
    /// signature already compare (so <c>five</c> for <c>5</c> agrees). A negation is a content word: adding or removing
    /// one <c>not</c> changes the question even where another negation keeps the facts equal.
    /// </summary>
    private static bool IsContentWord(string word)
        => !FunctionWords.Contains(word)
            && !SmallNumbers.ContainsKey(word)
            && !Scales.ContainsKey(word)
            && word is not ("percent" or "and")
            && !word.AsSpan().ContainsAnyInRange('0', '9');

    /// <summary>Whether the text opens with "No" as an interjection ("No, it does not ..."), which repeats a negation.</summary>
    private static bool IsInterjection(string text)
    {
        var trimmed = text.AsSpan().TrimStart();
        return trimmed.Length > 3 && trimmed[..2].Equals("no", StringComparison.OrdinalIgnoreCase) && trimmed[2] is ',' or '.' or '!' or ';';
    }

    /// <summary>The prompt's words, lower-cased, in order, without punctuation (apostrophes inside words kept).</summary>
    private static string Words(string text)
    {
        var words = new StringBuilder(text.Length);
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var part = char.IsLetterOrDigit(c) || (c is '\'' or '\u2019' && inWord && i + 1 < text.Length && char.IsLetter(text[i + 1]));
            if (part)
            {
                if (!inWord && words.Length > 0)
                {
                    words.Append(' ');
                }

                words.Append(c == '\u2019' ? '\'' : char.ToLowerInvariant(c));
            }

            inWord = part;
        }

        // A possessive is the same word ("Azure's tier" and "Azure tier" ask the same), and a negation is written one
        // way ("can't", "cannot" and "can not"; "isn't" and "is not").
        var list = words.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var result = new StringBuilder(words.Length + 16);
        foreach (var word in list)
        {
            var w = word.EndsWith("'s", StringComparison.Ordinal) ? word[..^2] : word;
            w = w switch
            {
                "cannot" or "can't" => "can not",
                "won't" => "will not",
                "shan't" => "shall not",
                "ain't" => "is not",
                _ when w.EndsWith("n't", StringComparison.Ordinal) && w.Length > 3 => w[..^3] + " not",
                _ => w,
            };
            if (w.Length > 0 && !(w == "no" && result.Length == 0 && list.Length > 1 && IsInterjection(text)))
            {
                result.Append(result.Length > 0 ? " " : string.Empty).Append(w);
            }
        }

        return result.ToString();
    }

    private static bool IsName(string word, bool startsSentence)
    {
        var letters = 0;
        var upper = 0;
        var upperAfterFirst = false;
        var lowerSeen = false;
        var digit = false;
        var innerDotOrUnderscore = false;
        var slash = false;
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            if (char.IsLetter(c))
            {
                letters++;
                if (char.IsUpper(c))
                {
                    upper++;
                    upperAfterFirst |= i > 0;
                }
                else
                {
                    lowerSeen = true;
                }
            }
            else if (char.IsDigit(c))
            {
                digit = true;
            }
            else if (c is '_' || (c is '.' && i > 0 && i < word.Length - 1))
            {
                innerDotOrUnderscore = true;
            }
            else if (c is '/')
            {
                slash = true;
            }
        }

        if (digit)
        {
            // Not a plain number (those were taken before): a version, a model name, a code identifier.
            return true;
        }

        if (innerDotOrUnderscore)
        {
            return !Abbreviation().IsMatch(word);
        }

        if (slash && !PlainWordsAlternative().IsMatch(word))
        {
            return true;
        }

        if (letters >= 2 && upper == letters)
        {
            return true;
        }

        if (upperAfterFirst && lowerSeen)
        {
            return true;
        }

        if (!startsSentence && char.IsUpper(word[0]))
        {
            // The pronoun "I" and its contractions ("I'm", "I've") are capitalised everywhere.
            return !(word is "I" || (word[0] is 'I' && word.Length > 1 && word[1] is '\'' or '\u2019'));
        }

        return false;
    }

    private static bool EndsSentence(ReadOnlySpan<char> raw, string lower)
    {
        var end = raw.TrimEnd("\"')]}\u201D\u2019*`");
        if (end.IsEmpty || end[^1] is not ('.' or '?' or '!' or ':'))
        {
            return false;
        }

        // "e.g." and "i.e." end in a dot without ending the sentence.
        return !(end[^1] is '.' && Abbreviation().IsMatch(lower));
    }

    /// <summary>The word without the punctuation around it, a trailing <c>()</c> and a possessive <c>'s</c>.</summary>
    private static ReadOnlySpan<char> Core(ReadOnlySpan<char> raw)
    {
        var start = 0;
        while (start < raw.Length && !KeepsAtStart(raw[start]))
        {
            start++;
        }

        var end = raw.Length;
        while (end > start && !KeepsAtEnd(raw[end - 1]))
        {
            end--;
        }

        var core = raw[start..end];
        if (core.Length > 2 && core[^2] is '\'' or '\u2019' && core[^1] is 's' or 'S')
        {
            core = core[..^2];
        }

        return core;

        static bool KeepsAtStart(char c) => char.IsLetterOrDigit(c) || c is '_' or '$' or '\u20AC' or '\u00A3' or '\u00A5' or '/' or '~';

        static bool KeepsAtEnd(char c) => char.IsLetterOrDigit(c) || c is '_' or '%' or '/';
    }

    private static string NormaliseQuoted(ReadOnlySpan<char> inside)
    {
        var builder = new StringBuilder(inside.Length);
        foreach (var match in Token().EnumerateMatches(inside))
        {
            var core = Core(inside.Slice(match.Index, match.Length));
            if (core.IsEmpty)
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            foreach (var c in core)
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString();
    }

    private static bool HasLetterOrDigit(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (char.IsLetterOrDigit(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Accumulates a number written in digits and/or words ("two hundred and five", "3 million", "50 percent").</summary>
    private sealed class NumberPhrase(SortedSet<string> items)
    {
        private decimal _total;
        private decimal _current;
        private bool _active;
        private bool _percent;
        private string _currency = string.Empty;
        private int _lastSmall = -1;
        private bool _lastWasScale;

        /// <summary>Takes a number word, a scale word or a connecting "and"/"percent"; false for anything else.</summary>
        public bool TryAdd(string lower, string previousWord)
        {
            if (_active && (lower is "percent" or "per-cent" or "pct"))
            {
                Percent();
                Flush();
                return true;
            }

            if (_active && _lastWasScale && lower is "and")
            {
                return true;
            }

            if (Scales.TryGetValue(lower, out var scale))
            {
                if (!_active)
                {
                    _current = 1;
                    _active = true;
                }

                if (scale == 100)
                {
                    _current = (_current == 0 ? 1 : _current) * 100;
                }
                else
                {
                    _total += (_current == 0 ? 1 : _current) * scale;
                    _current = 0;
                }

                _lastWasScale = true;
                _lastSmall = -1;
                return true;
            }

            if (lower.Contains('-', StringComparison.Ordinal))
            {
                // "twenty-one"
                var dash = lower.IndexOf('-', StringComparison.Ordinal);
                if (SmallNumbers.TryGetValue(lower[..dash], out var tens) && tens >= 20 && tens % 10 == 0
                    && SmallNumbers.TryGetValue(lower[(dash + 1)..], out var unit) && unit is > 0 and < 10)
                {
                    AddSmall(tens);
                    AddSmall(unit);
                    return true;
                }

                return false;
            }

            if (!SmallNumbers.TryGetValue(lower, out var value) || (lower is "one" && Determiners.Contains(previousWord)))
            {
                return false;
            }

            AddSmall(value);
            return true;
        }

        /// <summary>Starts a number written in digits (after <see cref="Flush"/>); false when it does not parse.</summary>
        public bool TryStart(Match number)
        {
            var digits = number.Groups["int"].Value.Replace(",", "", StringComparison.Ordinal);
            var fraction = number.Groups["frac"].Value;
            if (!decimal.TryParse(fraction.Length == 0 ? digits : digits + "." + fraction, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            _current = value;
            _active = true;
            _currency = number.Groups["cur"].Value;
            _percent = number.Groups["pct"].Success;
            _lastSmall = 100; // digits do not combine with a following "five" the way "twenty" does
            _lastWasScale = false;
            return true;
        }

        public void Percent()
        {
            if (_active)
            {
                _percent = true;
            }
        }

        public void Flush()
        {
            if (!_active)
            {
                return;
            }

            var value = (_total + _current).ToString("0.############################", CultureInfo.InvariantCulture);
            items.Add(NumberMark + _currency + value + (_percent ? "%" : ""));
            _total = 0;
            _current = 0;
            _active = false;
            _percent = false;
            _currency = string.Empty;
            _lastSmall = -1;
            _lastWasScale = false;
        }

        private void AddSmall(int value)
        {
            // "twenty one" is one number; "five six" or "twelve three" are two.
            var combines = _active && (_lastWasScale || (_lastSmall >= 20 && _lastSmall % 10 == 0 && value is > 0 and < 10));
            if (_active && !combines)
            {
                Flush();
            }

            _current += value;
            _active = true;
            _lastSmall = value;
            _lastWasScale = false;
        }
    }

    [GeneratedRegex(@"\S+", RegexOptions.CultureInvariant)]
    private static partial Regex Token();

    // A quoted string: straight double quotes, backticks, curly quotes, or single quotes that are not apostrophes.
    [GeneratedRegex("\"[^\"\\n]+\"|`[^`\\n]+`|\u201C[^\u201D\\n]+\u201D|\u2018[^\u2019\\n]+\u2019|(?<![\\w'])'[^'\\n]+'(?![\\w'])", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"^(?<cur>[$\u20AC\u00A3\u00A5])?(?<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?<frac>\d+))?(?<pct>%)?$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainNumber();

    // Lower-case abbreviations of single letters: "e.g", "i.e", "e.g.".
    [GeneratedRegex(@"^(?:[a-z]\.)+[a-z]\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex Abbreviation();

    // Plain words joined by slashes, read as "or": "and/or", "input/output".
    [GeneratedRegex(@"^\p{L}+(?:/\p{L}+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainWordsAlternative();
}
