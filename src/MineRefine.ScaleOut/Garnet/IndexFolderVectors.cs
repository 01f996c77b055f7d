using MineRefine.Common;
using MineRefine.Data.Import;
using MineRefine.Retrieval;
using MineRefine.Retrieval.Dense;
using MineRefine.Serving;

namespace MineRefine.ScaleOut.Garnet;

/// <summary>
/// The item embeddings of a search index folder (built by <c>minerefine index build</c>) with their product ids and
/// a SETATTR attribute per item (<c>{"category": top-level category}</c>), ready for <see cref="GarnetIndexPusher"/>.
/// The embeddings come from the folder's embedding cache, checked against the model and catalog hashes in
/// <c>index.json</c>, so the model itself is not loaded.
/// </summary>
public sealed record IndexFolderVectors(IReadOnlyList<string> ProductIds, EmbeddingMatrix Vectors, IReadOnlyList<string?> Attributes, string Model)
{
    /// <summary>Loads <paramref name="indexDir"/>; errors name the missing or mismatching file.</summary>
    public static IndexFolderVectors Load(string indexDir)
    {
        string manifestPath = Path.Combine(indexDir, SearchIndex.ManifestFile);
        if (!File.Exists(manifestPath))
            throw new FileNotFoundException($"'{indexDir}' is not a search index folder: {SearchIndex.ManifestFile} is missing (build one with 'minerefine index build').", manifestPath);
        var manifest = Json.ReadFile<SearchIndexManifest>(manifestPath);
        var products = JsonlFormat.ReadProducts(Path.Combine(indexDir, SearchIndex.ProductsFile));
        if (products.Count != manifest.Products)
            throw new InvalidDataException($"{SearchIndex.ProductsFile} has {products.Count} products but {SearchIndex.ManifestFile} says {manifest.Products}; rebuild the index.");
        var cache = new EmbeddingCache(Path.Combine(indexDir, SearchIndex.EmbeddingsDir));
        var items = cache.TryLoad(manifest.ModelHash, manifest.CatalogHash, manifest.Products, manifest.Dimension, out string? problem)
            ?? throw new InvalidDataException($"The item embeddings in '{Path.Combine(indexDir, SearchIndex.EmbeddingsDir)}' do not match {SearchIndex.ManifestFile} ({problem}); rebuild the index.");
        var attributes = products.Select(p => GarnetIndexPusher.CategoryAttribute(p.CategoryPath.Count > 0 ? p.CategoryPath[0] : null)).ToArray();
        return new IndexFolderVectors(products.Select(p => p.Id).ToArray(), items, attributes, manifest.Model);
    }
}
