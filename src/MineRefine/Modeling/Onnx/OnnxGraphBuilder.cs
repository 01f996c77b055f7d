using System.Runtime.InteropServices;
using Google.Protobuf;

namespace MineRefine.Modeling.Onnx;

/// <summary>
/// Minimal hand-written ONNX writer: collects nodes, initializers, inputs and outputs and serialises a ModelProto with
/// <see cref="CodedOutputStream"/> field by field (no generated code; the mirror of <see cref="OnnxModelReader"/>).
/// Field numbers follow onnx.proto3: ModelProto ir_version = 1, producer_name = 2, producer_version = 3, doc_string =
/// 6, graph = 7, opset_import = 8, metadata_props = 14; GraphProto node = 1, name = 2, initializer = 5, input = 11,
/// output = 12; NodeProto input = 1, output = 2, name = 3, op_type = 4, attribute = 5; AttributeProto name = 1, f = 2,
/// i = 3, s = 4, ints = 8, type = 20; TensorProto dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian);
/// ValueInfoProto name = 1, type = 2; TypeProto tensor_type = 1; TypeProto.Tensor elem_type = 1, shape = 2;
/// TensorShapeProto dim = 1; Dimension dim_value = 1, dim_param = 2; OperatorSetIdProto domain = 1, version = 2;
/// StringStringEntryProto key = 1, value = 2.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>TensorProto.DataType FLOAT.</summary>
    public const int Float = 1;
    /// <summary>TensorProto.DataType INT64.</summary>
    public const int Int64 = 7;

    private readonly List<byte[]> _nodes = new(), _initializers = new(), _inputs = new(), _outputs = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    /// <summary>Number of nodes added so far.</summary>
    public int NodeCount => _nodes.Count;

    /// <summary>A value name not used so far, built from <paramref name="hint"/> (claimed when it is added).</summary>
    public string Fresh(string hint)
    {
        string name;
        do name = $"{hint}_{_counter++}"; while (_names.Contains(name));
        return name;
    }

    private string Claim(string name)
    {
        if (!_names.Add(name)) throw new ArgumentException($"ONNX value name '{name}' is used twice.");
        return name;
    }

    /// <summary>Adds a FLOAT initializer (row-major <paramref name="data"/> of shape <paramref name="dims"/>; no dims =
    /// a scalar) and returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<float> data, params long[] dims)
    {
        Check(data.Length, dims, name);
        _initializers.Add(Tensor(Claim(name), Float, dims, MemoryMarshal.AsBytes(data)));
        return name;
    }

    /// <summary>Adds an INT64 initializer and returns its name.</summary>
    public string InitializerInt64(string name, ReadOnlySpan<long> data, params long[] dims)
    {
        Check(data.Length, dims, name);
        _initializers.Add(Tensor(Claim(name), Int64, dims, MemoryMarshal.AsBytes(data)));
        return name;
    }

    /// <summary>A float scalar constant.</summary>
    public string Scalar(float value) => Initializer(Fresh("const"), [value]);

    /// <summary>A 1-D int64 constant (shapes, axes, slice bounds).</summary>
    public string Ints(params long[] values) => InitializerInt64(Fresh("ints"), values, values.Length);

    /// <summary>A 0-D int64 constant (a Gather index that drops the axis).</summary>
    public string IntScalar(long value) => InitializerInt64(Fresh("index"), [value]);

    /// <summary>Adds a node of <paramref name="opType"/> with one output (named <paramref name="output"/> or fresh) and
    /// returns the output's name. Attribute values: long/int (INT), float (FLOAT), long[] (INTS), string (STRING).</summary>
    public string Node(string opType, string[] inputs, string? output = null, params (string Name, object Value)[] attributes)
    {
        output = Claim(output ?? Fresh(opType.ToLowerInvariant()));
        var w = new ProtoWriter();
        foreach (var i in inputs) w.String(1, i);
        w.String(2, output);
        w.String(3, "n_" + output);
        w.String(4, opType);
        foreach (var (name, value) in attributes) w.Message(5, Attribute(name, value));
        _nodes.Add(w.ToArray());
        return output;
    }

    /// <summary>Declares a graph input; dims are <c>long</c> (fixed) or <c>string</c> (symbolic, e.g. "batch").</summary>
    public void Input(string name, int elemType, params object[] dims) => _inputs.Add(ValueInfo(Claim(name), elemType, dims));

    /// <summary>Declares a graph output (an existing value name).</summary>
    public void Output(string name, int elemType, params object[] dims) => _outputs.Add(ValueInfo(name, elemType, dims));

    /// <summary>Serialises the ModelProto.</summary>
    public byte[] Build(string graphName, long irVersion, long opset, string producer, string producerVersion,
        IReadOnlyDictionary<string, string>? metadata = null, string? docString = null)
    {
        var graph = new ProtoWriter();
        foreach (var n in _nodes) graph.Message(1, n);
        graph.String(2, graphName);
        foreach (var t in _initializers) graph.Message(5, t);
        foreach (var i in _inputs) graph.Message(11, i);
        foreach (var o in _outputs) graph.Message(12, o);

        var model = new ProtoWriter();
        model.Int64(1, irVersion);
        model.String(2, producer);
        model.String(3, producerVersion);
        if (docString is not null) model.String(6, docString);
        model.Message(7, graph.ToArray());
        var opsetId = new ProtoWriter();
        opsetId.String(1, "");
        opsetId.Int64(2, opset);
        model.Message(8, opsetId.ToArray());
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>())
        {
            var e = new ProtoWriter();
            e.String(1, k);
            e.String(2, v);
            model.Message(14, e.ToArray());
        }
        return model.ToArray();
    }

    private static void Check(int count, long[] dims, string name)
    {
        long expected = dims.Aggregate(1L, (a, b) => a * b);
        if (expected != count)
            throw new ArgumentException($"Initializer '{name}': {count} values for shape [{string.Join(", ", dims)}] ({expected} expected).");
    }

    private static byte[] Tensor(string name, int dataType, long[] dims, ReadOnlySpan<byte> raw)
    {
        var w = new ProtoWriter();
        foreach (var d in dims) w.Int64(1, d);
        w.Int64(2, dataType);
        w.String(8, name);
        w.Bytes(9, raw);
        return w.ToArray();
    }

    private static byte[] Attribute(string name, object value)
    {
        var w = new ProtoWriter();
        w.String(1, name);
        switch (value)
        {
            case float f: w.Float(2, f); w.Int64(20, 1); break;
            case double d: w.Float(2, (float)d); w.Int64(20, 1); break;
            case int i: w.Int64(3, i); w.Int64(20, 2); break;
            case long l: w.Int64(3, l); w.Int64(20, 2); break;
            case string s: w.String(4, s); w.Int64(20, 3); break;
            case long[] ls:
                foreach (var l in ls) w.Int64(8, l);
                w.Int64(20, 7);
                break;
            default: throw new ArgumentException($"Attribute '{name}': unsupported value type {value?.GetType().Name ?? "null"}.");
        }
        return w.ToArray();
    }

    private static byte[] ValueInfo(string name, int elemType, object[] dims)
    {
        var shape = new ProtoWriter();
        foreach (var d in dims)
        {
            var dim = new ProtoWriter();
            switch (d)
            {
                case string p: dim.String(2, p); break;
                case int i: dim.Int64(1, i); break;
                case long l: dim.Int64(1, l); break;
                default: throw new ArgumentException($"Value '{name}': a dimension must be a number or a name.");
            }
            shape.Message(1, dim.ToArray());
        }
        var tensorType = new ProtoWriter();
        tensorType.Int64(1, elemType);
        tensorType.Message(2, shape.ToArray());
        var type = new ProtoWriter();
        type.Message(1, tensorType.ToArray());
        var vi = new ProtoWriter();
        vi.String(1, name);
        vi.Message(2, type.ToArray());
        return vi.ToArray();
    }

    /// <summary>Protobuf field writer over a growing buffer.</summary>
    private sealed class ProtoWriter
    {
        private readonly MemoryStream _buffer = new();
        private readonly CodedOutputStream _out;

        public ProtoWriter() => _out = new CodedOutputStream(_buffer, leaveOpen: true);

        public void Int64(int field, long value)
        {
            _out.WriteTag(field, WireFormat.WireType.Varint);
            _out.WriteInt64(value);
        }

        public void Float(int field, float value)
        {
            _out.WriteTag(field, WireFormat.WireType.Fixed32);
            _out.WriteFloat(value);
        }

        public void String(int field, string value)
        {
            _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
            _out.WriteString(value);
        }

        public void Bytes(int field, ReadOnlySpan<byte> value)
        {
            _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
            _out.WriteBytes(UnsafeByteOperations.UnsafeWrap(value.ToArray()));
        }

        public void Message(int field, byte[] message)
        {
            _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
            _out.WriteBytes(UnsafeByteOperations.UnsafeWrap(message));
        }

        public byte[] ToArray()
        {
            _out.Flush();
            return _buffer.ToArray();
        }
    }
}
