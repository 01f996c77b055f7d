namespace MineRefine.Data.Sample;

/// <summary>One leaf category of the sample marketplace.</summary>
/// <param name="Top">Top-level department, e.g. "Electronics".</param>
/// <param name="Leaf">Leaf category, e.g. "Headphones" (the product type).</param>
/// <param name="QueryNouns">English nouns a shopper types for this type (lower case).</param>
/// <param name="TitleNoun">Noun used in product titles.</param>
/// <param name="Brands">Brands selling this type.</param>
/// <param name="Colors">Colours (empty when the type has no colour, e.g. coffee).</param>
/// <param name="SpecName">Name of the type's key attribute (size, material, storage …).</param>
/// <param name="SpecValues">Values of the key attribute.</param>
/// <param name="Features">Extra title/description phrases (not used in queries).</param>
/// <param name="NounEs">Spanish query noun.</param>
/// <param name="NounDe">German query noun.</param>
public sealed record SampleCategory(
    string Top, string Leaf, string[] QueryNouns, string TitleNoun, string[] Brands, string[] Colors,
    string SpecName, string[] SpecValues, string[] Features, string NounEs, string NounDe);

/// <summary>
/// The built-in two-level taxonomy (5 departments, 20 leaf categories), its substitute and complement links and the
/// small English–Spanish–German lexicon (category nouns and colours) used for non-English queries.
/// </summary>
public static class SampleTaxonomy
{
    private static readonly string[] ElectronicsBrands = ["Sonora", "Voltix", "Auralis", "Nexa", "Kiwa"];
    private static readonly string[] HomeBrands = ["Lumina", "Hearthly", "Dreamwell", "Northloom", "Casaluz"];
    private static readonly string[] KitchenBrands = ["Culina", "Ferro", "Brewster", "Kettleby", "Panhaus"];
    private static readonly string[] GroceryBrands = ["Alto Monte", "Bluebird", "Highland Leaf", "Casa Verde", "Morning Ridge"];
    private static readonly string[] SportsBrands = ["Stridex", "Trailfox", "Zenfit", "Pacer", "Kinetiq"];

    /// <summary>The leaf categories.</summary>
    public static IReadOnlyList<SampleCategory> Categories { get; } =
    [
        new("Electronics", "Headphones", ["headphones", "headset"], "Over-Ear Headphones", ElectronicsBrands,
            ["Black", "White", "Blue", "Red"], "connectivity", ["Wireless", "Wired"],
            ["Noise Cancelling", "40h Battery", "Foldable", "Built-in Mic"], "auriculares", "kopfhörer"),
        new("Electronics", "Speakers", ["speaker", "portable speaker"], "Portable Speaker", ElectronicsBrands,
            ["Black", "Blue", "Red", "Grey"], "connectivity", ["Bluetooth", "Wi-Fi"],
            ["Waterproof", "360° Sound", "24h Battery"], "altavoz", "lautsprecher"),
        new("Electronics", "Phones", ["phone", "smartphone"], "Smartphone", ElectronicsBrands,
            ["Black", "Silver", "Blue", "Green"], "storage", ["64GB", "128GB", "256GB"],
            ["6.1-inch Display", "Dual Camera", "5G"], "móvil", "handy"),
        new("Electronics", "Phone Cases", ["phone case", "case"], "Phone Case", ElectronicsBrands,
            ["Black", "Blue", "Pink", "Green"], "material", ["Silicone", "Leather", "TPU"],
            ["Shockproof", "Slim Fit", "MagSafe Compatible"], "funda móvil", "handyhülle"),
        new("Electronics", "Chargers", ["charger", "usb c charger"], "USB-C Charger", ElectronicsBrands,
            ["White", "Black"], "power", ["20W", "30W", "65W"],
            ["Fast Charging", "Foldable Plug", "2 Ports"], "cargador", "ladegerät"),
        new("Home", "Bedding", ["duvet cover", "bedding set"], "Duvet Cover Set", HomeBrands,
            ["White", "Grey", "Navy", "Beige"], "size", ["Twin", "Full", "Queen", "King"],
            ["100% Cotton", "Microfiber", "Linen Blend"], "funda nórdica", "bettwäsche"),
        new("Home", "Pillows", ["pillow", "bed pillow"], "Bed Pillow", HomeBrands,
            ["White", "Grey"], "firmness", ["Soft", "Medium", "Firm"],
            ["Memory Foam", "Down Alternative", "Cooling Gel"], "almohada", "kopfkissen"),
        new("Home", "Lamps", ["table lamp", "lamp"], "Table Lamp", HomeBrands,
            ["Black", "Brass", "White", "Green"], "style", ["Modern", "Vintage", "Industrial"],
            ["Dimmable", "USB Port", "Linen Shade"], "lámpara de mesa", "tischlampe"),
        new("Home", "Light Bulbs", ["light bulb", "led bulb"], "LED Light Bulb", HomeBrands,
            ["Soft White", "Daylight"], "brightness", ["40W Equivalent", "60W Equivalent", "100W Equivalent"],
            ["4-Pack", "Dimmable", "E26 Base"], "bombilla led", "led glühbirne"),
        new("Kitchen", "Cookware", ["frying pan", "skillet"], "Frying Pan", KitchenBrands,
            ["Black", "Silver", "Red"], "material", ["Stainless Steel", "Cast Iron", "Nonstick"],
            ["10 Inch", "12 Inch", "Oven Safe"], "sartén", "bratpfanne"),
        new("Kitchen", "Cooking Utensils", ["cooking utensils", "utensil set"], "Cooking Utensil Set", KitchenBrands,
            ["Black", "Grey", "Red"], "material", ["Silicone", "Wood", "Stainless Steel"],
            ["5-Piece", "12-Piece", "Heat Resistant"], "utensilios de cocina", "küchenhelfer"),
        new("Kitchen", "Coffee Makers", ["coffee maker", "coffee machine"], "Coffee Maker", KitchenBrands,
            ["Black", "Silver", "Red", "White"], "type", ["Drip", "Espresso", "Pour-Over"],
            ["12-Cup", "Programmable", "Thermal Carafe"], "cafetera", "kaffeemaschine"),
        new("Kitchen", "Coffee Filters", ["coffee filters", "paper filters"], "Coffee Filters", KitchenBrands,
            ["White", "Brown"], "shape", ["Basket", "Cone"],
            ["100 Count", "200 Count", "Unbleached"], "filtros de café", "kaffeefilter"),
        new("Kitchen", "Kettles", ["kettle", "water kettle"], "Kettle", KitchenBrands,
            ["Black", "Silver", "White", "Red"], "type", ["Electric", "Stovetop"],
            ["1.7L", "Gooseneck", "Auto Shut-Off"], "hervidor", "wasserkocher"),
        new("Grocery", "Coffee", ["coffee", "ground coffee"], "Ground Coffee", GroceryBrands,
            [], "roast", ["Light Roast", "Medium Roast", "Dark Roast"],
            ["12 oz", "Organic", "Single Origin Colombia"], "café molido", "kaffee"),
        new("Grocery", "Tea", ["tea", "tea bags"], "Tea", GroceryBrands,
            [], "variety", ["Green", "Black", "Herbal", "Chai"],
            ["20 Tea Bags", "Loose Leaf", "Organic"], "té", "tee"),
        new("Sports", "Running Shoes", ["running shoes", "running sneakers"], "Running Shoes", SportsBrands,
            ["Black", "White", "Blue", "Grey", "Pink"], "gender", ["Men's", "Women's"],
            ["Lightweight", "Breathable Mesh", "Extra Cushion"], "zapatillas running", "laufschuhe"),
        new("Sports", "Running Socks", ["running socks", "athletic socks"], "Running Socks", SportsBrands,
            ["Black", "White", "Grey"], "size", ["Small", "Medium", "Large"],
            ["3-Pack", "No-Show", "Cushioned"], "calcetines running", "laufsocken"),
        new("Sports", "Yoga Mats", ["yoga mat", "exercise mat"], "Yoga Mat", SportsBrands,
            ["Purple", "Blue", "Black", "Green"], "thickness", ["4mm", "6mm", "8mm"],
            ["Non-Slip", "With Carry Strap", "Eco TPE"], "esterilla yoga", "yogamatte"),
        new("Sports", "Yoga Blocks", ["yoga block", "yoga blocks"], "Yoga Block", SportsBrands,
            ["Purple", "Blue", "Grey"], "material", ["Cork", "Foam"],
            ["2-Pack", "Lightweight", "Non-Slip Surface"], "bloque yoga", "yogablock"),
    ];

