using Google.Protobuf;

namespace MineRefine.Modeling.Onnx;

/// <summary>An ONNX initializer tensor (only FLOAT and INT64 payloads are decoded).</summary>
/// <param name="Name">Initializer name, e.g. <c>embeddings.word_embeddings.weight</c> or <c>onnx::MatMul_1234</c>.</param>
/// <param name="Dims">Shape.</param>
/// <param name="DataType">ONNX TensorProto.DataType (1 = FLOAT, 7 = INT64).</param>
/// <param name="Floats">Values when <paramref name="DataType"/> is FLOAT, row-major; otherwise null.</param>
/// <param name="Int64s">Values when <paramref name="DataType"/> is INT64; otherwise null.</param>
public sealed record OnnxTensor(string Name, long[] Dims, int DataType, float[]? Floats, long[]? Int64s)
{
    /// <summary>Number of elements (product of dims).</summary>
    public long ElementCount => Dims.Aggregate(1L, (a, b) => a * b);
}

/// <summary>An ONNX graph node: name, operator type, inputs and outputs.</summary>
public sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

/// <summary>The parts of an ONNX GraphProto that weight import needs.</summary>
public sealed class OnnxGraph
{
    /// <summary>Initializers by name.</summary>
    public Dictionary<string, OnnxTensor> Initializers { get; } = new(StringComparer.Ordinal);
    /// <summary>Nodes in file order.</summary>
    public List<OnnxNode> Nodes { get; } = new();
    /// <summary>Graph input names.</summary>
    public List<string> Inputs { get; } = new();
    /// <summary>Graph output names.</summary>
    public List<string> Outputs { get; } = new();
}

/// <summary>
/// Minimal hand-written protobuf reader for ONNX files (ModelProto → GraphProto → NodeProto / TensorProto /
/// ValueInfoProto) using <see cref="CodedInputStream"/> field by field; no generated code. Field numbers follow
/// onnx.proto3: ModelProto.graph = 7; GraphProto.node = 1, initializer = 5, input = 11, output = 12;
/// NodeProto.input = 1, output = 2, name = 3, op_type = 4; TensorProto.dims = 1, data_type = 2, float_data = 4,
/// int64_data = 7, name = 8, raw_data = 9, data_location = 14 (external data is rejected).
/// </summary>
public static class OnnxModelReader
{
    private const int FloatType = 1;
    private const int Int64Type = 7;

    /// <summary>Reads the graph of the ONNX model in <paramref name="stream"/>.</summary>
    public static OnnxGraph Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var input = new CodedInputStream(stream, leaveOpen: true);
        OnnxGraph? graph = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 7 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                graph = ReadGraph(input.ReadBytes());
            else
                input.SkipLastField();
        }
        return graph ?? throw new InvalidDataException("ONNX model has no graph (ModelProto field 7 missing).");
    }

    /// <summary>Reads the graph of the ONNX file at <paramref name="path"/>.</summary>
    public static OnnxGraph Read(string path)
    {
        using var fs = File.OpenRead(path);
        return Read(fs);
    }

    private static OnnxGraph ReadGraph(ByteString bytes)
    {
        var g = new OnnxGraph();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: g.Nodes.Add(ReadNode(input.ReadBytes())); break;
                case 5:
                    var t = ReadTensor(input.ReadBytes());
                    g.Initializers[t.Name] = t;
                    break;
                case 11: g.Inputs.Add(ReadValueInfoName(input.ReadBytes())); break;
                case 12: g.Outputs.Add(ReadValueInfoName(input.ReadBytes())); break;
                default: input.SkipLastField(); break;
            }
        }
        return g;
    }

    private static string ReadValueInfoName(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        string name = "";
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1) name = input.ReadString();
            else input.SkipLastField();
        }
        return name;
    }

    private static OnnxNode ReadNode(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        var ins = new List<string>();
        var outs = new List<string>();
        string name = "", op = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: ins.Add(input.ReadString()); break;
                case 2: outs.Add(input.ReadString()); break;
                case 3: name = input.ReadString(); break;
                case 4: op = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }
        return new OnnxNode(name, op, ins, outs);
    }

    private static OnnxTensor ReadTensor(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        var dims = new List<long>();
        var floats = new List<float>();
        var longs = new List<long>();
        int dataType = 0;
        string name = "";
        ByteString? raw = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int field = WireFormat.GetTagFieldNumber(tag);
            var wt = WireFormat.GetTagWireType(tag);
            switch (field)
            {
                case 1:
                    if (wt == WireFormat.WireType.LengthDelimited) ReadPacked(input, sub => dims.Add(sub.ReadInt64()));
                    else dims.Add(input.ReadInt64());
                    break;
                case 2: dataType = input.ReadInt32(); break;
                case 4:
                    if (wt == WireFormat.WireType.LengthDelimited) ReadPacked(input, sub => floats.Add(sub.ReadFloat()));
                    else floats.Add(input.ReadFloat());
                    break;
                case 7:
                    if (wt == WireFormat.WireType.LengthDelimited) ReadPacked(input, sub => longs.Add(sub.ReadInt64()));
                    else longs.Add(input.ReadInt64());
                    break;
                case 8: name = input.ReadString(); break;
                case 9: raw = input.ReadBytes(); break;
                case 14:
                    if (input.ReadInt32() == 1)
                        throw new NotSupportedException("ONNX tensors with external data are not supported.");
                    break;
                default: input.SkipLastField(); break;
            }
        }
        var shape = dims.ToArray();
        long count = shape.Aggregate(1L, (a, b) => a * b);
        float[]? f = null;
        long[]? l = null;
        if (dataType == FloatType)
        {
            f = raw is not null ? FromRaw<float>(raw, count, name) : floats.ToArray();
            if (f.Length != count) throw new InvalidDataException($"ONNX initializer '{name}': {f.Length} floats for shape [{string.Join(",", shape)}].");
        }
        else if (dataType == Int64Type)
        {
            l = raw is not null ? FromRaw<long>(raw, count, name) : longs.ToArray();
        }
        return new OnnxTensor(name, shape, dataType, f, l);
    }

    private static void ReadPacked(CodedInputStream input, Action<CodedInputStream> readOne)
    {
        // A packed repeated field is one length-delimited blob of values.
        var sub = input.ReadBytes().CreateCodedInput();
        while (!sub.IsAtEnd) readOne(sub);
    }

    private static T[] FromRaw<T>(ByteString raw, long count, string name) where T : unmanaged
    {
        var span = raw.Span;
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (span.Length != count * size)
            throw new InvalidDataException($"ONNX initializer '{name}': raw_data has {span.Length} bytes, expected {count * size}.");
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(span).ToArray();
    }
}
