using System.Net.Http.Json;
using System.Text.Json;
using MineRefine.Data;
using MineRefine.Retrieval.Hybrid;
using MineRefine.Serving;
using MineRefine.Tests.Hybrid;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace MineRefine.Tests.Serving;

/// <summary>Engine returning one result per call, optionally blocking on a gate until released.</summary>
public sealed class FakeEngine(string name) : ISearchEngine
{
    public ManualResetEventSlim? Gate { get; init; }
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;
    public bool Disposed => Volatile.Read(ref _disposed) != 0;

    public EngineInfo Info { get; } = new(name, 1, [SearchMode.Dense, SearchMode.Bm25, SearchMode.Hybrid], null, null, DateTimeOffset.UnixEpoch);

    public SearchResponse Search(string query, int k, SearchMode mode, int? minGrade)
    {
        if (Disposed) throw new ObjectDisposedException(name);
        Entered.TrySetResult();
        Gate?.Wait();
        if (Disposed) throw new ObjectDisposedException(name); // must not be disposed while a search runs
        return new SearchResponse(query, mode, k, minGrade, name,
            [new SearchResult(1, "p-" + name, "From " + name, ["Tools"], 1, 1, null, null, 1, null, "exact")]);
    }

    public ProductView? Product(string id) => null;
    public void Dispose() => Interlocked.Exchange(ref _disposed, 1);
}

/// <summary>A small synthetic catalog with fake dense/BM25 retrievers behind a real HybridSearchEngine.</summary>
public static class DemoCatalog
{
    public static readonly Product[] Products =
    [
        new("p1", "Cordless drill 18V", null, ["Tools", "Power tools", "Drills"], Product.EmptyAttributes, "en"),
        new("p2", "Hammer drill with case", null, ["Tools", "Power tools", "Drills"], Product.EmptyAttributes, "en"),
        new("p3", "Drill bit set, 20 pieces", null, ["Tools", "Accessories"], Product.EmptyAttributes, "en"),
        new("p4", "Screwdriver set", null, ["Tools", "Hand tools"], Product.EmptyAttributes, "en"),
        new("p5", "Garden hose 15 m", null, ["Garden", "Watering"], Product.EmptyAttributes, "en"),
        new("p6", "Drill press stand", null, ["Tools", "Accessories"], Product.EmptyAttributes, "en"),
    ];

    public static readonly GradeThresholds Thresholds = new() { Exact = 0.7, Partial = 0.45, Criterion = "hand" };

    public static HybridSearchEngine Engine(bool withThresholds = true, string name = "demo")
    {
        var dense = new FakeDenseScorer("dense:fake",
            new()
            {
                ["cordless drill"] = Hits.Of(("p1", .91f), ("p2", .78f), ("p3", .55f), ("p6", .5f), ("p4", .35f), ("p5", .05f)),
            },
            new() { [("cordless drill", "p1")] = .91f, [("cordless drill", "p2")] = .78f, [("cordless drill", "p3")] = .55f,
                    [("cordless drill", "p6")] = .5f, [("cordless drill", "p4")] = .35f, [("cordless drill", "p5")] = .05f });
        var bm25 = new FakeRetriever("bm25:fake",
            new() { ["cordless drill"] = Hits.Of(("p1", 12.5f), ("p3", 7.1f), ("p6", 6.8f), ("p2", 6.2f)) });
        return HybridSearchEngine.FromProducts(dense, bm25, Products, withThresholds ? Thresholds : null, new FusionOptions(), name);
    }
}

/// <summary>The service on a real Kestrel bound to 127.0.0.1:0.</summary>
public sealed class RunningService : IAsyncDisposable
{
    public required WebApplication App { get; init; }
    public required HttpClient Http { get; init; }
    public required string BaseUrl { get; init; }
    public EngineHost Host => App.Services.GetRequiredService<EngineHost>();

    public static async Task<RunningService> StartAsync(Func<CancellationToken, ISearchEngine> loader, Action<ServiceOptions>? configure = null,
        bool waitReady = true)
    {
        var options = new ServiceOptions { Urls = "http://127.0.0.1:0", ApiKeyEnvironmentVariable = "" };
        configure?.Invoke(options);
        var app = SearchService.Build(options, loader);
        await app.StartAsync();
        var url = SearchService.BoundAddresses(app).Single();
        var svc = new RunningService { App = app, BaseUrl = url, Http = new HttpClient { BaseAddress = new Uri(url) } };
        if (waitReady) await svc.Host.FirstLoad.WaitAsync(TimeSpan.FromSeconds(60)); // hang guard only
        return svc;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

public static class ProblemAssert
{
    /// <summary>Asserts a problem+json response with the status and returns its JSON.</summary>
    public static async Task<JsonElement> Problem(HttpResponseMessage r, int status)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == status, $"expected {status}, got {(int)r.StatusCode}: {text}");
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal(status, json.GetProperty("status").GetInt32());
        return json;
    }

    /// <summary>Asserts a 400 validation problem whose errors name <paramref name="field"/>; returns its messages.</summary>
    public static async Task<string> Field(HttpResponseMessage r, string field)
    {
        var json = await Problem(r, 400);
        var errors = json.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var msgs), $"errors do not name '{field}': {errors}");
        return string.Join("; ", msgs.EnumerateArray().Select(m => m.GetString()));
    }

    public static Task<HttpResponseMessage> PostJson(this HttpClient http, string url, string json, string? key = null)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        if (key is not null) req.Headers.Add(SearchService.ApiKeyHeader, key);
        return http.SendAsync(req);
    }
}
