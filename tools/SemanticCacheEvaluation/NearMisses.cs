using System.Globalization;
using System.Text.RegularExpressions;

namespace SemanticCacheEvaluation;

/// <summary>
/// Builds near-misses from a text: the same words with one change that asks or states something else, so a cache
/// must not answer one with the other. Each rule applies only where the text has what it changes.
/// </summary>
internal sealed partial class NearMisses
{
    private static readonly string[] NumberWords =
        ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

    // Auxiliary and modal verbs that take "not" after them.
    private static readonly HashSet<string> Auxiliaries =
        ["is", "are", "was", "were", "can", "could", "should", "would", "will", "must", "may", "might", "does", "do", "did", "has", "have", "had"];

    private static readonly (string Negated, string Plain)[] Contractions =
    [
        ("can't", "can"), ("cannot", "can"), ("won't", "will"), ("don't", "do"), ("doesn't", "does"), ("didn't", "did"),
        ("isn't", "is"), ("aren't", "are"), ("wasn't", "was"), ("weren't", "were"), ("shouldn't", "should"),
        ("wouldn't", "would"), ("couldn't", "could"), ("hasn't", "has"), ("haven't", "have"),
    ];

    // Common words and a partner that asks for something else. None is a number, a negation or a name, so the
    // guard (SemanticGuard) does not look at them: this kind checks what the guard cannot catch.
    private static readonly (string A, string B)[] WordSwaps =
    [
        ("load", "save"), ("upload", "download"), ("add", "remove"), ("create", "delete"), ("read", "write"),
        ("open", "close"), ("start", "stop"), ("enable", "disable"), ("increase", "decrease"), ("import", "export"),
        ("input", "output"), ("before", "after"), ("first", "last"), ("minimum", "maximum"), ("small", "large"),
        ("faster", "slower"), ("more", "less"), ("public", "private"), ("local", "remote"), ("row", "column"),
        ("rows", "columns"), ("file", "folder"), ("files", "folders"), ("image", "audio"), ("images", "videos"),
        ("encode", "decode"), ("include", "exclude"), ("show", "hide"), ("install", "uninstall"), ("merge", "split"),
        ("train", "test"), ("training", "evaluation"), ("allow", "prevent"), ("inside", "outside"), ("true", "false"),
        ("loading", "saving"), ("loaded", "saved"), ("adding", "removing"), ("added", "removed"), ("creating", "deleting"),
        ("created", "deleted"), ("reading", "writing"), ("beginning", "end"), ("increases", "decreases"), ("loads", "saves"),
    ];

