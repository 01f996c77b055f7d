using System.Globalization;
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
/// the retriever's. Ids and the run name must not contain white space (the format is white-space separated):
/// offending ids throw an <see cref="ArgumentException"/>.
/// </remarks>
public static class TrecWriter
{
    /// <summary>Writes a run: for each query, its hits in rank order.</summary>
    public static void WriteRun(TextWriter writer, IEnumerable<(string QueryId, IReadOnlyList<SearchHit> Hits)> run, string runName)
    {
        Check(runName, "run name");
        foreach (var (qid, hits) in run)
        {
            Check(qid, "query id");
            for (int i = 0; i < hits.Count; i++)
            {
                Check(hits[i].ProductId, "product id");
                writer.Write(qid);
                writer.Write(" Q0 ");
                writer.Write(hits[i].ProductId);
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
            Check(j.QueryId, "query id");
            Check(j.ProductId, "product id");
            writer.Write(j.QueryId);
            writer.Write(" 0 ");
            writer.Write(j.ProductId);
            writer.Write(' ');
            writer.Write(j.Grade.ToString(CultureInfo.InvariantCulture));
            writer.Write('\n');
        }
    }

    private static void Check(string id, string what)
    {
        if (string.IsNullOrEmpty(id) || id.Any(char.IsWhiteSpace))
            throw new ArgumentException(
                $"TREC files cannot hold the {what} '{id}': it is empty or contains white space.");
    }
}
