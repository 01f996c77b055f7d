using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MineRefine.Labeling;

/// <summary>Prompt construction and strict answer parsing for the LLM judge.</summary>
public static class LlmPrompt
{
    /// <summary>The 3-level grading guideline (paper §1–§2).</summary>
    public const string DefaultGuideline =
        """
        You are a relevance judge for an e-commerce search engine. For each (query, item) pair, grade how well the
        item satisfies the shopper's query on a 3-level scale:
        2 = EXACT: the item is what the query asks for; it matches every explicit constraint in the query
            (product type, brand, colour, size, material, quantity, compatibility ...).
        1 = PARTIAL: the item is useful but not exactly what was asked for. Either a SUBSTITUTE (same kind of
            product that misses some constraint, e.g. another brand, colour or size, and could be bought instead)
            or a COMPLEMENT (a different product used together with the requested one, e.g. a case for a phone,
            batteries for a flashlight).
        0 = IRRELEVANT: the item is neither what was asked for, nor a reasonable substitute, nor a complement.
        Judge only from the query and the item text. Do not reward popularity or price. When in doubt between two
        grades, choose the lower one only if a stated constraint is clearly violated.
        """;

    /// <summary>Default few-shot examples (invented, not from any data set).</summary>
    public static readonly IReadOnlyList<FewShotExample> DefaultExamples = new[]
    {
        new FewShotExample("red cotton t-shirt", "Men's Red Cotton Crew Neck T-Shirt. Category: Clothing > T-Shirts", 2, "matches type, colour and material"),
        new FewShotExample("red cotton t-shirt", "Men's Blue Cotton Crew Neck T-Shirt. Category: Clothing > T-Shirts", 1, "substitute: wrong colour"),
        new FewShotExample("cordless drill", "18V Lithium-Ion Battery Pack. Category: Tools > Power Tool Batteries", 1, "complement: battery for a cordless drill"),
        new FewShotExample("cordless drill", "Ceramic Dinner Plate Set. Category: Kitchen > Dinnerware", 0, "unrelated"),
    };

    /// <summary>The system prompt: guideline, answer format and examples.</summary>
    public static string SystemPrompt(string guideline, IReadOnlyList<FewShotExample> examples)
    {
        var sb = new StringBuilder();
        sb.AppendLine(guideline.Trim());
        sb.AppendLine();
        sb.AppendLine("You receive a JSON list of pairs, each with an index \"i\", a \"query\" and an \"item\".");
        sb.AppendLine("Answer with JSON only, no prose, exactly one label per pair:");
        sb.AppendLine("{\"labels\":[{\"i\":0,\"grade\":2},{\"i\":1,\"grade\":0}]}");
        if (examples.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Examples:");
            foreach (var e in examples)
                sb.AppendLine($"- query: {JsonSerializer.Serialize(e.Query)}; item: {JsonSerializer.Serialize(e.Item)} -> grade {e.Grade}" +
                              (string.IsNullOrWhiteSpace(e.Why) ? "" : $" ({e.Why})"));
        }
        return sb.ToString();
    }

    /// <summary>The user message: the pairs as a JSON array with indices 0..n−1.</summary>
    public static string UserPrompt(IReadOnlyList<(string Query, string Item)> pairs)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartArray();
            for (int i = 0; i < pairs.Count; i++)
            {
                w.WriteStartObject();
                w.WriteNumber("i", i);
                w.WriteString("query", pairs[i].Query);
                w.WriteString("item", pairs[i].Item);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return "Grade these pairs:\n" + Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Effective prompt version: "{version}:{first 16 hex of SHA-256(guideline + examples)}".</summary>
    public static string EffectiveVersion(string version, string guideline, IReadOnlyList<FewShotExample> examples) =>
        version + ":" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(SystemPrompt(guideline, examples))))[..16].ToLowerInvariant();

    /// <summary>Cache key: lower-case hex SHA-256 of the length-prefixed (model, prompt version, query, item).</summary>
    public static string CacheKey(string model, string promptVersion, string query, string item)
    {
        var sb = new StringBuilder();
        foreach (var part in new[] { model, promptVersion, query, item }) sb.Append(part.Length).Append(':').Append(part).Append('\n');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()))).ToLowerInvariant();
    }

    /// <summary>Parses a model answer strictly: a JSON object whose only property is "labels", an array with exactly
    /// one object {"i": int, "grade": 0|1|2} per index 0..<paramref name="count"/>−1 (no other properties, no missing,
    /// duplicate or extra indices). Throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static int[] ParseAnswer(string content, int count)
    {
        if (string.IsNullOrWhiteSpace(content)) throw new FormatException("empty answer");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(content); }
        catch (JsonException ex) { throw new FormatException($"answer is not JSON: {ex.Message}"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException($"answer root is {root.ValueKind}, expected an object");
            JsonElement labels = default;
            bool found = false;
            foreach (var p in root.EnumerateObject())
            {
                if (p.Name != "labels") throw new FormatException($"unexpected property '{p.Name}' in answer");
                labels = p.Value;
                found = true;
            }
            if (!found) throw new FormatException("answer has no 'labels' property");
            if (labels.ValueKind != JsonValueKind.Array) throw new FormatException("'labels' is not an array");
            var grades = new int[count];
            var seen = new bool[count];
            int n = 0;
            foreach (var el in labels.EnumerateArray())
            {
                if (el.ValueKind != JsonValueKind.Object) throw new FormatException($"labels[{n}] is not an object");
                int? i = null, g = null;
                foreach (var p in el.EnumerateObject())
                {
                    if (p.Name == "i") i = ReadInt(p.Value, $"labels[{n}].i");
                    else if (p.Name == "grade") g = ReadInt(p.Value, $"labels[{n}].grade");
                    else throw new FormatException($"labels[{n}] has unexpected property '{p.Name}'");
                }
                if (i is null) throw new FormatException($"labels[{n}] has no 'i'");
                if (g is null) throw new FormatException($"labels[{n}] has no 'grade'");
                if (i < 0 || i >= count) throw new FormatException($"labels[{n}].i = {i} is outside 0..{count - 1}");
                if (seen[i.Value]) throw new FormatException($"index {i} is labeled twice");
                if (!Data.Grades.IsValid(g.Value)) throw new FormatException($"labels[{n}].grade = {g} is not 0, 1 or 2");
                seen[i.Value] = true;
                grades[i.Value] = g.Value;
                n++;
            }
            int missing = Array.IndexOf(seen, false);
            if (missing >= 0) throw new FormatException($"index {missing} is missing ({n} of {count} labels)");
            return grades;
        }
    }

    private static int ReadInt(JsonElement v, string what)
    {
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int x)) throw new FormatException($"{what} is not an integer");
        return x;
    }
}
