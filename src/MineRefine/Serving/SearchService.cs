using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MineRefine.Serving;

/// <summary>
/// The HTTP search service (paper §9): ASP.NET Core minimal API over an <see cref="ISearchEngine"/>.
/// Endpoints: <c>GET /v1/search</c>, <c>POST /v1/search</c> (batch), <c>GET /v1/products/{id}</c>, <c>GET /v1/info</c>,
/// <c>POST /v1/admin/reload</c>, <c>GET /healthz</c>, <c>GET /readyz</c>, <c>GET /openapi.json</c>, and the web page at
/// <c>/</c>. Every failure is an RFC 9457 problem document.
/// </summary>
public static class SearchService
{
    /// <summary>Header carrying the API key.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    private static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private sealed record BatchItem(string? Q, int? K, string? Mode, int? MinGrade);
    private sealed record BatchRequest(IReadOnlyList<BatchItem?>? Queries);
    private sealed record Item(string Q, int K, SearchMode Mode, int? MinGrade);

    /// <summary>
    /// Builds (does not start) the service. The first engine is loaded in the background once the server starts
    /// (<c>/readyz</c> answers 503 until then); <c>POST /v1/admin/reload</c> calls <paramref name="loader"/> again and
    /// swaps engines without dropping in-flight requests. The <see cref="EngineHost"/> is registered as a service.
    /// </summary>
    public static WebApplication Build(ServiceOptions options, Func<CancellationToken, ISearchEngine> loader)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loader);
        options.Validate();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(SearchService).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Backstop only: POST /v1/search enforces MaxRequestBodyBytes itself so it can answer a clean 413.
            k.Limits.MaxRequestBodySize = Math.Max(2 * options.MaxRequestBodyBytes, 1 << 20);
            k.AddServerHeader = false;
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(c => c.SingleLine = true);
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(j =>
        {
            j.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            j.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        });
        var host = new EngineHost();
        builder.Services.AddSingleton(host);
        builder.Services.AddSingleton(options);

        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MineRefine.Serving");
        var apiKey = options.EffectiveApiKey();

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(async (ctx, next) =>
        {
            ctx.Response.Headers.XContentTypeOptions = "nosniff";
            await next(ctx);
        });

        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => LoadAsync(host, loader, app.Lifetime.ApplicationStopping, log)));
        app.Lifetime.ApplicationStopped.Register(host.Dispose);

        // --- health ---------------------------------------------------------------------------------------------
        app.MapGet("/healthz", () => Results.Ok(new { status = "up" }));
        app.MapGet("/readyz", () =>
        {
            using var lease = host.TryAcquire();
            if (lease is null) return NotReady(host);
            // Engines with a remote dense backend are probed on every call: ready while at least one shard answers
            // (searches are then flagged degraded), 503 when none does.
            var backend = lease.Engine is IBackendHealthSource source ? source.CheckBackend() : null;
            if (backend is { Ready: false })
                return Results.Problem(statusCode: 503, title: "no shard reachable",
                    detail: $"no shard of the {backend.Kind} backend ({backend.Description}) answers: {string.Join("; ", backend.Errors)}");
            return Results.Ok(new
            {
                status = backend is { Degraded: true } ? "degraded" : "ready",
                generation = lease.Generation,
                engine = lease.Engine.Info,
                backend,
            });
        });

        // --- documents and page ---------------------------------------------------------------------------------
        var openApi = OpenApiDocument(options);
        app.MapGet("/openapi.json", () => Results.Text(openApi, "application/json", Encoding.UTF8));
        if (options.EnableWebPage)
        {
            app.MapGet("/", (HttpContext http) =>
            {
                http.Response.Headers.ContentSecurityPolicy =
                    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
                return Page("index.html", "text/html; charset=utf-8");
            });
            app.MapGet("/app.js", () => Page("app.js", "text/javascript; charset=utf-8"));
            app.MapGet("/app.css", () => Page("app.css", "text/css; charset=utf-8"));
        }

        // --- /v1 --------------------------------------------------------------------------------------------------
        var v1 = app.MapGroup("/v1");
        if (options.ApiKeyScope == ApiKeyScope.AllV1) v1.AddEndpointFilter(KeyFilter(apiKey, admin: false));

        v1.MapGet("/search", (Delegate)(Func<HttpContext, Task<IResult>>)((HttpContext http) =>
        {
            var qs = http.Request.Query;
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var name in new[] { "q", "k", "mode", "minGrade" })
                if (qs.TryGetValue(name, out var v) && v.Count > 1) errors[name] = [$"give {name} once (got {v.Count} values)"];
            int? k = ParseInt(qs["k"], "k", errors);
            int? minGrade = ParseInt(qs["minGrade"], "minGrade", errors);
            var item = Validate(qs["q"].ToString() is { Length: > 0 } q ? q : null, k, qs.ContainsKey("mode") ? qs["mode"].ToString() : null,
                minGrade, "", options, errors);
            if (errors.Count > 0) return Task.FromResult(Results.ValidationProblem(errors, title: "invalid search request"));
            return RunAsync(http, host, options, [item!], batch: false, log);
        }));

        v1.MapPost("/search", (Delegate)(Func<HttpContext, Task<IResult>>)(async (HttpContext http) =>
        {
            if (!http.Request.HasJsonContentType())
                return Results.Problem(statusCode: 415, title: "unsupported media type", detail: "send the batch as Content-Type: application/json");
            if (http.Request.ContentLength > options.MaxRequestBodyBytes)
                return TooLarge(options);
            BatchRequest? body;
            try
            {
                var bytes = await ReadLimitedAsync(http.Request.Body, options.MaxRequestBodyBytes, http.RequestAborted);
                if (bytes is null) return TooLarge(options);
                body = JsonSerializer.Deserialize<BatchRequest>(bytes, BodyJson);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == 413) { return TooLarge(options); }
            catch (BadHttpRequestException e) { return Results.Problem(statusCode: e.StatusCode, title: "bad request", detail: e.Message); }
            catch (JsonException e)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"invalid JSON{(e.Path is { } p ? $" at {p}" : "")}: {e.Message}"] },
                    title: "invalid search request");
            }
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var items = new List<Item>();
            if (body?.Queries is null) errors["queries"] = ["is required: {\"queries\": [{\"q\": \"…\"}]}"];
            else if (body.Queries.Count == 0) errors["queries"] = ["must contain at least one query"];
            else if (body.Queries.Count > options.MaxBatchSize) errors["queries"] = [$"at most {options.MaxBatchSize} queries per batch (got {body.Queries.Count})"];
            else
                for (var i = 0; i < body.Queries.Count; i++)
                {
                    var b = body.Queries[i];
                    if (b is null) { errors[$"queries[{i}]"] = ["must be an object"]; continue; }
                    var item = Validate(b.Q, b.K, b.Mode, b.MinGrade, $"queries[{i}].", options, errors);
                    if (item is not null) items.Add(item);
                }
            if (errors.Count > 0) return Results.ValidationProblem(errors, title: "invalid search request");
            return await RunAsync(http, host, options, items, batch: true, log);
        }));

        v1.MapGet("/products/{id}", (string id) =>
        {
            if (id.Length > 256)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["id"] = ["must be at most 256 characters"] });
            using var lease = host.TryAcquire();
            if (lease is null) return NotReady(host);
            var p = lease.Engine.Product(id);
            return p is null ? Results.Problem(statusCode: 404, title: "product not found", detail: $"no product with id '{id}'") : Results.Ok(p);
        });

        v1.MapGet("/info", () =>
        {
            using var lease = host.TryAcquire();
            return lease is null ? NotReady(host) : Results.Ok(new
            {
                generation = lease.Generation,
                engine = lease.Engine.Info,
                limits = new { options.MaxQueryLength, options.MaxK, options.DefaultK, options.MaxBatchSize, options.MaxRequestBodyBytes },
            });
        });

        var admin = v1.MapGroup("/admin").AddEndpointFilter(KeyFilter(apiKey, admin: true));
        admin.MapPost("/reload", async () =>
        {
            try
            {
                var generation = await LoadAsync(host, loader, app.Lifetime.ApplicationStopping, log, rethrow: true);
                using var lease = host.TryAcquire();
                return Results.Ok(new { status = "reloaded", generation, engine = lease?.Engine.Info });
            }
            catch (Exception e)
            {
                return Results.Problem(statusCode: 500, title: "reload failed; the previous engine is still serving",
                    detail: $"{e.GetType().Name}: {e.Message}");
            }
        });

        return app;
    }

    /// <summary>The base URL(s) the started app listens on (resolves port 0).</summary>
    public static IReadOnlyList<string> BoundAddresses(WebApplication app)
    {
        var server = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>();
        var feature = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>();
        return feature?.Addresses.ToArray() ?? [];
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is longer (chunked bodies have no
    /// Content-Length to check up front).</summary>
    private static async Task<byte[]?> ReadLimitedAsync(Stream body, long limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > limit) return null;
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private static async Task<long> LoadAsync(EngineHost host, Func<CancellationToken, ISearchEngine> loader,
        CancellationToken stopping, ILogger log, bool rethrow = false)
    {
        await host.LoadLock.WaitAsync(stopping);
        try
        {
            var engine = await Task.Run(() => loader(stopping), stopping);
            var generation = host.Swap(engine);
            log.LogInformation("Engine generation {Generation} loaded: {Name}", generation, engine.Info.Name);
            return generation;
        }
        catch (Exception e)
        {
            log.LogError(e, "Engine load failed");
            host.ReportLoadFailure(e);
            if (rethrow) throw;
            return 0;
        }
        finally { host.LoadLock.Release(); }
    }

    private static async Task<IResult> RunAsync(HttpContext http, EngineHost host, ServiceOptions options,
        IReadOnlyList<Item> items, bool batch, ILogger log)
    {
        var lease = host.TryAcquire();
        if (lease is null) return NotReady(host);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        cts.CancelAfter(options.RequestTimeout);
        var token = cts.Token;
        // No token on Task.Run: the lease must be released by this body even when the request gives up.
        var work = Task.Run(() =>
        {
            try
            {
                var results = new SearchResponse[items.Count];
                for (var i = 0; i < items.Count; i++)
                {
                    token.ThrowIfCancellationRequested();
                    try { results[i] = lease.Engine.Search(items[i].Q, items[i].K, items[i].Mode, items[i].MinGrade); }
                    catch (SearchRequestException e) when (batch) { throw new SearchRequestException($"queries[{i}].{e.Field}", e.Message); }
                }
                return results;
            }
            finally { lease.Dispose(); }
        });
        try
        {
            var results = await work.WaitAsync(token);
            return batch ? Results.Ok(new { generation = lease.Generation, results }) : Results.Ok(results[0]);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return Results.Problem(statusCode: 499, title: "client closed request");
        }
        catch (OperationCanceledException)
        {
            return Results.Problem(statusCode: 504, title: "search timed out",
                detail: $"the search did not finish within {options.RequestTimeout.TotalMilliseconds:0} ms");
        }
        catch (SearchRequestException e)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { [e.Field] = [e.Message] }, title: "invalid search request");
        }
        catch (Exception e)
        {
            log.LogError(e, "Search failed");
            return Results.Problem(statusCode: 500, title: "search failed", detail: $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static Item? Validate(string? q, int? k, string? mode, int? minGrade, string prefix, ServiceOptions o,
        Dictionary<string, string[]> errors)
    {
        var ok = true;
        if (string.IsNullOrWhiteSpace(q)) { errors[prefix + "q"] = ["is required and must not be blank"]; ok = false; }
        else if (q.Length > o.MaxQueryLength) { errors[prefix + "q"] = [$"must be at most {o.MaxQueryLength} characters (got {q.Length})"]; ok = false; }
        if (k is { } kv && (kv < 1 || kv > o.MaxK)) { errors[prefix + "k"] = [$"must be between 1 and {o.MaxK}"]; ok = false; }
        var m = o.DefaultMode;
        if (mode is not null && !TryParseMode(mode, out m)) { errors[prefix + "mode"] = ["must be one of dense, bm25, hybrid"]; ok = false; }
        if (minGrade is { } g && (g < 0 || g > 2)) { errors[prefix + "minGrade"] = ["must be 0, 1 or 2"]; ok = false; }
        return ok && !errors.ContainsKey(prefix + "k") && !errors.ContainsKey(prefix + "minGrade")
            ? new Item(q!, k ?? o.DefaultK, m, minGrade) : null;
    }

    private static bool TryParseMode(string s, out SearchMode mode)
    {
        switch (s.Trim().ToLowerInvariant())
        {
            case "dense": mode = SearchMode.Dense; return true;
            case "bm25": mode = SearchMode.Bm25; return true;
            case "hybrid": mode = SearchMode.Hybrid; return true;
            default: mode = default; return false;
        }
    }

    private static int? ParseInt(Microsoft.Extensions.Primitives.StringValues v, string name, Dictionary<string, string[]> errors)
    {
        if (v.Count == 0) return null;
        if (int.TryParse(v[0], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n)) return n;
        errors[name] = [$"must be an integer (got '{v[0]}')"];
        return null;
    }

    private static IResult NotReady(EngineHost host) => Results.Problem(statusCode: 503, title: "engine not loaded",
        detail: host.LastLoadError is { } e ? $"engine load failed: {e.GetType().Name}: {e.Message}" : "the search engine is still loading; retry shortly");

    private static IResult TooLarge(ServiceOptions o) => Results.Problem(statusCode: 413, title: "request body too large",
        detail: $"the body must be at most {o.MaxRequestBodyBytes} bytes");

    private static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> KeyFilter(string? apiKey, bool admin)
    {
        var expected = apiKey is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));
        return async (ctx, next) =>
        {
            if (expected is null)
                return admin
                    ? Results.Problem(statusCode: 403, title: "admin endpoints disabled",
                        detail: $"configure an API key (ServiceOptions.ApiKey or the {ServiceOptions.DefaultApiKeyVariable} environment variable)")
                    : await next(ctx);
            var given = ctx.HttpContext.Request.Headers[ApiKeyHeader];
            if (given.Count == 0 || string.IsNullOrEmpty(given[0]))
                return Results.Problem(statusCode: 401, title: "API key required", detail: $"send the key in the {ApiKeyHeader} header");
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(given[0]!));
            if (!CryptographicOperations.FixedTimeEquals(hash, expected))
                return Results.Problem(statusCode: 403, title: "invalid API key", detail: $"the {ApiKeyHeader} header does not match the configured key");
            return await next(ctx);
        };
    }

    private static IResult Page(string name, string contentType)
    {
        var text = Resource(name);
        return Results.Text(text, contentType, Encoding.UTF8);
    }

    private static readonly Dictionary<string, string> ResourceCache = new(StringComparer.Ordinal);

    private static string Resource(string name)
    {
        lock (ResourceCache)
        {
            if (ResourceCache.TryGetValue(name, out var s)) return s;
            var full = $"MineRefine.Serving.Web.{name}";
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(full)
                ?? throw new InvalidOperationException($"Embedded resource '{full}' is missing from the MineRefine assembly.");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return ResourceCache[name] = reader.ReadToEnd();
        }
    }

    private static string OpenApiDocument(ServiceOptions o) => Resource("openapi.json")
        .Replace("\"__MAX_K__\"", o.MaxK.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("\"__DEFAULT_K__\"", o.DefaultK.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("\"__MAX_Q__\"", o.MaxQueryLength.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("\"__MAX_BATCH__\"", o.MaxBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
