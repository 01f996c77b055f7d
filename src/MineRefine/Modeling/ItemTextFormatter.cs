using System.Text;
using System.Text.RegularExpressions;
using MineRefine.Data;

namespace MineRefine.Modeling;

/// <summary>
/// Turns a <see cref="Product"/> into the item-tower text. Template placeholders: <c>{name}</c> (title),
/// <c>{description}</c>, <c>{L1}</c> … <c>{L9}</c> (category levels), <c>{path}</c> (all levels joined with " > "),
/// <c>{locale}</c>, <c>{attr:Key}</c> (attribute value). Missing values become empty, then separators left dangling
/// are removed: empty " > " levels, and a trailing label such as ". Category:" with nothing after it. White space is
/// collapsed. Default template: <c>"{name}. Category: {L1} > {L2}"</c>.
/// </summary>
public sealed partial class ItemTextFormatter
{
    /// <summary>The default template.</summary>
    public const string DefaultTemplate = "{name}. Category: {L1} > {L2}";

    /// <summary>Creates a formatter; throws when the template has no placeholder or an unknown one.</summary>
    public ItemTextFormatter(string template = DefaultTemplate)
    {
        ArgumentNullException.ThrowIfNull(template);
        var names = Placeholder().Matches(template).Select(m => m.Groups[1].Value).ToList();
        if (names.Count == 0)
            throw new ArgumentException($"Item template '{template}' has no placeholder; use e.g. '{DefaultTemplate}'.", nameof(template));
        foreach (var n in names)
        {
            bool ok = n is "name" or "description" or "path" or "locale" || n.StartsWith("attr:", StringComparison.Ordinal)
                      || (n.Length == 2 && n[0] == 'L' && n[1] is >= '1' and <= '9');
            if (!ok)
                throw new ArgumentException($"Item template '{template}' has unknown placeholder '{{{n}}}'; allowed: {{name}}, {{description}}, {{path}}, {{locale}}, {{L1}}…{{L9}}, {{attr:Key}}.", nameof(template));
        }
        Template = template;
    }

    /// <summary>The template.</summary>
    public string Template { get; }

    /// <summary>Formats <paramref name="product"/>.</summary>
    public string Format(Product product)
    {
        ArgumentNullException.ThrowIfNull(product);
        string s = Placeholder().Replace(Template, m =>
        {
            var n = m.Groups[1].Value;
            return n switch
            {
                "name" => product.Title,
                "description" => product.Description ?? "",
                "locale" => product.Locale,
                "path" => string.Join(" > ", product.CategoryPath.Where(c => !string.IsNullOrWhiteSpace(c))),
                _ when n.StartsWith("attr:", StringComparison.Ordinal) => product.Attributes.GetValueOrDefault(n[5..]) ?? "",
                _ => int.Parse(n[1..], System.Globalization.CultureInfo.InvariantCulture) is var level && level <= product.CategoryPath.Count
                    ? product.CategoryPath[level - 1] : "",
            };
        });
        s = Spaces().Replace(s, " ").Trim();
        s = EmptyLevel().Replace(s, "");            // "A >  > B" → "A > B", "A > " → "A"
        s = LeadingSep().Replace(s, "$1");          // "Category: > B" → "Category: B"
        s = DanglingLabel().Replace(s, "");         // "Name. Category:" → "Name"
        return Spaces().Replace(s, " ").Trim();
    }

    /// <summary>Formats many products.</summary>
    public IReadOnlyList<string> Format(IEnumerable<Product> products) => products.Select(Format).ToList();

    [GeneratedRegex(@"\{([A-Za-z0-9:_\- ]+)\}")]
    private static partial Regex Placeholder();
    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
    [GeneratedRegex(@"\s*>\s*(?=>|$)")]
    private static partial Regex EmptyLevel();
    [GeneratedRegex(@"(:)\s*>\s*")]
    private static partial Regex LeadingSep();
    [GeneratedRegex(@"[.,;]?\s*[A-Za-z]+:\s*$")]
    private static partial Regex DanglingLabel();
}
