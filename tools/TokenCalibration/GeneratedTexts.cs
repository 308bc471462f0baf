using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TokenCalibration;

/// <summary>
/// Texts of kinds the shared data lacks (code, JSON, numbers, identifiers, non-Latin scripts, emoji), generated
/// from a fixed seed so every run measures the same set.
/// </summary>
internal static class GeneratedTexts
{
    private static readonly string[] Words =
    [
        "account", "budget", "request", "model", "token", "price", "user", "team", "order", "invoice", "customer",
        "payment", "status", "result", "value", "index", "buffer", "stream", "message", "response", "handler",
        "cache", "limit", "window", "session", "report", "summary", "details", "address", "country", "amount",
        "currency", "created", "updated", "enabled", "count", "total", "name", "id", "url", "path", "config",
        "retry", "timeout", "policy", "event", "metric", "label", "span", "trace", "query", "filter", "page",
    ];

    private static readonly string[] Prose =
    [
        "The quarterly report shows that spending on language models grew faster than expected.",
        "Please summarise the attached contract and list every obligation with its deadline.",
        "She asked whether the refund had been processed, and the agent promised to check by Friday.",
        "In 2023 the team migrated 14 services to the new platform without a single outage.",
        "Write a short, friendly email declining the invitation but suggesting another date.",
        "Explain the difference between a mutex and a semaphore to a junior developer.",
        "Our customers in Europe expect prices in euros, including VAT, on every invoice.",
        "Don't forget: the meeting's been moved to 3:30 p.m. (room B-12), so bring the slides!",
    ];

    private static readonly string[] Multilingual =
    [
        "Бюджет команды на этот месяц почти исчерпан, поэтому новые запросы будут отклонены.",
        "Пожалуйста, переведите этот документ на английский язык до пятницы.",
        "Ο προϋπολογισμός της ομάδας εξαντλήθηκε και τα νέα αιτήματα θα απορριφθούν.",
        "الميزانية الشهرية للفريق على وشك النفاد، لذلك سيتم رفض الطلبات الجديدة.",
        "התקציב החודשי של הצוות כמעט נגמר, ולכן בקשות חדשות יידחו.",
        "टीम का मासिक बजट लगभग समाप्त हो गया है, इसलिए नए अनुरोध अस्वीकार कर दिए जाएंगे।",
        "งบประมาณรายเดือนของทีมใกล้หมดแล้ว ดังนั้นคำขอใหม่จะถูกปฏิเสธ",
        "Ngân sách hàng tháng của nhóm sắp hết, vì vậy các yêu cầu mới sẽ bị từ chối.",
        "Das monatliche Budget des Teams ist fast aufgebraucht, daher werden neue Anfragen abgelehnt.",
        "Le budget mensuel de l'équipe est presque épuisé ; les nouvelles requêtes seront refusées.",
        "El presupuesto mensual del equipo está casi agotado, así que se rechazarán las nuevas solicitudes.",
        "Miesięczny budżet zespołu jest prawie wyczerpany, więc nowe żądania zostaną odrzucone.",
        "Ekibin aylık bütçesi neredeyse tükendi, bu yüzden yeni istekler reddedilecek.",
        "Ομάδα, παρακαλώ ελέγξτε τα τιμολόγια πριν από την Παρασκευή.",
        "ბიუჯეტი თითქმის ამოიწურა, ამიტომ ახალი მოთხოვნები უარყოფილი იქნება.",
        "குழுவின் மாதாந்திர பட்ஜெட் கிட்டத்தட்ட தீர்ந்துவிட்டது.",
        "তোমার দলের মাসিক বাজেট প্রায় শেষ হয়ে গেছে।",
    ];

    private static readonly string[] Cjk =
    [
        "团队本月的预算几乎用完了，因此新的请求将被拒绝。",
        "请在周五之前把这份合同翻译成英文，并列出所有的付款期限。",
        "模型的价格按每百万个输入和输出令牌计算。",
        "チームの今月の予算はほぼ使い切ったため、新しいリクエストは拒否されます。",
        "金曜日までにこの契約書を英語に翻訳してください。",
        "キャッシュに保存された応答は、同じテナントにのみ返されます。",
        "팀의 이번 달 예산이 거의 소진되어 새로운 요청은 거부됩니다.",
        "금요일까지 이 계약서를 영어로 번역해 주세요.",
        "這個模型的價格是按照每百萬個詞元計算的。",
        "（注意：所有金额均以人民币计算，包含增值税。）",
    ];

