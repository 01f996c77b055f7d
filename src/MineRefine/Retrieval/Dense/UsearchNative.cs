using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Cloud.Unum.USearch;

namespace MineRefine.Retrieval.Dense;

/// <summary>
/// P/Invoke into the C API of <c>libusearch_c</c> (shipped by Cloud.Unum.USearch 2.26.6) for what the managed
/// <see cref="USearchIndex"/> does not expose: expansion and thread settings, reserve, pointer-based add/search.
/// The native handle is the managed wrapper's private <c>_index</c> field (read with <see cref="UnsafeAccessorAttribute"/>);
/// the managed wrapper keeps ownership (init, load, view, save, free).
/// Signatures follow c/usearch.h: every function takes a trailing <c>usearch_error_t*</c> (a static C string, not freed).
/// </summary>
internal static unsafe class UsearchNative
{
    private const string Lib = "libusearch_c";

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_index")]
    private static extern ref IntPtr IndexField(USearchIndex index);

    /// <summary>The native <c>usearch_index_t</c> of a managed index.</summary>
    public static IntPtr Handle(USearchIndex index)
    {
        IntPtr h;
        try { h = IndexField(index); }
        catch (MissingFieldException e)
        {
            throw new InvalidOperationException(
                "Cannot reach the native USearch handle: Cloud.Unum.USearch no longer has a private '_index' field. " +
                "Pin Cloud.Unum.USearch 2.26.6 or update UsearchNative.Handle.", e);
        }
        if (h == IntPtr.Zero) throw new InvalidOperationException("The USearch index has no native handle (disposed or failed to initialise).");
        return h;
    }

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    private static extern void usearch_reserve(IntPtr index, nuint capacity, out IntPtr error);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    private static extern void usearch_change_expansion_search(IntPtr index, nuint expansion, out IntPtr error);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    private static extern void usearch_change_expansion_add(IntPtr index, nuint expansion, out IntPtr error);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    private static extern void usearch_change_threads_add(IntPtr index, nuint threads, out IntPtr error);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    private static extern void usearch_change_threads_search(IntPtr index, nuint threads, out IntPtr error);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    private static extern nuint usearch_expansion_search(IntPtr index, out IntPtr error);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    private static extern nuint usearch_expansion_add(IntPtr index, out IntPtr error);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    private static extern nuint usearch_size(IntPtr index, out IntPtr error);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    private static extern void usearch_add(IntPtr index, ulong key, float* vector, ScalarKind kind, out IntPtr error);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    private static extern nuint usearch_search(IntPtr index, float* query, ScalarKind kind, nuint count,
        ulong* keys, float* distances, out IntPtr error);

    private static void Check(IntPtr error, string what)
    {
        if (error != IntPtr.Zero)
            throw new InvalidOperationException($"USearch {what} failed: {Marshal.PtrToStringAnsi(error)}");
    }

    public static void Reserve(IntPtr index, long capacity) { usearch_reserve(index, (nuint)capacity, out var e); Check(e, "reserve"); }
    public static void SetExpansionSearch(IntPtr index, int ef) { usearch_change_expansion_search(index, (nuint)ef, out var e); Check(e, "change_expansion_search"); }
    public static void SetExpansionAdd(IntPtr index, int ef) { usearch_change_expansion_add(index, (nuint)ef, out var e); Check(e, "change_expansion_add"); }
    public static void SetThreadsAdd(IntPtr index, int threads) { usearch_change_threads_add(index, (nuint)threads, out var e); Check(e, "change_threads_add"); }
    public static void SetThreadsSearch(IntPtr index, int threads) { usearch_change_threads_search(index, (nuint)threads, out var e); Check(e, "change_threads_search"); }
    public static int ExpansionSearch(IntPtr index) { var r = usearch_expansion_search(index, out var e); Check(e, "expansion_search"); return (int)r; }
    public static int ExpansionAdd(IntPtr index) { var r = usearch_expansion_add(index, out var e); Check(e, "expansion_add"); return (int)r; }
    public static long Size(IntPtr index) { var r = usearch_size(index, out var e); Check(e, "size"); return (long)r; }

    public static void Add(IntPtr index, ulong key, float* vector) { usearch_add(index, key, vector, ScalarKind.Float32, out var e); Check(e, "add"); }

    public static int Search(IntPtr index, float* query, int k, ulong* keys, float* distances)
    {
        var n = usearch_search(index, query, ScalarKind.Float32, (nuint)k, keys, distances, out var e);
        Check(e, "search");
        return (int)n;
    }
}
