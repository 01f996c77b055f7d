using System.Net;
using System.Net.Sockets;
using Garnet;
using StackExchange.Redis;

namespace MineRefine.ScaleOut.Tests;

/// <summary>
/// Three (or n) in-process Garnet 2.2.8 servers on loopback with vector sets enabled, optionally joined into a cluster
/// (CLUSTER ADDSLOTSRANGE + CLUSTER MEET). Each node keeps its checkpoints in its own folder so it can be restarted.
/// </summary>
internal sealed class GarnetTestCluster : IDisposable
{
    private readonly GarnetServer?[] _servers;
    public int[] Ports { get; }
    public string Root { get; }
    public bool Cluster { get; }

    private readonly string[] _extraArgs;

    /// <param name="nodes">Number of servers.</param>
    /// <param name="cluster">Start them in cluster mode.</param>
    /// <param name="extraArgs">Extra Garnet arguments for every node (e.g. "--aof" for replication).</param>
    public GarnetTestCluster(int nodes, bool cluster, params string[] extraArgs)
    {
        Cluster = cluster;
        _extraArgs = extraArgs;
        Root = Path.Combine(Path.GetTempPath(), "mr-garnet-" + Guid.NewGuid().ToString("N")[..8]);
        Ports = Enumerable.Range(0, nodes).Select(_ => FreePort()).ToArray();
        _servers = new GarnetServer?[nodes];
        for (int i = 0; i < nodes; i++) StartOnFreePort(i);
    }

    /// <summary>First start of node i. <see cref="FreePort"/> only says nothing listened a moment ago: between it and
    /// Garnet's bind another socket can take the port (seen once in CI: AddressAlreadyInUse), so a fresh node that
    /// cannot bind moves to another free port (at most 5 tries). Restarts keep their port.</summary>
    private void StartOnFreePort(int i)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Start(i, recover: false);
                return;
            }
            catch (Exception e) when (attempt < 5 && IsAddressInUse(e))
            {
                Ports[i] = FreePort();
            }
        }
    }

    private static bool IsAddressInUse(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }) return true;
        return false;
    }

    public string[] Endpoints => Ports.Select(p => $"127.0.0.1:{p}").ToArray();

    public void Start(int i, bool recover)
    {
        var dir = Path.Combine(Root, "node" + i);
        Directory.CreateDirectory(dir);
        var args = new List<string>
        {
            "--port", Ports[i].ToString(), "--bind", "127.0.0.1", "--enable-vector-set-preview",
            "--checkpointdir", dir, "--memory", "128m", "--index", "16m", "--device-type", "RandomAccess",
            "--logger-level", "Error",
        };
        if (Cluster) args.AddRange(["--cluster", "--cluster-timeout", "60"]);
        if (recover) args.Add("--recover");
        args.AddRange(_extraArgs);
        var s = new GarnetServer(args.ToArray());
        try
        {
            s.Start();
        }
        catch
        {
            try { s.Dispose(); } catch (ObjectDisposedException) { /* as in Kill */ }
            throw;
        }
        _servers[i] = s;
    }

    /// <summary>Stops node i abruptly (dispose), as a crash would.</summary>
    public void Kill(int i)
    {
        var s = _servers[i];
        _servers[i] = null;
        try { s?.Dispose(); } catch (ObjectDisposedException) { /* Garnet 2.2.8 may throw while tearing down its epoch */ }
    }

    public IServer Admin(ConnectionMultiplexer mux, int i) => mux.GetServer("127.0.0.1", Ports[i]);

    /// <summary>
    /// Assigns contiguous slot ranges so that shard key s (given its slot) lands on node s, then meets the nodes and
    /// waits until every node reports cluster_state:ok.
    /// </summary>
    public void FormCluster(IReadOnlyList<string> shardKeys)
    {
        using var mux = Direct();
        var slots = shardKeys.Select(k => (int)(long)Admin(mux, 0).Execute("CLUSTER", "KEYSLOT", k)).ToArray();
        if (slots.Distinct().Count() != slots.Length) throw new InvalidOperationException("two shard keys share a slot");
        var order = Enumerable.Range(0, slots.Length).OrderBy(s => slots[s]).ToArray();
        int lo = 0;
        for (int j = 0; j < order.Length; j++)
        {
            int hi = j == order.Length - 1 ? 16383 : (slots[order[j]] + slots[order[j + 1]]) / 2;
            int node = order[j] % Ports.Length;
            Admin(mux, node).Execute("CLUSTER", "ADDSLOTSRANGE", lo, hi);
            lo = hi + 1;
        }
        for (int i = 1; i < Ports.Length; i++) Admin(mux, 0).Execute("CLUSTER", "MEET", "127.0.0.1", Ports[i]);
        var deadline = DateTime.UtcNow.AddSeconds(90); // hang guard, not a timing assertion
        while (true)
        {
            // A node busy joining on a starved CPU may not answer one poll in time (CI once timed out here): that
            // poll counts as "not converged yet", not as a failure; the deadline below is the hang guard.
            bool ok = Enumerable.Range(0, Ports.Length).All(i =>
            {
                try
                {
                    var info = Admin(mux, i).Execute("CLUSTER", "INFO").ToString()!;
                    var nodes = Admin(mux, i).Execute("CLUSTER", "NODES").ToString()!;
                    return info.Contains("cluster_state:ok") && info.Contains("cluster_slots_assigned:16384") && nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == Ports.Length;
                }
                catch (RedisTimeoutException) { return false; }
            });
            if (ok) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Garnet cluster did not converge in 90 s");
            Thread.Sleep(200);
        }
    }

    /// <summary>A non-cluster-aware admin connection to every node.</summary>
    public ConnectionMultiplexer Direct()
    {
        var c = new ConfigurationOptions { AllowAdmin = true, AbortOnConnectFail = false, ConnectTimeout = 2000 };
        foreach (var e in Endpoints) c.EndPoints.Add(e);
        return ConnectionMultiplexer.Connect(c);
    }

    /// <summary>SAVE on every live node (a checkpoint in its folder).</summary>
    public void SaveAll()
    {
        using var mux = Direct();
        for (int i = 0; i < Ports.Length; i++)
            if (_servers[i] is not null) SaveWhenIdle(Admin(mux, i));
    }

    /// <summary>
    /// SAVE, retried for up to a minute while Garnet answers "checkpoint already in progress" (a checkpoint taken on
    /// promotion or by the AOF can be running). Returns the reply; other errors propagate.
    /// </summary>
    public static string SaveWhenIdle(IServer server)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1); // hang guard, not a timing assertion
        while (true)
        {
            try { return server.Execute("SAVE").ToString() ?? "(nil)"; }
            catch (RedisServerException e) when (e.Message.Contains("checkpoint already in progress", StringComparison.OrdinalIgnoreCase)
                                                 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(250);
            }
        }
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    internal static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int p = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return p;
    }

    public void Dispose()
    {
        for (int i = 0; i < _servers.Length; i++) Kill(i);
        try { Directory.Delete(Root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