    /// <summary>Substitute links (symmetric): a different type that serves the same need.</summary>
    public static IReadOnlyList<(string A, string B)> SubstitutePairs { get; } =
    [
        ("Headphones", "Speakers"), ("Coffee", "Tea"), ("Coffee Makers", "Kettles"),
    ];

    /// <summary>Complement links (symmetric): a type used together with the other (a case for a phone, filters for a
    /// coffee maker).</summary>
    public static IReadOnlyList<(string A, string B)> ComplementPairs { get; } =
    [
        ("Phones", "Phone Cases"), ("Phones", "Chargers"), ("Coffee Makers", "Coffee Filters"),
        ("Coffee Makers", "Coffee"), ("Tea", "Kettles"), ("Running Shoes", "Running Socks"),
        ("Bedding", "Pillows"), ("Lamps", "Light Bulbs"), ("Cookware", "Cooking Utensils"),
        ("Yoga Mats", "Yoga Blocks"),
    ];

    /// <summary>Colour words: English → (Spanish, German).</summary>
    public static IReadOnlyDictionary<string, (string Es, string De)> ColorLexicon { get; } =
        new Dictionary<string, (string, string)>
        {
            ["Black"] = ("negro", "schwarz"), ["White"] = ("blanco", "weiß"), ["Blue"] = ("azul", "blau"),
            ["Red"] = ("rojo", "rot"), ["Grey"] = ("gris", "grau"), ["Navy"] = ("azul marino", "marineblau"),
            ["Green"] = ("verde", "grün"), ["Silver"] = ("plateado", "silber"), ["Pink"] = ("rosa", "rosa"),
            ["Beige"] = ("beige", "beige"), ["Brass"] = ("latón", "messing"), ["Purple"] = ("morado", "lila"),
            ["Brown"] = ("marrón", "braun"), ["Soft White"] = ("blanco cálido", "warmweiß"),
            ["Daylight"] = ("luz día", "tageslicht"),
        };

    /// <summary>The category named <paramref name="leaf"/>.</summary>
    public static SampleCategory Find(string leaf) =>
        Categories.FirstOrDefault(c => c.Leaf == leaf) ?? throw new ArgumentException($"Unknown sample category '{leaf}'.");

    /// <summary>True when the two leaf categories are substitutes.</summary>
    public static bool AreSubstitutes(string a, string b) =>
        SubstitutePairs.Any(p => (p.A == a && p.B == b) || (p.A == b && p.B == a));

    /// <summary>True when the two leaf categories are complements.</summary>
    public static bool AreComplements(string a, string b) =>
        ComplementPairs.Any(p => (p.A == a && p.B == b) || (p.A == b && p.B == a));
}
