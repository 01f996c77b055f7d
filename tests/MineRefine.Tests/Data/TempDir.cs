using System.IO.Compression;
using System.Text;

namespace MineRefine.Tests.Data;

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "minerefine-data-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string text, Encoding? enc = null)
    {
        string p = File(name);
        System.IO.File.WriteAllBytes(p, (enc ?? new UTF8Encoding(false)).GetBytes(text));
        return p;
    }

    public string WriteGzip(string name, string text, Encoding enc)
    {
        string p = File(name);
        using var fs = System.IO.File.Create(p);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        var bytes = enc.GetBytes(text);
        gz.Write(bytes, 0, bytes.Length);
        return p;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
