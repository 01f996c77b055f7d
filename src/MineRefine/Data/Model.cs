namespace MineRefine.Data;

/// <summary>Relevance grades used throughout MineRefine (paper §1).</summary>
public static class Grades
{
    /// <summary>Irrelevant.</summary>
    public const int Irrelevant = 0;
    /// <summary>Partial: a substitute or a complement.</summary>
    public const int Partial = 1;
    /// <summary>Exact match.</summary>
    public const int Exact = 2;

    /// <summary>True for 0, 1 and 2.</summary>
    public static bool IsValid(int grade) => grade is >= 0 and <= 2;
}

/// <summary>Where a judgment came from.</summary>
public enum JudgmentSource
{
    /// <summary>A human annotator.</summary>
    Human,
    /// <summary>A relevance model (the labeler).</summary>
    Model,
    /// <summary>Re-judged by the engagement-driven audit.</summary>
    Audit,
    /// <summary>A synthetic query pair graded by the labeler.</summary>
    Synthetic,
}

/// <summary>A catalog item.</summary>
/// <param name="Id">Unique product id.</param>
/// <param name="Title">Product name / title (required, non-empty).</param>
/// <param name="Description">Optional short description.</param>
/// <param name="CategoryPath">Taxonomy path from the root, e.g. ["Electronics", "Headphones"]; may be empty.</param>
/// <param name="Attributes">Free-form attributes (brand, colour, size …); may be empty.</param>
/// <param name="Locale">Locale tag such as "en", "es", "de", "us"; empty when unknown.</param>
public sealed record Product(
    string Id,
    string Title,
    string? Description,
    IReadOnlyList<string> CategoryPath,
    IReadOnlyDictionary<string, string> Attributes,
    string Locale)
{
    /// <summary>A product with only an id and a title.</summary>
    public static Product Simple(string id, string title) =>
        new(id, title, null, Array.Empty<string>(), EmptyAttributes, "");

    /// <summary>Shared empty attribute map.</summary>
    public static readonly IReadOnlyDictionary<string, string> EmptyAttributes = new Dictionary<string, string>();
}

/// <summary>A search query.</summary>
/// <param name="Id">Unique query id.</param>
/// <param name="Text">Raw query text as typed.</param>
/// <param name="Locale">Locale tag; empty when unknown.</param>
public sealed record Query(string Id, string Text, string Locale);

/// <summary>A graded query–product pair.</summary>
public sealed record Judgment(string QueryId, string ProductId, int Grade, JudgmentSource Source);

/// <summary>Aggregated engagement of one query–product pair.</summary>
public sealed record EngagementEvent(
    string QueryId, string ProductId, long Impressions, long Clicks, long AddToCarts, long Orders);