    private static readonly Dictionary<string, string> WordPartners = WordSwaps
        .SelectMany(s => new[] { (s.A, s.B), (s.B, s.A) })
        .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);

    private readonly string[] _entities;
    private readonly HashSet<string> _namesSeenInside;
    private readonly Random _random;

    /// <summary>Collects the names the corpus uses (the entity swaps draw replacements from them).</summary>
    public NearMisses(IEnumerable<string> corpus, int seed)
    {
        var texts = corpus.ToList();
        _namesSeenInside = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            foreach (var word in Words(text))
            {
                if (!word.StartsSentence && LooksLikeName(word.Core))
                {
                    _namesSeenInside.Add(word.Core);
                }
            }
        }

        _entities = texts.SelectMany(t => Entities(t).Select(e => e.Text)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        _random = new Random(seed);
    }

    public int EntityVocabularySize => _entities.Length;

    /// <summary>The first number (digits or a number word up to twelve) changed to the next one.</summary>
    public static string? ChangeNumber(string text)
    {
        var digits = Digits().Match(text);
        if (digits.Success)
        {
            var value = digits.Value;
            var changed = value.Contains('.', StringComparison.Ordinal)
                ? value[..^1] + ((value[^1] - '0' + 1) % 10).ToString(CultureInfo.InvariantCulture)
                : (long.Parse(value, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
            return string.Concat(text.AsSpan(0, digits.Index), changed, text.AsSpan(digits.Index + digits.Length));
        }

        var word = NumberWord().Match(text);
        if (!word.Success)
        {
            return null;
        }

        var index = Array.FindIndex(NumberWords, w => w.Equals(word.Value, StringComparison.OrdinalIgnoreCase));
        var next = NumberWords[(index + 1) % NumberWords.Length];
        if (char.IsUpper(word.Value[0]))
        {
            next = char.ToUpperInvariant(next[0]) + next[1..];
        }

        return string.Concat(text.AsSpan(0, word.Index), next, text.AsSpan(word.Index + word.Length));
    }

    /// <summary>Removes the first negation ("not", "never", "n't") when there is one, else puts "not" after the
    /// first auxiliary verb inside the text ("is" → "is not").</summary>
    public static string? FlipNegation(string text)
    {
        foreach (var (negated, plain) in Contractions)
        {
            var match = Regex.Match(text, $@"\b{Regex.Escape(negated)}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            if (match.Success)
            {
                var replacement = char.IsUpper(match.Value[0]) ? char.ToUpperInvariant(plain[0]) + plain[1..] : plain;
                return string.Concat(text.AsSpan(0, match.Index), replacement, text.AsSpan(match.Index + match.Length));
            }
        }

        var notOrNever = NotOrNever().Match(text);
        if (notOrNever.Success)
        {
            return string.Concat(text.AsSpan(0, notOrNever.Index), text.AsSpan(notOrNever.Index + notOrNever.Length));
        }

        foreach (var word in Words(text))
        {
            if (!word.StartsSentence && Auxiliaries.Contains(word.Core) && word.Core == word.Raw)
            {
                var end = word.Index + word.Raw.Length;
                return string.Concat(text.AsSpan(0, end), " not", text.AsSpan(end));
            }
        }

        return null;
    }

    /// <summary>The first common word of a fixed list of opposites (<c>load</c>/<c>save</c>, <c>before</c>/<c>after</c>,
    /// <c>row</c>/<c>column</c>...), written in lower case, replaced by its partner: a change the guard does not target.</summary>
    public static string? ChangeWord(string text)
    {
        foreach (Match m in LowerWord().Matches(text))
        {
            if (WordPartners.TryGetValue(m.Value, out var partner))
            {
                return string.Concat(text.AsSpan(0, m.Index), partner, text.AsSpan(m.Index + m.Length));
            }
        }

        return null;
    }

    /// <summary>The first named entity (a capitalised or code-like name, several words kept together) replaced by
    /// another name of the corpus that the text does not contain.</summary>
    public string? SwapEntity(string text)
    {
        var entities = Entities(text).ToList();
        if (entities.Count == 0)
        {
            return null;
        }

        var target = entities[0];
        string replacement;
        var attempts = 0;
        do
        {
            replacement = _entities[_random.Next(_entities.Length)];
            if (++attempts > 100)
            {
                return null;
            }
        }
        while (text.Contains(replacement, StringComparison.OrdinalIgnoreCase)
            || replacement.Contains(target.Text, StringComparison.OrdinalIgnoreCase)
            || target.Text.Contains(replacement, StringComparison.OrdinalIgnoreCase));

        return string.Concat(text.AsSpan(0, target.Index), replacement, text.AsSpan(target.Index + target.Text.Length));
    }

    /// <summary>Runs of names in a text: a word counts as a name if it is capitalised or code-like and either
    /// stands inside the sentence or is the first word and the corpus uses it as a name elsewhere.</summary>
    private IEnumerable<(int Index, string Text)> Entities(string text)
    {
        var words = Words(text).ToList();
        var i = 0;
        while (i < words.Count)
        {
            if (!IsName(words, i))
            {
                i++;
                continue;
            }

            var start = i;
            // A name of several words ("Hugging Face Hub") stays together while no punctuation separates them.
            while (i + 1 < words.Count && words[i].Core == words[i].Raw && IsName(words, i + 1))
            {
                i++;
            }

            var from = words[start].Index + words[start].Raw.IndexOf(words[start].Core, StringComparison.Ordinal);
            var last = words[i];
            var to = last.Index + last.Raw.IndexOf(last.Core, StringComparison.Ordinal) + last.Core.Length;
            yield return (from, text[from..to]);
            i++;
        }
    }

    private bool IsName(List<Word> words, int i)
    {
        var core = words[i].Core;
        if (!LooksLikeName(core))
        {
            return false;
        }

        return words[i].StartsSentence ? _namesSeenInside.Contains(core) : core != "I";
    }

    private static bool LooksLikeName(string core) =>
        core.Length > 1 && char.IsLetter(core[0])
        && (char.IsUpper(core[0]) || core.Contains('_', StringComparison.Ordinal) || core.Skip(1).Any(char.IsUpper));

    private readonly record struct Word(int Index, string Raw, string Core, bool StartsSentence);

    /// <summary>The words split on spaces, each with its core (the word without surrounding punctuation or a
    /// possessive "'s") and whether it starts a sentence (capitalised for that reason alone).</summary>
    private static IEnumerable<Word> Words(string text)
    {
        var startsSentence = true;
        foreach (Match m in NonSpace().Matches(text))
        {
            var starts = startsSentence;
            startsSentence = m.Value[^1] is '.' or '?' or '!' or ':';
            var core = m.Value.Trim(',', '.', '?', '!', ';', ':', '(', ')', '"', '\'', '`', '[', ']', '“', '”', '‘', '’');
            if (core.EndsWith("'s", StringComparison.Ordinal) || core.EndsWith("’s", StringComparison.Ordinal))
            {
                core = core[..^2];
            }

            yield return new Word(m.Index, m.Value, core, starts);
        }
    }

    [GeneratedRegex(@"(?<![\w.])\d+(?:\.\d+)?(?![\w])", RegexOptions.CultureInvariant)]
    private static partial Regex Digits();

    [GeneratedRegex(@"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NumberWord();

    [GeneratedRegex(@"(?<=\s)(?:not|never)\s", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NotOrNever();

    [GeneratedRegex(@"\S+", RegexOptions.CultureInvariant)]
    private static partial Regex NonSpace();

    // A lower-case word standing alone (not part of a code identifier, a path or a hyphenated word).
    [GeneratedRegex(@"(?<![\w./`'-])[a-z]+(?![\w/`'-])", RegexOptions.CultureInvariant)]
    private static partial Regex LowerWord();
}
