using System.Text.Json;
using MineRefine.Data;
using MineRefine.Labeling;

namespace MineRefine.Tests.Labeling;

public sealed class OpenAiCompatibleLabelerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mr-llm-" + Guid.NewGuid().ToString("N"));

    public OpenAiCompatibleLabelerTests() => Directory.CreateDirectory(_dir);
    public void Dispose() { try { Directory.Delete(_dir, true); } catch { } }

    private LlmLabelerOptions Options(string baseUrl, string? cache = null) => new()
    {
        BaseUrl = baseUrl,
        Model = "test-model",
        ApiKeyEnvironmentVariable = "MINEREFINE_TEST_NO_SUCH_KEY",
        BatchSize = 3,
        MaxConcurrency = 2,
        MaxRetries = 2,
        InitialBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(5),
        RequestTimeout = TimeSpan.FromSeconds(10),
        CachePath = cache,
    };

    private static List<LabelRequest> Pairs(int n) =>
        Enumerable.Range(0, n).Select(i => new LabelRequest($"q{i % 3}", $"query {i % 3}", $"p{i}", $"item number {i} g{(i * 7) % 3}")).ToList();

    [Fact]
    public async Task WellFormedAnswers_AreParsedInOrder_AndRequestIsOpenAiShaped()
    {
        using var server = new FakeChatServer(FakeChatServer.Good);
        using var labeler = new OpenAiCompatibleLabeler(Options(server.BaseUrl));
        var pairs = Pairs(8);
        var res = await labeler.LabelAsync(pairs);
        Assert.Equal(8, res.Count);
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal((i * 7) % 3, res[i].Grade);
            Assert.Equal(JudgmentSource.Model, res[i].Source);
            Assert.Equal("llm:test-model", res[i].Judge);
            Assert.Equal(0.9f, res[i].Confidence, 5);
            Assert.Equal(1f, res[i].Probabilities.Sum(), 5);
        }
        Assert.Equal(3, server.RequestCount); // 8 pairs / batch 3
        Assert.All(server.Paths, p => Assert.Equal("/v1/chat/completions", p));
        Assert.Equal(0, labeler.Stats.Retries);
    }

    [Fact]
    public async Task RequestBody_HasTemperatureZero_JsonFormat_AndGuideline()
    {
        JsonElement body = default;
        using var server = new FakeChatServer(c => { body = c.Body; return FakeChatServer.Good(c); });
        using var labeler = new OpenAiCompatibleLabeler(Options(server.BaseUrl));
        await labeler.LabelAsync(Pairs(1));
        Assert.Equal("test-model", body.GetProperty("model").GetString());
        Assert.Equal(0, body.GetProperty("temperature").GetDouble());
        Assert.Equal("json_object", body.GetProperty("response_format").GetProperty("type").GetString());
        var system = body.GetProperty("messages")[0].GetProperty("content").GetString()!;
        Assert.Contains("EXACT", system);
        Assert.Contains("SUBSTITUTE", system);
        Assert.Contains("COMPLEMENT", system);
        Assert.Contains("cordless drill", system); // default few-shot example

        var o = Options(server.BaseUrl);
        o.UseJsonResponseFormat = false;
        using var l2 = new OpenAiCompatibleLabeler(o);
        await l2.LabelAsync(Pairs(1));
        Assert.False(body.TryGetProperty("response_format", out _));
    }

    [Fact]
    public async Task MalformedJson_IsRetried_ThenGood()
    {
        using var server = new FakeChatServer(c => c.Index switch
        {
            0 => new FakeChatServer.Reply(200, FakeChatServer.Completion("Sure! Here are the labels: 2, 1")),
            1 => new FakeChatServer.Reply(200, FakeChatServer.Completion("{\"labels\":[{\"i\":0,\"grade\":3}]}")),
            _ => FakeChatServer.Good(c),
        });
        var o = Options(server.BaseUrl); o.BatchSize = 10;
        using var labeler = new OpenAiCompatibleLabeler(o);
        var res = await labeler.LabelAsync(Pairs(1));
        Assert.Equal(0, res[0].Grade);
        Assert.Equal(3, server.RequestCount);
        Assert.Equal(2, labeler.Stats.MalformedAnswers);
    }

    [Fact]
    public async Task PersistentlyMalformed_FailsWithClearError_NoGuess()
    {
        using var server = new FakeChatServer(c => new FakeChatServer.Reply(200,
            FakeChatServer.Completion("{\"labels\":[{\"i\":0,\"grade\":2}]}"))); // index 1 missing
        var o = Options(server.BaseUrl); o.BatchSize = 2;
        using var labeler = new OpenAiCompatibleLabeler(o);
        var ex = await Assert.ThrowsAsync<LabelingException>(() => labeler.LabelAsync(Pairs(2)));
        Assert.Equal(2, ex.Failures.Count);
        Assert.Contains("index 1 is missing", ex.Failures[0].Reason);
        Assert.Contains("after 3 attempts", ex.Message);
        Assert.All(ex.PartialResults, Assert.Null);
        Assert.Equal(3, server.RequestCount);
    }

    [Fact]
    public async Task TooManyRequests_HonoursRetryAfter_ThenGood()
    {
        using var server = new FakeChatServer(c => c.Index == 0
            ? new FakeChatServer.Reply(429, "{\"error\":\"rate\"}", RetryAfter: "1")
            : FakeChatServer.Good(c));
        using var labeler = new OpenAiCompatibleLabeler(Options(server.BaseUrl));
        var res = await labeler.LabelAsync(Pairs(2));
        Assert.Equal(2, res.Count);
        Assert.Equal(2, server.RequestCount);
        Assert.Equal(new[] { TimeSpan.FromSeconds(1) }, labeler.Stats.RetryDelays);
    }

    [Fact]
    public async Task ServerError_IsRetried_WithSeededBackoff()
    {
        using var server = new FakeChatServer(c => c.Index < 2 ? new FakeChatServer.Reply(500, "oops") : FakeChatServer.Good(c));
        using var labeler = new OpenAiCompatibleLabeler(Options(server.BaseUrl));
        var res = await labeler.LabelAsync(Pairs(2));
        Assert.Equal(2, res.Count);
        Assert.Equal(3, server.RequestCount);
        var d = labeler.Stats.RetryDelays;
        Assert.Equal(2, d.Count);
        // attempt a waits min(max, initial·2^a)·(0.5 + u): 1 ms·[0.5,1.5) then 2 ms·[0.5,1.5)
        Assert.InRange(d[0].TotalMilliseconds, 0.5, 1.5);
        Assert.InRange(d[1].TotalMilliseconds, 1.0, 3.0);

        using var server2 = new FakeChatServer(c => c.Index < 2 ? new FakeChatServer.Reply(503, "oops") : FakeChatServer.Good(c));
        using var again = new OpenAiCompatibleLabeler(Options(server2.BaseUrl));
        await again.LabelAsync(Pairs(2));
        Assert.Equal(d, again.Stats.RetryDelays); // same seed → same jitter
    }

    [Fact]
    public async Task ClientError_IsNotRetried()
    {
        using var server = new FakeChatServer(c => new FakeChatServer.Reply(401, "{\"error\":\"bad key\"}"));
        using var labeler = new OpenAiCompatibleLabeler(Options(server.BaseUrl));
        var ex = await Assert.ThrowsAsync<LabelingException>(() => labeler.LabelAsync(Pairs(1)));
        Assert.Contains("HTTP 401", ex.Failures[0].Reason);
        Assert.Contains("MINEREFINE_TEST_NO_SUCH_KEY", ex.Failures[0].Reason);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Timeout_IsRetried_ThenFails()
    {
        using var server = new FakeChatServer(c => FakeChatServer.Good(c) with { DelayMs = 3000 });
        var o = Options(server.BaseUrl);
        o.RequestTimeout = TimeSpan.FromMilliseconds(150);
        o.MaxRetries = 1;
        using var labeler = new OpenAiCompatibleLabeler(o);
        var ex = await Assert.ThrowsAsync<LabelingException>(() => labeler.LabelAsync(Pairs(1)));
        Assert.Contains("timed out", ex.Failures[0].Reason);
        Assert.Equal(2, server.RequestCount);
        Assert.Equal(1, labeler.Stats.Retries);
    }

    [Fact]
    public async Task Cache_HitsAreNotSent_AndSurviveRestart()
    {
        string cache = Path.Combine(_dir, "cache.jsonl");
        using var server = new FakeChatServer(FakeChatServer.Good);
        var pairs = Pairs(5);
        using (var l1 = new OpenAiCompatibleLabeler(Options(server.BaseUrl, cache)))
            await l1.LabelAsync(pairs);
        Assert.Equal(2, server.RequestCount);
        Assert.Equal(5, File.ReadAllLines(cache).Count(l => l.Length > 0));

        using var l2 = new OpenAiCompatibleLabeler(Options(server.BaseUrl, cache));
        var extra = pairs.Append(new LabelRequest("qx", "new query", "px", "new item g1")).ToList();
        var res = await l2.LabelAsync(extra);
        Assert.Equal(3, server.RequestCount); // only the new pair was sent
        Assert.Equal(5, l2.Stats.CacheHits);
        Assert.Equal(1, l2.Stats.PairsSent);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (i * 7) % 3).Append(1), res.Select(r => r.Grade));

        // Changing the model invalidates the key.
        var o = Options(server.BaseUrl, cache); o.Model = "other-model";
        using var l3 = new OpenAiCompatibleLabeler(o);
        await l3.LabelAsync(pairs.Take(1).ToList());
        Assert.Equal(4, server.RequestCount);
    }

    [Fact]
    public async Task Cache_TruncatedLastLineIgnored_CorruptLineRejectedWithLine()
    {
        string cache = Path.Combine(_dir, "c2.jsonl");
        using var server = new FakeChatServer(FakeChatServer.Good);
        using (var l1 = new OpenAiCompatibleLabeler(Options(server.BaseUrl, cache))) await l1.LabelAsync(Pairs(2));
        File.AppendAllText(cache, "{\"key\":\"ab"); // crash mid-write
        using (var l2 = new OpenAiCompatibleLabeler(Options(server.BaseUrl, cache)))
        {
            await l2.LabelAsync(Pairs(2));
            Assert.Equal(2, l2.Stats.CacheHits);
        }
        File.WriteAllText(cache, "not json\n");
        var ex = Assert.Throws<DataFormatException>(() => new OpenAiCompatibleLabeler(Options(server.BaseUrl, cache)));
        Assert.Equal(1, ex.Line);
        Assert.Equal(cache, ex.FilePath);
    }

    [Fact]
    public async Task DuplicatePairs_AreSentOnce()
    {
        using var server = new FakeChatServer(FakeChatServer.Good);
        var o = Options(server.BaseUrl); o.BatchSize = 10;
        using var labeler = new OpenAiCompatibleLabeler(o);
        var p = new LabelRequest("q", "drill", "p", "drill g2");
        var res = await labeler.LabelAsync(new[] { p, p with { QueryId = "q2", ProductId = "p2" }, p });
        Assert.All(res, r => Assert.Equal(2, r.Grade));
        Assert.Equal(1, labeler.Stats.PairsSent);
    }

    [Fact]
    public async Task ConcurrencyLimit_IsRespected()
    {
        using var server = new FakeChatServer(c => FakeChatServer.Good(c) with { DelayMs = 60 });
        var o = Options(server.BaseUrl); o.BatchSize = 1; o.MaxConcurrency = 2;
        using var labeler = new OpenAiCompatibleLabeler(o);
        int lastProgress = 0;
        var res = await labeler.LabelAsync(Pairs(8), new SyncProgress(n => lastProgress = n));
        Assert.Equal(8, server.RequestCount);
        Assert.InRange(server.MaxInFlight, 1, 2);
        Assert.Equal(8, lastProgress);
    }

    [Fact]
    public void Options_AreValidated()
    {
        Assert.Throws<ArgumentException>(() => new OpenAiCompatibleLabeler(new LlmLabelerOptions { BaseUrl = "nope" }));
        Assert.Throws<ArgumentException>(() => new OpenAiCompatibleLabeler(new LlmLabelerOptions { BatchSize = 0 }));
        var ex = Assert.Throws<ArgumentException>(() => new LlmLabelerOptions { ApiKeyEnvironmentVariable = "" }.Validate());
        Assert.Contains("ApiKeyEnvironmentVariable", ex.Message);
    }

    [Theory]
    [InlineData("{\"labels\":[{\"i\":0,\"grade\":1},{\"i\":1,\"grade\":2}]}", true)]
    [InlineData("{\"labels\":[{\"i\":1,\"grade\":2},{\"i\":0,\"grade\":1}]}", true)]
    [InlineData("{\"labels\":[{\"i\":0,\"grade\":1}]}", false)]                                   // missing
    [InlineData("{\"labels\":[{\"i\":0,\"grade\":1},{\"i\":1,\"grade\":2},{\"i\":2,\"grade\":0}]}", false)] // extra
    [InlineData("{\"labels\":[{\"i\":0,\"grade\":1},{\"i\":0,\"grade\":2}]}", false)]             // duplicate
    [InlineData("{\"labels\":[{\"i\":0,\"grade\":1},{\"i\":1,\"grade\":-1}]}", false)]            // out of range
    [InlineData("{\"labels\":[{\"i\":0,\"grade\":1},{\"i\":1,\"grade\":1.5}]}", false)]           // not integer
    [InlineData("{\"labels\":[{\"i\":0,\"grade\":\"1\"},{\"i\":1,\"grade\":1}]}", false)]         // string
    [InlineData("{\"labels\":[{\"i\":0,\"grade\":1,\"why\":\"x\"},{\"i\":1,\"grade\":1}]}", false)] // extra property
    [InlineData("```json\n{\"labels\":[]}\n```", false)]
    [InlineData("[1,2]", false)]
    public void ParseAnswer_IsStrict(string content, bool ok)
    {
        if (ok) Assert.Equal(2, LlmPrompt.ParseAnswer(content, 2).Length);
        else Assert.Throws<FormatException>(() => LlmPrompt.ParseAnswer(content, 2));
    }

    [Fact]
    public void CacheKey_DependsOnEveryPart()
    {
        var k = LlmPrompt.CacheKey("m", "v", "q", "i");
        Assert.Equal(64, k.Length);
        Assert.NotEqual(k, LlmPrompt.CacheKey("m2", "v", "q", "i"));
        Assert.NotEqual(k, LlmPrompt.CacheKey("m", "v2", "q", "i"));
        Assert.NotEqual(k, LlmPrompt.CacheKey("m", "v", "q2", "i"));
        Assert.NotEqual(k, LlmPrompt.CacheKey("m", "v", "q", "i2"));
        Assert.NotEqual(LlmPrompt.CacheKey("m", "v", "ab", "c"), LlmPrompt.CacheKey("m", "v", "a", "bc"));
    }

    private sealed class SyncProgress(Action<int> a) : IProgress<int> { public void Report(int value) => a(value); }
}
