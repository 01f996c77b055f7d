using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Modeling;

/// <summary>Projection-head settings of the two-tower model.</summary>
public sealed record HeadConfig
{
    /// <summary>Output dimension of the projection heads; 0 = identity (output = hidden size).</summary>
    public int OutputDim { get; init; } = 256;
    /// <summary>Use one head for both towers (otherwise separate query and item heads).</summary>
    public bool Shared { get; init; }
    /// <summary>Pooling of token states.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<PoolingMode>))]
    public PoolingMode Pooling { get; init; } = PoolingMode.Mean;

    /// <summary>Validates the settings.</summary>
    public HeadConfig Validate()
    {
        if (OutputDim < 0) throw new ArgumentException($"Invalid HeadConfig: OutputDim must be >= 0 (got {OutputDim}); 0 means identity.");
        return this;
    }
}

/// <summary>
/// Siamese two-tower encoder: one shared <see cref="BertModel"/> (registered as <c>bert</c>), pooling, a query
/// projection head (<c>query_head</c>) and an item projection head (<c>item_head</c>, absent when shared), and L2
/// normalisation. Outputs are unit vectors [B, D].
/// </summary>
public sealed class SiameseEncoder : nn.Module
{
    private readonly BertModel _bert;
    private readonly Pooling _queryPool, _itemPool;
    private readonly Projection _queryHead, _itemHead;
    private readonly Normalize _norm = new();

    /// <summary>Creates a model with random weights (seed torch with <c>torch.manual_seed</c> first for
    /// reproducibility).</summary>
    public SiameseEncoder(TransformerConfig transformer, HeadConfig head) : this(new BertModel(transformer), head) { }

    /// <summary>Wraps an existing backbone (e.g. MiniLM imported from ONNX); the module takes ownership.</summary>
    public SiameseEncoder(BertModel bert, HeadConfig head) : base(nameof(SiameseEncoder))
    {
        Head = head.Validate();
        _bert = bert;
        int h = bert.Config.HiddenSize;
        _queryPool = new Pooling(head.Pooling, h);
        _itemPool = head.Shared ? _queryPool : new Pooling(head.Pooling, h);
        _queryHead = new Projection(h, head.OutputDim);
        _itemHead = head.Shared ? _queryHead : new Projection(h, head.OutputDim);
        register_module("bert", _bert);
        register_module("query_head", _queryHead);
        if (!head.Shared) register_module("item_head", _itemHead);
        if (head.Pooling == PoolingMode.Attention)
        {
            register_module("query_pool", _queryPool);
            if (!head.Shared) register_module("item_pool", _itemPool);
        }
    }

    /// <summary>The backbone.</summary>
    public BertModel Bert => _bert;
    /// <summary>Transformer configuration.</summary>
    public TransformerConfig Config => _bert.Config;
    /// <summary>Head configuration.</summary>
    public HeadConfig Head { get; }
    /// <summary>Embedding dimension.</summary>
    public int Dimension => _queryHead.OutputDim;

    /// <summary>Pooled, un-projected states [B, H] of the <paramref name="role"/> tower (the towers differ only with
    /// <see cref="PoolingMode.Attention"/> and separate heads).</summary>
    public Tensor Pool(Tensor inputIds, Tensor attentionMask, EmbeddingRole role = EmbeddingRole.Item) =>
        PoolOf(role).forward(_bert.forward(inputIds, attentionMask, null), attentionMask);

    /// <summary>The <paramref name="role"/> tower's token weights [B, S] (see <see cref="Pooling.TokenWeights"/>): which
    /// tokens make up the embedding, for inspection.</summary>
    public Tensor TokenWeights(Tensor inputIds, Tensor attentionMask, EmbeddingRole role) =>
        PoolOf(role).TokenWeights(_bert.forward(inputIds, attentionMask, null), attentionMask);

    private Pooling PoolOf(EmbeddingRole role) => role == EmbeddingRole.Query ? _queryPool : _itemPool;

    /// <summary>Unit-norm query embeddings [B, D] for int64 ids/mask [B, S].</summary>
    public Tensor EncodeQueries(Tensor inputIds, Tensor attentionMask) =>
        _norm.forward(_queryHead.forward(Pool(inputIds, attentionMask, EmbeddingRole.Query)));

    /// <summary>Unit-norm item embeddings [B, D] for int64 ids/mask [B, S].</summary>
    public Tensor EncodeItems(Tensor inputIds, Tensor attentionMask) =>
        _norm.forward(_itemHead.forward(Pool(inputIds, attentionMask, EmbeddingRole.Item)));

    /// <summary>Dispatches on <paramref name="role"/>.</summary>
    public Tensor Encode(Tensor inputIds, Tensor attentionMask, EmbeddingRole role) =>
        role == EmbeddingRole.Query ? EncodeQueries(inputIds, attentionMask) : EncodeItems(inputIds, attentionMask);
}