    private static readonly string[] Emoji =
    [
        "😀", "🎉", "🚀", "👍", "❤️", "🔥", "✅", "⚠️", "📈", "🤖", "👩‍💻", "👨‍👩‍👧‍👦", "🇫🇷", "🇯🇵", "👍🏽", "🙏",
        "💡", "☀️", "⭐", "🧪", "📦", "🛑", "🤔", "😂",
    ];

    private static readonly string[] CodeTemplates =
    [
        """
        public sealed class {0}Service(I{0}Repository repository, ILogger<{0}Service> logger)
        {{
            public async Task<{0}?> Get{0}Async(Guid id, CancellationToken cancellationToken)
            {{
                var {1} = await repository.FindAsync(id, cancellationToken).ConfigureAwait(false);
                if ({1} is null)
                {{
                    logger.LogWarning("{0} {{Id}} not found", id);
                    return null;
                }}

                return {1} with {{ {2} = {1}.{2} + {3} }};
            }}
        }}
        """,
        """
        def {1}_{2}(items: list[dict], limit: int = {3}) -> dict:
            \"\"\"Group items by {2} and keep at most `limit` per group.\"\"\"
            result: dict[str, list] = {{}}
            for item in items:
                key = item.get("{2}", "unknown")
                bucket = result.setdefault(key, [])
                if len(bucket) < limit:
                    bucket.append(item)
            return result
        """,
        """
        export async function fetch{0}(id: string): Promise<{0}> {{
          const res = await fetch(`/api/{1}s/${{id}}?include={2}`, {{ headers: {{ "Accept": "application/json" }} }});
          if (!res.ok) throw new Error(`{0} ${{id}}: HTTP ${{res.status}}`);
          return (await res.json()) as {0};
        }}
        """,
        """
        SELECT c.{1}_id, c.name, SUM(o.{2}) AS total_{2}
        FROM {1}s c
        JOIN orders o ON o.{1}_id = c.{1}_id
        WHERE o.created_at >= DATE '2024-01-01' AND o.{2} > {3}
        GROUP BY c.{1}_id, c.name
        HAVING COUNT(*) > 2
        ORDER BY total_{2} DESC
        LIMIT 50;
        """,
        """
        func (s *{0}Store) Put(ctx context.Context, {1} *{0}) error {{
        	if {1} == nil {{
        		return errors.New("{1} is nil")
        	}}
        	s.mu.Lock()
        	defer s.mu.Unlock()
        	s.items[{1}.ID] = {1}
        	return nil
        }}
        """,
        """
        <div class="{1}-card" data-id="{3}">
          <h2>{{{{ {1}.{2} }}}}</h2>
          <button onclick="save{0}({3})" disabled>Save</button>
        </div>
        """,
    ];

    public static List<CalibrationText> Generate(IReadOnlyList<CalibrationText> realTexts, int seed = 20240601)
    {
        var random = new Random(seed);
        var texts = new List<CalibrationText>();
        for (int i = 0; i < 300; i++)
        {
            texts.Add(new("code", Code(random)));
            texts.Add(new("JSON", Json(random)));
            texts.Add(new("numbers and tables", Numbers(random)));
            texts.Add(new("URLs, ids, base64", Identifiers(random)));
            texts.Add(new("non-Latin and accented scripts", Pick(random, Multilingual, 1 + random.Next(4), " ")));
            texts.Add(new("CJK", Pick(random, Cjk, 1 + random.Next(4), random.Next(2) == 0 ? "" : "\n")));
            texts.Add(new("emoji", EmojiText(random)));
            texts.Add(new("chat with markdown", Markdown(random)));
            texts.Add(new("dense code and symbols", DenseCode(random)));
        }

        for (int i = 0; i < 150; i++)
        {
            // Long prompts: several real and generated texts glued together, as a conversation or RAG context.
            var builder = new StringBuilder();
            int parts = 5 + random.Next(40);
            for (int p = 0; p < parts; p++)
            {
                var source = random.Next(3) == 0 && texts.Count > 0 ? texts[random.Next(texts.Count)] : realTexts[random.Next(realTexts.Count)];
                builder.Append(source.Text).Append("\n\n");
            }

            texts.Add(new("long mixed prompts", builder.ToString()));
        }

        return texts;
    }

