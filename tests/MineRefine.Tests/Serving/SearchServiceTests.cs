using System.Net;
using System.Text.Json;
using MineRefine.Serving;

namespace MineRefine.Tests.Serving;

public class SearchServiceTests
{
    private static async Task<JsonElement> Json(HttpResponseMessage r)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"{(int)r.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task Healthz_and_readyz_before_and_after_load()
    {
        using var gate = new ManualResetEventSlim(false);
        await using var svc = await RunningService.StartAsync(_ => { gate.Wait(); return DemoCatalog.Engine(); }, waitReady: false);
        Assert.Equal(HttpStatusCode.OK, (await svc.Http.GetAsync("/healthz")).StatusCode);
        var notReady = await ProblemAssert.Problem(await svc.Http.GetAsync("/readyz"), 503);
        Assert.Contains("loading", notReady.GetProperty("detail").GetString());
        await ProblemAssert.Problem(await svc.Http.GetAsync("/v1/search?q=drill"), 503);
        gate.Set();
        await svc.Host.FirstLoad.WaitAsync(TimeSpan.FromSeconds(60));
        var ready = await Json(await svc.Http.GetAsync("/readyz"));
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(1, ready.GetProperty("generation").GetInt64());
        Assert.Equal("demo", ready.GetProperty("engine").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Failed_initial_load_is_reported_by_readyz()
    {
        await using var svc = await RunningService.StartAsync(_ => throw new FileNotFoundException("model folder missing"), waitReady: false);
        await Assert.ThrowsAsync<FileNotFoundException>(() => svc.Host.FirstLoad.WaitAsync(TimeSpan.FromSeconds(60)));
        var p = await ProblemAssert.Problem(await svc.Http.GetAsync("/readyz"), 503);
        Assert.Contains("model folder missing", p.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Get_search_hybrid_returns_raw_scores_and_tiers()
    {
        await using var svc = await RunningService.StartAsync(_ => DemoCatalog.Engine());
        var r = await Json(await svc.Http.GetAsync("/v1/search?q=cordless%20drill&k=5&mode=hybrid"));
        Assert.Equal("hybrid", r.GetProperty("mode").GetString());
        var results = r.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(5, results.Count);
        var first = results[0];
        Assert.Equal("p1", first.GetProperty("productId").GetString());
        Assert.Equal("Cordless drill 18V", first.GetProperty("title").GetString());
        Assert.Equal(["Tools", "Power tools", "Drills"], first.GetProperty("category").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("exact", first.GetProperty("tier").GetString());
        Assert.Equal(0.91, first.GetProperty("dense").GetDouble(), 5);
        Assert.Equal(12.5, first.GetProperty("bm25").GetDouble(), 5);
        Assert.Equal(1.0 / 61, first.GetProperty("fused").GetDouble(), 6); // default RRF 0.5/0.5: 0.5/61 + 0.5/61
        Assert.Equal(first.GetProperty("fused").GetDouble(), first.GetProperty("score").GetDouble(), 9);
        // RRF 0.5/0.5 (dense ranks p1 p2 p3 p6 p4 p5; BM25 ranks p1 p3 p6 p2): p3 .5/63+.5/62 > p2 .5/62+.5/64 > p6 .5/64+.5/63 > p4 .5/65.
        Assert.Equal(["p1", "p3", "p2", "p6", "p4"], results.Select(x => x.GetProperty("productId").GetString()));
        var p4 = results[4];
        Assert.Equal(JsonValueKind.Null, p4.GetProperty("bm25").ValueKind);
        Assert.Equal(JsonValueKind.Null, p4.GetProperty("bm25Rank").ValueKind);
        Assert.Equal(5, p4.GetProperty("denseRank").GetInt32());
        Assert.Equal("irrelevant", p4.GetProperty("tier").GetString());
        Assert.Equal(Enumerable.Range(1, 5), results.Select(x => x.GetProperty("rank").GetInt32()));
    }

    [Fact]
    public async Task Get_search_dense_and_bm25_modes_and_min_grade_filter()
    {
        await using var svc = await RunningService.StartAsync(_ => DemoCatalog.Engine());
        var dense = await Json(await svc.Http.GetAsync("/v1/search?q=cordless%20drill&k=6&mode=dense"));
        Assert.Equal(["p1", "p2", "p3", "p6", "p4", "p5"], dense.GetProperty("results").EnumerateArray().Select(x => x.GetProperty("productId").GetString()));
        Assert.Equal(JsonValueKind.Null, dense.GetProperty("results")[0].GetProperty("fused").ValueKind);

        var bm25 = await Json(await svc.Http.GetAsync("/v1/search?q=cordless%20drill&mode=BM25"));
        var b = bm25.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["p1", "p3", "p6", "p2"], b.Select(x => x.GetProperty("productId").GetString()));
        Assert.Equal(0.78, b[3].GetProperty("dense").GetDouble(), 5); // filled by the pair scorer
        Assert.Equal("exact", b[3].GetProperty("tier").GetString());

        var exactOnly = await Json(await svc.Http.GetAsync("/v1/search?q=cordless%20drill&k=6&mode=dense&minGrade=2"));
        Assert.Equal(["p1", "p2"], exactOnly.GetProperty("results").EnumerateArray().Select(x => x.GetProperty("productId").GetString()));
        var partialUp = await Json(await svc.Http.GetAsync("/v1/search?q=cordless%20drill&k=6&mode=dense&minGrade=1"));
        Assert.Equal(4, partialUp.GetProperty("results").GetArrayLength());
        Assert.Equal(1, partialUp.GetProperty("minGrade").GetInt32());
    }

    [Fact]
    public async Task Get_search_validation_errors_name_the_field()
    {
        await using var svc = await RunningService.StartAsync(_ => DemoCatalog.Engine(), o => o.MaxQueryLength = 10);
        var h = svc.Http;
        await ProblemAssert.Field(await h.GetAsync("/v1/search"), "q");
        await ProblemAssert.Field(await h.GetAsync("/v1/search?q=%20%20"), "q");
        Assert.Contains("at most 10", await ProblemAssert.Field(await h.GetAsync("/v1/search?q=" + new string('x', 11)), "q"));
        Assert.Equal("must be between 1 and 200", await ProblemAssert.Field(await h.GetAsync("/v1/search?q=a&k=0"), "k"));
        await ProblemAssert.Field(await h.GetAsync("/v1/search?q=a&k=201"), "k");
        Assert.Contains("integer", await ProblemAssert.Field(await h.GetAsync("/v1/search?q=a&k=ten"), "k"));
        Assert.Contains("dense, bm25, hybrid", await ProblemAssert.Field(await h.GetAsync("/v1/search?q=a&mode=sparse"), "mode"));
        await ProblemAssert.Field(await h.GetAsync("/v1/search?q=a&minGrade=3"), "minGrade");
        await ProblemAssert.Field(await h.GetAsync("/v1/search?q=a&minGrade=-1"), "minGrade");
        await ProblemAssert.Field(await h.GetAsync("/v1/search?q=a&q=b"), "q");
        // Several errors at once.
        var p = await ProblemAssert.Problem(await h.GetAsync("/v1/search?k=0&mode=x"), 400);
        Assert.Equal(3, p.GetProperty("errors").EnumerateObject().Count());
    }

    [Fact]
    public async Task Min_grade_without_thresholds_is_a_field_error()
    {
        await using var svc = await RunningService.StartAsync(_ => DemoCatalog.Engine(withThresholds: false));
        Assert.Contains("thresholds", await ProblemAssert.Field(await svc.Http.GetAsync("/v1/search?q=cordless%20drill&minGrade=1"), "minGrade"));
        var ok = await Json(await svc.Http.GetAsync("/v1/search?q=cordless%20drill&minGrade=0"));
        Assert.Equal(JsonValueKind.Null, ok.GetProperty("results")[0].GetProperty("tier").ValueKind);
    }

    [Fact]
    public async Task Post_batch_search_and_its_errors()
    {
        await using var svc = await RunningService.StartAsync(_ => DemoCatalog.Engine(), o => { o.MaxBatchSize = 3; o.MaxRequestBodyBytes = 1024; });
        var h = svc.Http;
        var ok = await Json(await h.PostJson("/v1/search",
            """{"queries":[{"q":"cordless drill","k":2,"mode":"dense"},{"q":"cordless drill","mode":"bm25","minGrade":2}]}"""));
        var results = ok.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        Assert.Equal(2, results[0].GetProperty("results").GetArrayLength());
        Assert.Equal("bm25", results[1].GetProperty("mode").GetString());
        Assert.All(results[1].GetProperty("results").EnumerateArray(), x => Assert.Equal("exact", x.GetProperty("tier").GetString()));

        Assert.Contains("at most 3", await ProblemAssert.Field(await h.PostJson("/v1/search",
            """{"queries":[{"q":"a"},{"q":"b"},{"q":"c"},{"q":"d"}]}"""), "queries"));
        await ProblemAssert.Field(await h.PostJson("/v1/search", """{"queries":[]}"""), "queries");
        await ProblemAssert.Field(await h.PostJson("/v1/search", """{}"""), "queries");
        Assert.Equal("must be between 1 and 200", await ProblemAssert.Field(await h.PostJson("/v1/search",
            """{"queries":[{"q":"a"},{"q":"b","k":500}]}"""), "queries[1].k"));
        await ProblemAssert.Field(await h.PostJson("/v1/search", """{"queries":[{"k":5}]}"""), "queries[0].q");
        await ProblemAssert.Field(await h.PostJson("/v1/search", """{"queries":[{"q":"a","mode":"nope"}]}"""), "queries[0].mode");
        await ProblemAssert.Field(await h.PostJson("/v1/search", """{"queries":[{"q":"a","minGrade":7}]}"""), "queries[0].minGrade");
        await ProblemAssert.Field(await h.PostJson("/v1/search", """{"queries":[{"q":"a","kk":5}]}"""), "body"); // unknown field
        await ProblemAssert.Field(await h.PostJson("/v1/search", """{"queries":[{"q":"a","k":"five"}]}"""), "body");
        await ProblemAssert.Field(await h.PostJson("/v1/search", """{"queries": [ """), "body");

        var big = "{\"queries\":[{\"q\":\"" + new string('x', 2000) + "\"}]}";
        await ProblemAssert.Problem(await h.PostJson("/v1/search", big), 413);
        // Chunked (no Content-Length): Kestrel's body limit applies while reading.
        var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/search")
        {
            Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(big))),
        };
        chunked.Content.Headers.ContentType = new("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        await ProblemAssert.Problem(await h.SendAsync(chunked), 413);

        var text = new HttpRequestMessage(HttpMethod.Post, "/v1/search") { Content = new StringContent("q=a") };
        await ProblemAssert.Problem(await h.SendAsync(text), 415);
    }

    [Fact]
    public async Task Api_key_guards_all_v1_endpoints_when_scope_is_all()
    {
        await using var svc = await RunningService.StartAsync(_ => DemoCatalog.Engine(), o => o.ApiKey = "s3cret");
        var h = svc.Http;
        await ProblemAssert.Problem(await h.GetAsync("/v1/search?q=cordless%20drill"), 401);
        await ProblemAssert.Problem(await h.GetAsync("/v1/info"), 401);
        await ProblemAssert.Problem(await h.PostJson("/v1/search", """{"queries":[{"q":"a"}]}"""), 401);
        var wrong = new HttpRequestMessage(HttpMethod.Get, "/v1/search?q=cordless%20drill");
        wrong.Headers.Add("X-Api-Key", "guess");
        await ProblemAssert.Problem(await h.SendAsync(wrong), 403);
        var right = new HttpRequestMessage(HttpMethod.Get, "/v1/search?q=cordless%20drill");
        right.Headers.Add("X-Api-Key", "s3cret");
        Assert.Equal(HttpStatusCode.OK, (await h.SendAsync(right)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await h.PostJson("/v1/search", """{"queries":[{"q":"a"}]}""", key: "s3cret")).StatusCode);
        // Unversioned endpoints stay open.
        Assert.Equal(HttpStatusCode.OK, (await h.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await h.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await h.GetAsync("/openapi.json")).StatusCode);
    }

    [Fact]
    public async Task Api_key_from_environment_and_admin_only_scope()
    {
        var variable = "MINEREFINE_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "envkey");
        try
        {
            await using var svc = await RunningService.StartAsync(_ => DemoCatalog.Engine(),
                o => { o.ApiKeyEnvironmentVariable = variable; o.ApiKeyScope = ApiKeyScope.AdminOnly; });
            Assert.Equal(HttpStatusCode.OK, (await svc.Http.GetAsync("/v1/search?q=cordless%20drill")).StatusCode);
            await ProblemAssert.Problem(await svc.Http.PostAsync("/v1/admin/reload", null), 401);
            await ProblemAssert.Problem(await svc.Http.PostJson("/v1/admin/reload", "{}", key: "nope"), 403);
            Assert.Equal(HttpStatusCode.OK, (await svc.Http.PostJson("/v1/admin/reload", "{}", key: "envkey")).StatusCode);
        }
        finally { Environment.SetEnvironmentVariable(variable, null); }
    }

    [Fact]
    public async Task Admin_is_disabled_without_a_key()
    {
        await using var svc = await RunningService.StartAsync(_ => DemoCatalog.Engine());
        var p = await ProblemAssert.Problem(await svc.Http.PostAsync("/v1/admin/reload", null), 403);
        Assert.Contains("API key", p.GetProperty("detail").GetString());
        Assert.Equal(1, svc.Host.Generation);
    }

    [Fact]
    public async Task Reload_swaps_engine_while_slow_request_completes_on_the_old_one()
    {
        using var gate = new ManualResetEventSlim(false);
        var engines = new List<FakeEngine>();
        await using var svc = await RunningService.StartAsync(_ =>
        {
            var e = new FakeEngine("gen" + (engines.Count + 1)) { Gate = engines.Count == 0 ? gate : null };
            engines.Add(e);
            return e;
        }, o => o.ApiKey = "k");
        try
        {
            var slowReq = new HttpRequestMessage(HttpMethod.Get, "/v1/search?q=slow");
            slowReq.Headers.Add("X-Api-Key", "k");
            var slow = svc.Http.SendAsync(slowReq);
            await engines[0].Entered.Task.WaitAsync(TimeSpan.FromSeconds(60)); // the slow search is running on gen1

            var reload = await Json(await svc.Http.PostJson("/v1/admin/reload", "", key: "k"));
            Assert.Equal(2, reload.GetProperty("generation").GetInt64());
            Assert.Equal("gen2", reload.GetProperty("engine").GetProperty("name").GetString());
            Assert.False(engines[0].Disposed); // still in flight

            var fastReq = new HttpRequestMessage(HttpMethod.Get, "/v1/search?q=fast");
            fastReq.Headers.Add("X-Api-Key", "k");
            var fast = await Json(await svc.Http.SendAsync(fastReq));
            Assert.Equal("gen2", fast.GetProperty("engine").GetString());
            Assert.False(slow.IsCompleted);

            gate.Set();
            var slowBody = await Json(await slow);
            Assert.Equal("gen1", slowBody.GetProperty("engine").GetString());
            Assert.Equal("p-gen1", slowBody.GetProperty("results")[0].GetProperty("productId").GetString());
            Assert.True(engines[0].Disposed); // drained → disposed
            Assert.False(engines[1].Disposed);
        }
        finally { gate.Set(); }
        await svc.DisposeAsync();
        Assert.True(engines[1].Disposed); // stopping the service releases the current engine
    }

    [Fact]
    public async Task Failed_reload_keeps_the_old_engine()
    {
        var calls = 0;
        await using var svc = await RunningService.StartAsync(_ => ++calls == 1 ? new FakeEngine("good") : throw new InvalidDataException("broken index"),
            o => o.ApiKey = "k");
        var p = await ProblemAssert.Problem(await svc.Http.PostJson("/v1/admin/reload", "", key: "k"), 500);
        Assert.Contains("broken index", p.GetProperty("detail").GetString());
        var ready = await Json(await svc.Http.GetAsync("/readyz"));
        Assert.Equal("good", ready.GetProperty("engine").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Slow_search_times_out_with_504()
    {
        using var gate = new ManualResetEventSlim(false);
        var engine = new FakeEngine("slow") { Gate = gate };
        await using var svc = await RunningService.StartAsync(_ => engine, o => o.RequestTimeout = TimeSpan.FromMilliseconds(200));
        try
        {
            var p = await ProblemAssert.Problem(await svc.Http.GetAsync("/v1/search?q=a"), 504);
            Assert.Contains("200 ms", p.GetProperty("detail").GetString());
        }
        finally { gate.Set(); }
    }

    [Fact]
    public async Task Product_info_openapi_page_and_unknown_routes()
    {
        await using var svc = await RunningService.StartAsync(_ => DemoCatalog.Engine());
        var h = svc.Http;
        var p = await Json(await h.GetAsync("/v1/products/p3"));
        Assert.Equal("Drill bit set, 20 pieces", p.GetProperty("title").GetString());
        await ProblemAssert.Problem(await h.GetAsync("/v1/products/nope"), 404);

        var info = await Json(await h.GetAsync("/v1/info"));
        Assert.Equal(6, info.GetProperty("engine").GetProperty("productCount").GetInt32());
        Assert.Equal(0.7, info.GetProperty("engine").GetProperty("thresholds").GetProperty("exact").GetDouble(), 9);
        Assert.Equal("rrf", info.GetProperty("engine").GetProperty("fusion").GetProperty("method").GetString());
        Assert.Equal(200, info.GetProperty("limits").GetProperty("maxK").GetInt32());

        var doc = await Json(await h.GetAsync("/openapi.json"));
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/v1/search", "/v1/products/{id}", "/v1/info", "/v1/admin/reload", "/healthz", "/readyz" })
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI document lacks {path}");
        Assert.True(paths.GetProperty("/v1/search").TryGetProperty("post", out _));
        Assert.Equal(200, doc.GetProperty("components").GetProperty("parameters").GetProperty("k").GetProperty("schema").GetProperty("maximum").GetInt32());

        var page = await h.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<form id=\"search-form\"", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "")); // no CDN
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("renderChart", await h.GetStringAsync("/app.js"));
        Assert.Equal("text/css", (await h.GetAsync("/app.css")).Content.Headers.ContentType?.MediaType);

        await ProblemAssert.Problem(await h.GetAsync("/no/such/route"), 404);
        await ProblemAssert.Problem(await h.DeleteAsync("/v1/search"), 405);
    }

    [Fact]
    public void Options_validation_names_the_setting()
    {
        Assert.Contains("MaxK", Assert.Throws<ArgumentException>(() => new ServiceOptions { MaxK = 1001 }.Validate()).Message);
        Assert.Contains("DefaultK", Assert.Throws<ArgumentException>(() => new ServiceOptions { DefaultK = 300 }.Validate()).Message);
        Assert.Contains("Urls", Assert.Throws<ArgumentException>(() => new ServiceOptions { Urls = "ftp://x" }.Validate()).Message);
        Assert.Contains("RequestTimeout", Assert.Throws<ArgumentException>(() => new ServiceOptions { RequestTimeout = TimeSpan.Zero }.Validate()).Message);
        Assert.Equal("http://127.0.0.1:5080", new ServiceOptions().Urls);
    }
}
