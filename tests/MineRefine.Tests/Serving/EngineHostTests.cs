using MineRefine.Serving;

namespace MineRefine.Tests.Serving;

public class EngineHostTests
{
    [Fact]
    public void Old_engine_is_disposed_only_after_its_last_lease()
    {
        using var host = new EngineHost();
        Assert.Null(host.TryAcquire());
        var a = new FakeEngine("a");
        var b = new FakeEngine("b");
        Assert.Equal(1, host.Swap(a));
        var l1 = host.TryAcquire()!;
        var l2 = host.TryAcquire()!;
        Assert.Same(a, l1.Engine);
        Assert.Equal(2, host.Swap(b));
        Assert.Same(b, host.TryAcquire()!.Engine);
        l1.Dispose();
        l1.Dispose(); // idempotent: must not release twice
        Assert.False(a.Disposed);
        l2.Dispose();
        Assert.True(a.Disposed);
        Assert.False(b.Disposed);
    }

    [Fact]
    public void Disposing_the_host_releases_the_current_engine()
    {
        var host = new EngineHost();
        var a = new FakeEngine("a");
        host.Swap(a);
        var lease = host.TryAcquire()!;
        host.Dispose();
        Assert.Null(host.TryAcquire());
        Assert.False(a.Disposed);
        lease.Dispose();
        Assert.True(a.Disposed);
        var late = new FakeEngine("late");
        Assert.Throws<ObjectDisposedException>(() => host.Swap(late));
        Assert.True(late.Disposed);
    }
}
