using MineRefine.Modeling;
using MineRefine.Retrieval;

namespace MineRefine.Tests.Dense;

/// <summary>Hashed bag-of-words embedder: each lower-cased token adds ±1 to a hashed bucket; rows are L2-normalised.</summary>
internal sealed class FakeEmbedder(int dimension = 64, string modelHash = "fake-v1") : ITextEmbedder
{
    public string Name => "fake";
    public int Dimension => dimension;
    public string ModelHash { get; set; } = modelHash;
    public int ItemEncodeCalls { get; private set; }
    public int QueryEncodeCalls { get; private set; }
    public int TextsEncoded { get; private set; }

    public EmbeddingMatrix Encode(IReadOnlyList<string> texts, EmbeddingRole role, IProgress<int>? progress = null)
    {
        if (role == EmbeddingRole.Item) ItemEncodeCalls++; else QueryEncodeCalls++;
        TextsEncoded += texts.Count;
        var data = new float[texts.Count * dimension];
        for (int i = 0; i < texts.Count; i++)
        {
            var row = data.AsSpan(i * dimension, dimension);
            foreach (var tok in texts[i].ToLowerInvariant().Split(' ', ',', '-', '/', '.'))
            {
                if (tok.Length == 0) continue;
                uint h = 2166136261;
                foreach (char c in tok) h = (h ^ c) * 16777619;
                row[(int)(h % (uint)dimension)] += (h & 0x80000000) != 0 ? -1f : 1f;
            }
            double n = 0;
            foreach (var v in row) n += v * v;
            if (n > 0) for (int j = 0; j < dimension; j++) row[j] /= (float)Math.Sqrt(n);
            progress?.Report(i + 1);
        }
        return new EmbeddingMatrix(texts.Count, dimension, data);
    }

    public void Dispose() { }
}

/// <summary>Temporary folder deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mr-dense-" + Guid.NewGuid().ToString("N"));
    public TempDir() => Directory.CreateDirectory(Path);
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}
