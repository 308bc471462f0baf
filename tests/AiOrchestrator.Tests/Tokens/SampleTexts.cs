namespace AiOrchestrator.Tests.Tokens;

/// <summary>Varied texts written for these tests (no external data).</summary>
internal static class SampleTexts
{
    public static readonly TheoryData<string, string> All = new()
    {
        { "prose", "The budget for the marketing team was exceeded on Tuesday, so every new request is now rejected until the first of next month." },
        { "short", "Hi!" },
        { "question", "What's the difference between a process and a thread?" },
        { "code", "public static int Add(int a, int b)\n{\n    return a + b; // sum\n}\n\nif (x >= 10 && y != null) { Console.WriteLine($\"{x}:{y}\"); }" },
        { "python", "def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n" },
        { "json", "{\"id\":12345,\"name\":\"Widget\",\"tags\":[\"a\",\"b\"],\"price\":{\"amount\":19.99,\"currency\":\"EUR\"},\"active\":true,\"meta\":null}" },
        { "json indented", "{\n  \"userId\": \"u-42\",\n  \"items\": [\n    { \"sku\": \"ABC-123\", \"qty\": 2 },\n    { \"sku\": \"XYZ-9\", \"qty\": 1 }\n  ]\n}" },
        { "chinese", "团队本月的预算几乎用完了，新的请求将被拒绝。请明天再试。" },
        { "japanese", "今月の予算はほぼ使い切りました。新しいリクエストは拒否されます。" },
        { "korean", "이번 달 예산이 거의 소진되었습니다. 새로운 요청은 거부됩니다." },
        { "russian", "Бюджет на этот месяц почти исчерпан, новые запросы будут отклонены." },
        { "arabic", "تم استنفاد الميزانية تقريبًا، وسيتم رفض الطلبات الجديدة." },
        { "hindi", "इस महीने का बजट लगभग खत्म हो गया है।" },
        { "accents", "Le café coûte 3,50 € à Zürich ; ¿dónde está la estación? Größe: 42." },
        { "emoji", "Great job team 🎉🚀👍 see you tomorrow 😀❤️ 👩‍💻 🇫🇷" },
        { "emoji only", "😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘" },
        { "numbers", "3.14159 2.71828 1234567890 0.000001 -42 1e10 2024-06-01 12:30:45 +1 (555) 123-4567" },
        { "table", "| id | amount | date |\n|---|---:|---|\n| 1 | 1,234.56 | 2024-01-02 |\n| 2 | 99.00 | 2024-02-03 |" },
        { "urls", "https://example.com/api/v2/users/8f14e45f-ceea-467f-a0e6-5c6a1b2c3d4e?include=orders&sort=-created_at https://learn.microsoft.com/dotnet/" },
        { "base64", "SGVsbG8gV29ybGQhIFRoaXMgaXMgYSBiYXNlNjQgZW5jb2RlZCBzdHJpbmcgdXNlZCBmb3IgdGVzdGluZy4=" },
        { "hex", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" },
        { "api key", "sk-proj-Ab3dE5fGh7JkL9mN1pQr3StU5vWx7Yz9aB2cD4eF6gH8iJ0kL" },
        { "markdown", "## Summary\n\n- **Cost**: $12.40\n- **Model**: `gpt-4o`\n\n```bash\ndotnet test --filter Tokens\n```\n\n> Note: see [docs](https://example.com)." },
        { "whitespace", "    \n\n\t\t    \n" },
        { "punctuation", "Wait... what?! (Really?) Yes -- it's \"done\": 100%; see #42 & @team <ops>." },
    };
}
