using System.Runtime.CompilerServices;
using System.Text;

namespace MineRefine.Native;

/// <summary>
/// Works around TorchSharp 0.107's <c>libLibTorchSharp.so</c> requiring <c>GLIBCXX_3.4.32</c>, which Debian 12's
/// libstdc++ lacks. Only an unused marker symbol (<c>_ZSt21ios_base_library_initv</c>) carries that version, so the
/// verneed entry is marked <c>VER_FLG_WEAK</c> (0x2 in <c>vna_flags</c>) and the dynamic loader then accepts the
/// library. Idempotent; runs before any torch call via a module initializer (an incremental build may copy the
/// unpatched file back, so it patches on every start).
/// </summary>
public static class TorchNativeFix
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;
    private static int _applied;

    /// <summary>Runs <see cref="Apply()"/> when the assembly loads.</summary>
#pragma warning disable CA2255 // module initializer in a library is intended here
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Init() => Apply();

    /// <summary>Patches every <c>libLibTorchSharp.so</c> found next to the application. Safe to call repeatedly.</summary>
    public static void Apply()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1 || !OperatingSystem.IsLinux())
            return;
        foreach (var dir in CandidateDirectories())
        {
            foreach (var path in SafeEnumerate(dir))
            {
                try { PatchFile(path, "GLIBCXX_3.4.32"); }
                catch (IOException) { /* read-only or in use: the loader will report the real problem */ }
                catch (UnauthorizedAccessException) { }
            }
        }
    }

    private static IEnumerable<string> CandidateDirectories()
    {
        var baseDir = AppContext.BaseDirectory;
        yield return baseDir;
        yield return Path.Combine(baseDir, "runtimes", "linux-x64", "native");
    }

    private static IEnumerable<string> SafeEnumerate(string dir)
    {
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateFiles(dir, "libLibTorchSharp.so*", SearchOption.TopDirectoryOnly);
    }

    /// <summary>Marks the verneed auxiliary entry naming <paramref name="version"/> as weak. Returns true if the
    /// file was changed.</summary>
    public static bool PatchFile(string path, string version)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2 /* 64-bit */ || elf[5] != 1 /* LE */)
            return false;
        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        ushort shentsize = BitConverter.ToUInt16(elf, 0x3A);
        ushort shnum = BitConverter.ToUInt16(elf, 0x3C);
        bool changed = false;
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            uint type = BitConverter.ToUInt32(elf, sh + 4);
            if (type != ShtGnuVerneed) continue;
            int link = (int)BitConverter.ToUInt32(elf, sh + 40);
            ulong offset = BitConverter.ToUInt64(elf, sh + 24);
            int strSh = checked((int)shoff + link * shentsize);
            ulong strOff = BitConverter.ToUInt64(elf, strSh + 24);
            uint count = BitConverter.ToUInt32(elf, sh + 44); // sh_info = number of verneed entries
            int vn = (int)offset;
            for (uint n = 0; n < count; n++)
            {
                ushort cnt = BitConverter.ToUInt16(elf, vn + 2);
                uint aux = BitConverter.ToUInt32(elf, vn + 8);
                uint next = BitConverter.ToUInt32(elf, vn + 12);
                int va = vn + (int)aux;
                for (int a = 0; a < cnt; a++)
                {
                    ushort flags = BitConverter.ToUInt16(elf, va + 4);
                    uint nameOff = BitConverter.ToUInt32(elf, va + 8);
                    uint vnaNext = BitConverter.ToUInt32(elf, va + 12);
                    string name = ReadCString(elf, (int)strOff + (int)nameOff);
                    if (name == version && (flags & VerFlgWeak) == 0)
                    {
                        BitConverter.TryWriteBytes(elf.AsSpan(va + 4, 2), (ushort)(flags | VerFlgWeak));
                        changed = true;
                    }
                    if (vnaNext == 0) break;
                    va += (int)vnaNext;
                }
                if (next == 0) break;
                vn += (int)next;
            }
        }
        if (changed)
        {
            string tmp = path + ".patch-" + Environment.ProcessId;
            File.WriteAllBytes(tmp, elf);
            File.Move(tmp, path, overwrite: true);
        }
        return changed;
    }

    private static string ReadCString(byte[] data, int start)
    {
        int end = start;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, start, end - start);
    }
}
