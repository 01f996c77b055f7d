namespace MineRefine.ScaleOut.Tests; public class PlaceholderTests {}
