using System.Globalization;
using System.Text;
using MineRefine.Data;
using MineRefine.Retrieval;

namespace MineRefine.Evaluation;

/// <summary>Writes TREC run and qrels files so results can be cross-checked with <c>trec_eval</c>
/// (e.g. <c>trec_eval -m ndcg_cut.10,50,100 -m recall.10,50,100 -m P.10,50,100 qrels.trec run.trec</c>;
/// add <c>-l 2</c> for the grade-2-only variants).</summary>
/// <remarks>
/// Run line: <c>qid Q0 docid rank score run_name</c> (rank 1-based). Qrels line: <c>qid 0 docid grade</c>.
/// trec_eval's NDCG uses the grade as gain (2, 1, 0), which is proportional to the default gains (1, 0.5, 0), so NDCG
/// values agree. trec_eval re-sorts by score (ties broken by docid), so with tied scores its order can differ from
/// the retriever's. The format is white-space separated, so ids are escaped with <see cref="EscapeId"/> ('%' → %25,
/// each white-space character → %XX of its UTF-8 bytes, e.g. "angle bracket" → "angle%20bracket"): reversible and
/// collision-free. An empty id throws an <see cref="ArgumentException"/>.
/// </remarks>
public static class TrecWriter
{
    /// <summary>Writes a run: for each query, its hits in rank order.</summary>
    public static void WriteRun(TextWriter writer, IEnumerable<(string QueryId, IReadOnlyList<SearchHit> Hits)> run, string runName)
    {
        if (string.IsNullOrEmpty(runName) || runName.Any(char.IsWhiteSpace))
            throw new ArgumentException($"The TREC run name '{runName}' is empty or contains white space.");
        foreach (var (qid, hits) in run)
        {
            var q = EscapeId(qid, "query id");
            for (int i = 0; i < hits.Count; i++)
            {
                writer.Write(q);
                writer.Write(" Q0 ");
                writer.Write(EscapeId(hits[i].ProductId, "product id"));
                writer.Write(' ');
                writer.Write((i + 1).ToString(CultureInfo.InvariantCulture));
                writer.Write(' ');
                writer.Write(hits[i].Score.ToString("R", CultureInfo.InvariantCulture));
                writer.Write(' ');
                writer.Write(runName);
                writer.Write('\n');
            }
        }
    }

    /// <summary>Writes qrels: one line per judgment, in the given order.</summary>
    public static void WriteQrels(TextWriter writer, IEnumerable<Judgment> judgments)
    {
        foreach (var j in judgments)
        {
            writer.Write(EscapeId(j.QueryId, "query id"));
            writer.Write(" 0 ");
            writer.Write(EscapeId(j.ProductId, "product id"));
            writer.Write(' ');
            writer.Write(j.Grade.ToString(CultureInfo.InvariantCulture));
            writer.Write('\n');
        }
    }

    /// <summary>The id as written in TREC files: '%' → "%25" and every white-space character → "%XX" per UTF-8 byte.</summary>
    public static string EscapeId(string id, string what = "id")
    {
        if (string.IsNullOrEmpty(id)) throw new ArgumentException($"TREC files cannot hold an empty {what}.");
        if (!id.Any(c => c == '%' || char.IsWhiteSpace(c))) return id;
        var sb = new System.Text.StringBuilder(id.Length + 8);
        Span<byte> buf = stackalloc byte[4];
        foreach (var rune in id.EnumerateRunes())
        {
            if (rune.Value == '%' || Rune.IsWhiteSpace(rune))
            {
                int n = rune.EncodeToUtf8(buf);
                for (int b = 0; b < n; b++) sb.Append('%').Append(buf[b].ToString("X2", CultureInfo.InvariantCulture));
            }
            else sb.Append(rune.ToString());
        }
        return sb.ToString();
    }
}
