using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace MineRefine.Tests.Labeling;

/// <summary>Loopback OpenAI-compatible /chat/completions stub for tests (127.0.0.1, free port).</summary>
internal sealed class FakeChatServer : IDisposable
{
    public sealed record Call(int Index, IReadOnlyList<(string Query, string Item)> Pairs, JsonElement Body);
    public sealed record Reply(int Status, string Body, int DelayMs = 0, string? RetryAfter = null);

    private readonly HttpListener _listener = new();
    private readonly Func<Call, Reply> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _count, _inFlight, _maxInFlight;

    public FakeChatServer(Func<Call, Reply> handler)
    {
        _handler = handler;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = $"http://127.0.0.1:{port}/v1";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string BaseUrl { get; }
    public int RequestCount => Volatile.Read(ref _count);
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);
    public List<string> Paths { get; } = new();

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch { return; }
            _ = Task.Run(() => HandleAsync(ctx));
        }
    }

    private async Task HandleAsync(HttpListenerContext ctx)
    {
        int index = Interlocked.Increment(ref _count) - 1;
        int now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen) { }
        try
        {
            lock (Paths) Paths.Add(ctx.Request.Url!.AbsolutePath);
            string body;
            using (var r = new StreamReader(ctx.Request.InputStream, Encoding.UTF8)) body = await r.ReadToEndAsync();
            using var doc = JsonDocument.Parse(body);
            var user = doc.RootElement.GetProperty("messages")[1].GetProperty("content").GetString()!;
            var arr = JsonDocument.Parse(user[(user.IndexOf('[')) ..]).RootElement;
            var pairs = arr.EnumerateArray().Select(e => (e.GetProperty("query").GetString()!, e.GetProperty("item").GetString()!)).ToList();
            var reply = _handler(new Call(index, pairs, doc.RootElement.Clone()));
            if (reply.DelayMs > 0) { try { await Task.Delay(reply.DelayMs, _stop.Token); } catch { } }
            ctx.Response.StatusCode = reply.Status;
            if (reply.RetryAfter is not null) ctx.Response.AddHeader("Retry-After", reply.RetryAfter);
            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            ctx.Response.ContentType = "application/json";
            ctx.Response.ContentLength64 = bytes.Length;
            await ctx.Response.OutputStream.WriteAsync(bytes);
            ctx.Response.Close();
        }
        catch
        {
            try { ctx.Response.Abort(); } catch { }
        }
        finally { Interlocked.Decrement(ref _inFlight); }
    }

    /// <summary>Grade encoded in the item text as "g0"/"g1"/"g2" (test convention).</summary>
    public static int GradeOf(string item)
    {
        int k = item.LastIndexOf(" g", StringComparison.Ordinal);
        return item[k + 2] - '0';
    }

    /// <summary>A well-formed chat-completions response whose content is the given string.</summary>
    public static string Completion(string content) =>
        JsonSerializer.Serialize(new { id = "x", choices = new[] { new { index = 0, finish_reason = "stop", message = new { role = "assistant", content } } } });

    /// <summary>A correct answer for the call's pairs.</summary>
    public static Reply Good(Call c) =>
        new(200, Completion(JsonSerializer.Serialize(new { labels = c.Pairs.Select((p, i) => new { i, grade = GradeOf(p.Item) }) })));

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Stop(); _listener.Close(); } catch { }
        try { _loop.Wait(2000); } catch { }
    }
}
