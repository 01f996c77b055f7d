using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace MineRefine.Modeling;

/// <summary>One tensor read from a safetensors file, converted to float32 (F32, F16, BF16, F64 supported;
/// I64/I32 are kept as <see cref="Int64s"/>).</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="DType">Stored dtype string (F32, F16, BF16, F64, I64, I32).</param>
/// <param name="Shape">Shape.</param>
/// <param name="Floats">Values as float32 (null for integer dtypes).</param>
/// <param name="Int64s">Values for integer dtypes (null otherwise).</param>
public sealed record SafeTensor(string Name, string DType, long[] Shape, float[]? Floats, long[]? Int64s)
{
    /// <summary>Creates a float32 torch tensor (caller disposes).</summary>
    public Tensor ToTorch() => Floats is not null
        ? tensor(Floats, Shape)
        : tensor(Int64s!, Shape);
}

/// <summary>
/// Minimal safetensors reader/writer: 8-byte little-endian header length N, N bytes of JSON header
/// (<c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {…}}</c>, offsets relative to the
/// data section), then raw little-endian tensor bytes. Writes F32 only; reads F32/F16/BF16/F64/I64/I32.
/// </summary>
public static class Safetensors
{
    /// <summary>Reads every tensor of <paramref name="path"/>.</summary>
    public static Dictionary<string, SafeTensor> Read(string path) => Read(path, out _);

    /// <summary>Reads every tensor of <paramref name="path"/> and the <c>__metadata__</c> map.</summary>
    public static Dictionary<string, SafeTensor> Read(string path, out Dictionary<string, string> metadata)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"safetensors file not found: {path}", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new InvalidDataException($"{path}: too short for a safetensors file.");
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        if (n <= 0 || 8 + n > bytes.Length) throw new InvalidDataException($"{path}: header length {n} is out of range.");
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n))?.AsObject()
                     ?? throw new InvalidDataException($"{path}: header is not a JSON object.");
        int dataStart = 8 + (int)n;
        metadata = new Dictionary<string, string>();
        var result = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node!.AsObject()) metadata[k] = v?.GetValue<string>() ?? "";
                continue;
            }
            var o = node!.AsObject();
            string dtype = o["dtype"]!.GetValue<string>();
            long[] shape = o["shape"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray();
            var offs = o["data_offsets"]!.AsArray();
            long begin = offs[0]!.GetValue<long>(), end = offs[1]!.GetValue<long>();
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (begin < 0 || end < begin || dataStart + end > bytes.Length)
                throw new InvalidDataException($"{path}: tensor '{name}' data_offsets [{begin}, {end}] out of range.");
            var span = bytes.AsSpan(dataStart + (int)begin, (int)(end - begin));
            int width = dtype switch { "F32" or "I32" => 4, "F16" or "BF16" => 2, "F64" or "I64" => 8, _ =>
                throw new NotSupportedException($"{path}: tensor '{name}' has unsupported dtype {dtype} (F32, F16, BF16, F64, I64, I32 are read).") };
            if (span.Length != count * width)
                throw new InvalidDataException($"{path}: tensor '{name}' has {span.Length} bytes, expected {count * width} for {dtype} [{string.Join(",", shape)}].");
            float[]? f = null;
            long[]? l = null;
            switch (dtype)
            {
                case "F32": f = MemoryMarshal.Cast<byte, float>(span).ToArray(); break;
                case "F64": f = MemoryMarshal.Cast<byte, double>(span).ToArray().Select(d => (float)d).ToArray(); break;
                case "F16":
                    var h = MemoryMarshal.Cast<byte, Half>(span);
                    f = new float[h.Length];
                    for (int i = 0; i < h.Length; i++) f[i] = (float)h[i];
                    break;
                case "BF16":
                    var u = MemoryMarshal.Cast<byte, ushort>(span);
                    f = new float[u.Length];
                    for (int i = 0; i < u.Length; i++) f[i] = BitConverter.Int32BitsToSingle(u[i] << 16);
                    break;
                case "I64": l = MemoryMarshal.Cast<byte, long>(span).ToArray(); break;
                case "I32": l = MemoryMarshal.Cast<byte, int>(span).ToArray().Select(x => (long)x).ToArray(); break;
            }
            result[name] = new SafeTensor(name, dtype, shape, f, l);
        }
        return result;
    }

    /// <summary>Writes <paramref name="tensors"/> as F32 (int64 tensors as I64), sorted by name.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var m = new JsonObject();
            foreach (var (k, v) in metadata) m[k] = v;
            header["__metadata__"] = m;
        }
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var name in names)
        {
            using var t = tensors[name].detach().cpu().contiguous();
            byte[] blob;
            string dtype;
            if (t.dtype == ScalarType.Int64)
            {
                dtype = "I64";
                blob = MemoryMarshal.AsBytes(t.data<long>().ToArray().AsSpan()).ToArray();
            }
            else
            {
                dtype = "F32";
                using var f = t.to_type(ScalarType.Float32);
                blob = MemoryMarshal.AsBytes(f.data<float>().ToArray().AsSpan()).ToArray();
            }
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(t.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + blob.Length),
            };
            offset += blob.Length;
            blobs.Add(blob);
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        int pad = (8 - json.Length % 8) % 8; // align the data section to 8 bytes (spaces are valid JSON padding)
        using var fs = File.Create(path);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(len, json.Length + pad);
        fs.Write(len);
        fs.Write(json);
        for (int i = 0; i < pad; i++) fs.WriteByte((byte)' ');
        foreach (var b in blobs) fs.Write(b);
    }
}