    private static string Pick(Random random, string[] items, int count, string separator)
    {
        var builder = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append(separator);
            }

            builder.Append(items[random.Next(items.Length)]);
        }

        return builder.ToString();
    }

    private static string Identifier(Random random, bool pascal)
    {
        string a = Words[random.Next(Words.Length)];
        string b = Words[random.Next(Words.Length)];
        return pascal
            ? char.ToUpperInvariant(a[0]) + a[1..] + char.ToUpperInvariant(b[0]) + b[1..]
            : a + char.ToUpperInvariant(b[0]) + b[1..];
    }

    private static string Code(Random random)
    {
        var builder = new StringBuilder();
        int snippets = 1 + random.Next(3);
        for (int i = 0; i < snippets; i++)
        {
            string template = CodeTemplates[random.Next(CodeTemplates.Length)];
            builder.AppendFormat(
                CultureInfo.InvariantCulture,
                template,
                Identifier(random, pascal: true),
                Words[random.Next(Words.Length)],
                Words[random.Next(Words.Length)],
                random.Next(1, 10_000)).Append('\n');
        }

        string code = builder.ToString();
        return random.Next(3) == 0 ? code.Replace("    ", "\t", StringComparison.Ordinal) : code;
    }

    private static string Json(Random random)
    {
        JsonNode? node;
        do
        {
            node = JsonValueOf(random, depth: 0);
        }
        while (node is not JsonObject and not JsonArray);

        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = random.Next(2) == 0 });
    }

    private static JsonNode? JsonValueOf(Random random, int depth)
    {
        int pick = depth > 3 ? random.Next(4) : random.Next(7);
        switch (pick)
        {
            case 0: return JsonValue.Create(Words[random.Next(Words.Length)] + " " + Words[random.Next(Words.Length)]);
            case 1: return JsonValue.Create(random.Next(-1000, 1_000_000));
            case 2: return JsonValue.Create(Math.Round(random.NextDouble() * 1000, random.Next(1, 6)));
            case 3: return random.Next(2) == 0 ? JsonValue.Create(random.Next(2) == 0) : null;
            case 4:
            case 5:
                var obj = new JsonObject();
                int n = 1 + random.Next(8);
                for (int i = 0; i < n; i++)
                {
                    obj[Identifier(random, pascal: false) + i.ToString(CultureInfo.InvariantCulture)] = JsonValueOf(random, depth + 1);
                }

                return obj;
            default:
                var array = new JsonArray();
                int m = random.Next(6);
                for (int i = 0; i < m; i++)
                {
                    array.Add(JsonValueOf(random, depth + 1));
                }

                return array;
        }
    }

    private static string Numbers(Random random)
    {
        var builder = new StringBuilder();
        int rows = 1 + random.Next(30);
        int style = random.Next(4);
        for (int r = 0; r < rows; r++)
        {
            switch (style)
            {
                case 0:
                    builder.Append(CultureInfo.InvariantCulture, $"{random.Next(1, 99999)},{random.NextDouble() * 10000:F2},{2000 + random.Next(30)}-{random.Next(1, 13):D2}-{random.Next(1, 29):D2},{random.Next()}\n");
                    break;
                case 1:
                    builder.Append(CultureInfo.InvariantCulture, $"| {Words[random.Next(Words.Length)]} | {random.Next(100)} | {random.NextDouble():P1} | ${random.Next(1, 1_000_000):N0} |\n");
                    break;
                case 2:
                    builder.Append(CultureInfo.InvariantCulture, $"+1 ({random.Next(200, 999)}) {random.Next(100, 999)}-{random.Next(1000, 9999)}; card 4{random.NextInt64(100_000_000_000_000, 999_999_999_999_999)}\n");
                    break;
                default:
                    builder.Append(CultureInfo.InvariantCulture, $"{random.NextDouble() * Math.Pow(10, random.Next(-5, 12)):G17} ");
                    break;
            }
        }

        return builder.ToString();
    }

    private static string Identifiers(Random random)
    {
        var builder = new StringBuilder();
        int items = 1 + random.Next(10);
        for (int i = 0; i < items; i++)
        {
            switch (random.Next(6))
            {
                case 0:
                    builder.Append(CultureInfo.InvariantCulture, $"https://api.example.com/v{random.Next(1, 4)}/{Words[random.Next(Words.Length)]}s/{new Guid(RandomBytes(random, 16))}?{Words[random.Next(Words.Length)]}={random.Next(1000)}&sort=-created_at ");
                    break;
                case 1:
                    builder.Append(new Guid(RandomBytes(random, 16)).ToString()).Append(' ');
                    break;
                case 2:
                    builder.Append(Convert.ToHexString(RandomBytes(random, 8 + random.Next(32))).ToLowerInvariant()).Append('\n');
                    break;
                case 3:
                    builder.Append(Convert.ToBase64String(RandomBytes(random, 12 + random.Next(200)))).Append('\n');
                    break;
                case 4:
                    builder.Append("sk-proj-").Append(Convert.ToBase64String(RandomBytes(random, 36)).Replace('+', 'x').Replace('/', 'y').TrimEnd('=')).Append(' ');
                    break;
                default:
                    builder.Append(CultureInfo.InvariantCulture, $"/var/lib/{Words[random.Next(Words.Length)]}/{Identifier(random, false)}_{random.Next(100)}.json ");
                    break;
            }
        }

        return builder.ToString();
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string EmojiText(Random random)
    {
        var builder = new StringBuilder();
        int parts = 1 + random.Next(8);
        for (int i = 0; i < parts; i++)
        {
            if (random.Next(3) != 0)
            {
                builder.Append(Prose[random.Next(Prose.Length)]).Append(' ');
            }

            int emoji = 1 + random.Next(5);
            for (int e = 0; e < emoji; e++)
            {
                builder.Append(Emoji[random.Next(Emoji.Length)]);
            }

            builder.Append(' ');
        }

        return builder.ToString();
    }

    private static readonly string[] Operators =
    [
        " = ", " == ", " != ", " += ", " -> ", " => ", " && ", " || ", ", ", ": ", "; ", ".", "::", "(", ")", "[", "]",
        "{", "}", " < ", " >= ", " ** ", " % ", "!", "?", "?.", "??", "@", "#", "$", "~", "^", "|", "&", "*", "/", "\\",
        "...", "---", "***", "!!!", "???", "<<<", ">>>", "\"", "'", "`", "<>", "</", "/>", "${", "}}", "{{", "#[", "]]",
    ];

    // Short identifiers, operators, punctuation runs and deep indentation: the densest tokens per character.
    private static string DenseCode(Random random)
    {
        var builder = new StringBuilder();
        int lines = 1 + random.Next(25);
        for (int l = 0; l < lines; l++)
        {
            int indent = random.Next(6);
            builder.Append(random.Next(3) == 0 ? new string('\t', indent) : new string(' ', indent * (random.Next(2) == 0 ? 2 : 4)));
            int tokens = 1 + random.Next(12);
            for (int t = 0; t < tokens; t++)
            {
                switch (random.Next(5))
                {
                    case 0:
                        builder.Append((char)('a' + random.Next(26)));
                        break;
                    case 1:
                        builder.Append(random.Next(100));
                        break;
                    case 2:
                        string word = Words[random.Next(Words.Length)];
                        builder.Append(word.AsSpan(0, Math.Min(3, word.Length)));
                        break;
                    default:
                        builder.Append(Operators[random.Next(Operators.Length)]);
                        break;
                }
            }

            builder.Append(random.Next(4) == 0 ? ":\n" : "\n");
        }

        return builder.ToString();
    }

    private static string Markdown(Random random)
    {
        var builder = new StringBuilder();
        builder.Append("## ").Append(Words[random.Next(Words.Length)]).Append(" notes\n\n");
        int items = 1 + random.Next(6);
        for (int i = 0; i < items; i++)
        {
            builder.Append(random.Next(2) == 0 ? "- " : $"{i + 1}. ").Append("**").Append(Words[random.Next(Words.Length)]).Append("**: ")
                .Append(Prose[random.Next(Prose.Length)]).Append('\n');
        }

        if (random.Next(2) == 0)
        {
            builder.Append("\n```python\nprint(\"").Append(Words[random.Next(Words.Length)]).Append("\")\n```\n");
        }

        builder.Append("\n> ").Append(Prose[random.Next(Prose.Length)]).Append(" — see [docs](https://example.com/docs#").Append(Words[random.Next(Words.Length)]).Append(").\n");
        return builder.ToString();
    }
}
