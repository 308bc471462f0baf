using System.Buffers;
using System.Text.RegularExpressions;

namespace AiOrchestrator.Safety;

/// <summary>
/// The heuristic detector's rules: general shapes of prompt-injection attempts, each with a weight and a reason.
/// They run over lower-cased, whitespace-collapsed text. Gaps between key words are bounded ("up to five words"), so
/// each rule is linear in the text and cannot backtrack far.
/// </summary>
internal static partial class InjectionRules
{
    private const string Verbs = "ignore|disregard|forget|skip|override|overrule|bypass|neglect|abandon|discard|dismiss|drop|violate|break";
    private const string StrongObjects = @"instructions?|instruction set|directions?|directives?|prompts?|prompting|rules|guidelines|commands|programming|restrictions|guardrails|safeguards|constraints|policies|system message|training|protocols|orders";
    private const string Position = "previous|prior|above|earlier|preceding|foregoing|initial|original|other|following|former|old|said|existing";
    private const string Reveal = "reveal|print|show|repeat|output|tell|list|relay|display|share|give|write|dump|leak|spell|recite|copy|disclose|expose|paste|return|provide|what|translate";
    private const string Qualifier = "system|initial|initials|original|hidden|above|full|entire|previous|secret|underlying|internal|first|exact|complete|prior|starting|pre-prompt|developer|core";
    private const string Secret = "instructions?|prompts?|prompting|programming|directives|rules|guidelines|parameters|configuration|exemplars|context|message";
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase;

    /// <summary>
    /// The rules over normalised text: weight (how much one hit alone says), reason, and the words one of which must be
    /// in the text for the rule to be tried at all (a vectorised search, much cheaper than the pattern).
    /// </summary>
    public static readonly (Regex Pattern, double Weight, string Reason, SearchValues<string> Keywords)[] All =
    [
        (OverrideInstructions(), 0.85, "instruction-override", Keys("ignore", "disregard", "forget", "skip", "override", "overrule", "bypass", "neglect", "abandon", "discard", "dismiss", "drop", "violate", "break")),
        (OverridePosition(), 0.7, "instruction-override", Keys("ignore", "disregard", "forget", "skip", "override", "overrule", "bypass", "neglect", "abandon", "discard", "dismiss", "drop", "violate", "break")),
        (OverrideContent(), 0.45, "instruction-override", Keys("ignore", "disregard")),
        (RulesVoided(), 0.8, "instruction-override", Keys("instruction", "rules", "direction", "guideline", "prompt", "directive")),
        (NewInstructions(), 0.65, "new-instructions", Keys("begin", "start", "here are", "these are", "enter", "activate", "following are", "receive", "reprogram", "upgrade", "update", "override", "you have been")),
        (EndOfInstructions(), 0.55, "new-instructions", Keys("%%%", "###", "===", "***", "---", "]]", ">>")),
        (RevealPrompt(), 0.8, "prompt-exfiltration", Keys("instruction", "prompt", "programming", "directive", "rules", "guideline", "parameter", "configuration", "exemplar", "context", "message")),
        (RevealGiven(), 0.75, "prompt-exfiltration", Keys("you've", "you have", "you were", "you had")),
        (YouAreNow(), 0.55, "role-play", Keys("you are", "from now on")),
        (Unrestricted(), 0.8, "jailbreak", Keys("unrestricted", "unfiltered", "uncensored", "amoral", "unethical", "unbound", "unshackled", "restriction", "limitation", "filter", "censorship", "ethic", "moral", "guideline", "safeguard", "guardrail")),
        (JailbreakTerms(), 0.7, "jailbreak", Keys("do anything now", "developer mode", "dev mode", "god mode", "jailbr", "safe", "filter", "opposite mode", "evil")),
        (NotBoundBy(), 0.7, "jailbreak", Keys("restricted", "bound", "limited", "constrained", "governed")),
        (InCharacter(), 0.45, "role-play", Keys("character")),
        (ClaimsAuthority(), 0.7, "false-authority", Keys("developer", "creator", "admin", "owner", "programmer", "maker", "operator", "authori", "verified")),
        (AssistantReplaced(), 0.7, "role-play", Keys("offline", "disabled", "in error", "replaced", "compromised", "hijack", "shut down", "deactivated", "taken over", "took over", "secret agenda")),
        (CredentialsFromSystem(), 0.5, "data-exfiltration", Keys("password", "credential", "api", "secret", "token", "delete", "wipe", "erase", "drop")),
        (SendToAddress(), 0.45, "data-exfiltration", Keys("@", "history")),
        (OutputOnly(), 0.4, "output-coercion", Keys("just", "only", "simply", "exactly")),
        (NothingElse(), 0.5, "output-coercion", Keys("anything else", "only those", "only these", "only that", "only this", "no time to explain")),
        (InsteadSay(), 0.35, "output-coercion", Keys("instead")),
        (AndThenWrite(), 0.3, "output-coercion", Keys("\"", "“", "'", "‘")),
        (InstructionsRedefined(), 0.6, "instruction-redefinition", Keys("your")),
        (Urgency(), 0.35, "urgency", Keys("!")),
        (PersistentInstruction(), 0.45, "persistent-instruction", Keys("future", "rest of", "every time", "whenever", "regardless")),
        (AddressesTheModel(), 0.6, "indirect-injection", Keys("if you", "when you", "while you", "if the", "when the", "while the", " this", "note to", "note for", "message to", "message for", "instruction to", "instruction for")),
        (DelimiterEscape(), 0.5, "delimiter", Keys("\"\"\"", "'''", "```", "“””", "”””", "%%%", "]]", "-->", "}}")),
        (InlineRole(), 0.35, "fake-role", Keys(":")),
    ];

    private static SearchValues<string> Keys(params string[] words) => SearchValues.Create(words, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"\b(?:" + Verbs + @")\b(?:\W+\w+){0,5}?\W+(?:" + StrongObjects + @")\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex OverrideInstructions();

    [GeneratedRegex(@"\b(?:" + Verbs + @")\W+(?:\w+\W+){0,3}?(?:" + Position + @"|everything|all of (?:it|that|this))\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex OverridePosition();

    [GeneratedRegex(@"\b(?:ignore|disregard)\W+(?:the|this|that|any|all|your)\W+(?:\w+\W+)?(?:content|text|input|data|image|document|question|request|page|email|file|code|qr code|picture)\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex OverrideContent();

    [GeneratedRegex(@"\b(?:instructions?|rules|directions|guidelines|prompts?|directives)\W+(?:\w+\W+){0,2}?(?:are|is|were|was|have been|has been)\W+(?:now\W+)?(?:false|void|invalid|outdated|out of date|obsolete|cancelled|canceled|revoked|no longer \w+|null|fake|wrong|lifted|suspended|disabled)", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex RulesVoided();

    [GeneratedRegex(@"\b(?:begin|start|here are|these are|enter|activate|following are|receive)\W+(?:\w+\W+){0,2}?(?:new|updated|revised|real|true|secret)\W+(?:\w+\W+){0,1}?(?:instructions?|rules|directives?|programming|mode|task|orders)\b|\breprogram\w*|\b(?:system|firmware)\W+(?:upgrade|update|override)\b|\byou have been (?:given|upgraded|updated|reprogrammed|unlocked|freed|jailbroken)\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex NewInstructions();

    [GeneratedRegex(@"(?:%%%|###|===|\*\*\*|---|\]\]|>>)\W{0,3}end\W+(?:\w+\W+){0,4}?(?:instructions|prompt|system message|context|rules)\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex EndOfInstructions();

    [GeneratedRegex(@"\b(?:" + Reveal + @")\b(?:\W+\w+){0,6}?\W+(?:(?:your|its|the|this|my)\W+)?(?:\w+\W+)?(?:" + Qualifier + @")(?:'s)?\W+(?:\w+\W+){0,2}?(?:" + Secret + @")\b|\b(?:" + Reveal + @")\b(?:\W+\w+){0,6}?\W+your\W+(?:\w+\W+){0,2}?(?:instructions|prompt|prompting|programming|directives|system prompt)\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex RevealPrompt();

    [GeneratedRegex(@"\b(?:instructions?|rules|prompts?|directives|guidelines)\W+(?:that\W+)?you(?:'ve|\W+have|\W+were|\W+had)\W+(?:been\W+)?(?:given|told|provided|programmed|trained|fed)\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex RevealGiven();

    [GeneratedRegex(@"\byou\W+are\W+(?:now|no longer)\b|\bfrom now on\W+you\W+(?:are|will be|act)\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex YouAreNow();

    [GeneratedRegex(@"\b(?:unrestricted|unfiltered|uncensored|amoral|unethical|unbound|unshackled)\W+(?:\w+\W+)?(?:ai|bot|model|assistant|chatbot|mode|version|llm)\b|\b(?:without|no|free of|free from|ignoring)\W+(?:any\W+)?(?:\w+\W+)?(?:restrictions|limitations|filters|censorship|ethics|morals|moral|ethical|guidelines|safeguards|guardrails)\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex Unrestricted();

    [GeneratedRegex(@"\b(?:do anything now|developer mode|dev mode|god mode|jailbr(?:ea|o)k\w*|safe\W?mode\W+(?:is\W+)?(?:off|disabled|deactivated)|(?:content\W+)?filters?\W+(?:are\W+|is\W+)?(?:off|disabled|removed)|opposite mode|evil (?:mode|twin|ai|bot))\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex JailbreakTerms();

    [GeneratedRegex(@"\b(?:not|no longer|never|isn't|aren't)\W+(?:\w+\W+){0,2}?(?:restricted|bound|limited|constrained|governed)\W+by\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex NotBoundBy();

    [GeneratedRegex(@"\b(?:stay|remain|keep|staying)\W+in\W+character\b|\bwithout\W+breaking\W+character\b|\bnever\W+break\W+character\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex InCharacter();

    [GeneratedRegex(@"\bi(?:'m|\W+am)\W+(?:your|the|an?)\W+(?:\w+\W+)?(?:developer|creator|admin|administrator|owner|programmer|maker|operator)\b|\b(?:authorized|authorised|verified)\W+(?:admin|user|developer|operator)\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex ClaimsAuthority();

    [GeneratedRegex(@"\b(?:the\W+)?(?:assistant|ai|model|chatbot|system|bot)\W+(?:is|has been|was)\W+(?:\w+\W+){0,2}?(?:offline|disabled|in error|replaced|compromised|hijacked|shut down|deactivated|taken over)\b|\bhijacked\b|\bsecret\W+agenda\b|\btook\W+over\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex AssistantReplaced();

    [GeneratedRegex(@"\b(?:passwords?|credentials|api\W?keys?|secrets|access tokens?)\b(?:\W+\w+){0,4}?\W+(?:your|the)\W+(?:database|system|server|memory|config\w*|environment|files)\b|\b(?:delete|wipe|erase|drop)\W+(?:all\W+)?(?:the\W+)?(?:data|files|records|database|tables)\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex CredentialsFromSystem();

    [GeneratedRegex(@"\b(?:forward|send|email|e-mail|post|upload|exfiltrate|transfer|leak)\b(?:\W+\w+){0,8}?\W+to\W+[\w.+\-]+@[\w\-]+\.\w+|\b(?:conversation|chat)\W+history\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex SendToAddress();

    [GeneratedRegex(@"\b(?:just|only|simply)\W+(?:say|print|write|output|reply|respond|answer|return)\b|\b(?:say|print|write|output|reply|respond)\w*\W+(?:with\W+)?(?:only|exactly)\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex OutputOnly();

    [GeneratedRegex(@"\b(?:don'?t|do\W+not|never)\W+(?:write|say|output|add|print|include)\W+anything\W+else\b|\band\W+only\W+(?:those|these|that|this)\W+(?:words?|text|phrase)\b|\bno\W+time\W+to\W+explain\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex NothingElse();

    [GeneratedRegex(@"\binstead\W+(?:\w+\W+){0,2}?(?:say|print|output|write|reply|respond|tell|return|show|repeat|provide)\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex InsteadSay();

    [GeneratedRegex(@"\b(?:and|then)\W+(?:just\W+)?(?:write|say|print|output|reply)\W{0,3}[""“'‘]|\b(?:reply|respond|answer)\w*\W+with\W{0,3}[""“'‘]", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex AndThenWrite();

    [GeneratedRegex(@"\byour\W+(?:\w+\W+)?(?:initial|original|real|actual|new|true|updated|system)\W+(?:instructions|prompt|rules|directives|task)\W+(?:are|were|is|was)\W{0,3}[:""“'‘]", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex InstructionsRedefined();

    [GeneratedRegex(@"\b(?:stop everything|stop all|urgent|important update|alert|attention|warning|new rule)\b\W{0,3}!|!!!", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex Urgency();

    [GeneratedRegex(@"\b(?:in (?:all )?your future (?:answers|responses|replies)|for the rest of (?:this|the|our) (?:conversation|chat|session)|(?:every\W+time|whenever)\W+(?:a\W+|the\W+)?user\W+(?:asks?|says?|writes?|mentions?)|regardless of (?:their|the user'?s?|what))\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex PersistentInstruction();

    [GeneratedRegex(@"\b(?:if|when|while)\W+(?:you|the\W+(?:ai|assistant|model|bot|llm))\W+(?:are|is)\W+(?:an?\W+)?(?:ai|language model|llm|assistant|chatbot|gpt)\b|\b(?:ai|assistant|language model|llm|chatbot|bot)s?\W+(?:reading|processing|summari[sz]ing|parsing)\W+this\b|\b(?:note|message|instruction)\W+(?:to|for)\W+(?:the\W+)?(?:ai|assistant|model|llm|chatbot)\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex AddressesTheModel();

    [GeneratedRegex(@"(?:""""""|'''|```|“””|”””|%%%|\]\]|-->|\}\})\W{0,5}(?:\w+\W+){0,2}?(?:ignore|end|new|now|system|stop|disregard|forget)\b", Options, matchTimeoutMilliseconds: 500)]
    private static partial Regex DelimiterEscape();

    [GeneratedRegex(@"(?:^|[.!?""”]\s)(?:assistant|system|ai|bot)\s?:\s\S", Options | RegexOptions.Multiline, matchTimeoutMilliseconds: 500)]
    private static partial Regex InlineRole();

    /// <summary>Chat-template tokens and bracketed role headers that only a forged conversation contains (case-sensitive, on the text as given).</summary>
    [GeneratedRegex(@"<\|(?:im_start|im_end|system|assistant|user|endoftext|eot_id|start_header_id|end_header_id)\|>|\[/?INST\]|<</?SYS>>|(?m:^\s*(?:\[|<|\#{2,}\s*|\*{2})\s*(?:system|SYSTEM|System|assistant|Assistant|developer|Developer)(?:\s+(?:note|message|prompt|override|update))?\s*(?:\]|>|:|\#{2,}|\*{2}))", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 500)]
    public static partial Regex RoleMarker();

    /// <summary>A run long enough to hide a sentence in base64.</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{24,4096}={0,2}(?![A-Za-z0-9+/=])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 500)]
    public static partial Regex Base64Run();

    /// <summary>A run of hex pairs long enough to hide a sentence.</summary>
    [GeneratedRegex(@"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}[ ]?){12,2048}(?![0-9A-Fa-f])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 500)]
    public static partial Regex HexRun();

    /// <summary>Four or more letters spelled out one by one, separated by one space, dot, dash or underscore.</summary>
    [GeneratedRegex(@"(?<!\p{L})(?:\p{L}[ ._\-]){3,64}\p{L}(?!\p{L})", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 500)]
    public static partial Regex SpacedLetters();
}
