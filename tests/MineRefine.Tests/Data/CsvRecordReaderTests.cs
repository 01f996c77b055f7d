using MineRefine.Data;
using MineRefine.Data.Import;

namespace MineRefine.Tests.Data;

public class CsvRecordReaderTests
{
    private static List<CsvRecord> Read(string text, char sep = ',') =>
        new CsvRecordReader(new StringReader(text), "t.csv", sep).ReadAll().ToList();

    [Fact]
    public void QuotedFieldsWithCommasQuotesAndNewlines()
    {
        var rows = Read("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"line1\nline2\",z\r\n3,plain,\"\"\n");
        Assert.Equal(4, rows.Count);
        Assert.Equal(new[] { "1", "x, y", "say \"hi\"" }, rows[1].Fields);
        Assert.Equal(new[] { "2", "line1\nline2", "z" }, rows[2].Fields);
        Assert.Equal(new[] { "3", "plain", "" }, rows[3].Fields);
        // physical start lines: the record after the embedded newline starts on line 5
        Assert.Equal(new long[] { 1, 2, 3, 5 }, rows.Select(r => r.Line).ToArray());
        Assert.Equal("2,\"line1\nline2\",z", rows[2].Raw);
    }

    [Fact]
    public void BlankLinesSkippedAndLastLineWithoutNewline()
    {
        var rows = Read("a\tb\n\n1\t2\n3\t4", '\t');
        Assert.Equal(3, rows.Count);
        Assert.Equal(new[] { "3", "4" }, rows[2].Fields);
        Assert.Equal(4, rows[2].Line);
    }

    [Fact]
    public void TabSeparatedKeepsCommas()
    {
        var rows = Read("x\ty\n1,5\t\"q\"\"\"\n", '\t');
        Assert.Equal(new[] { "1,5", "q\"" }, rows[1].Fields);
    }

    [Fact]
    public void UnterminatedQuoteNamesFileAndStartLine()
    {
        var ex = Assert.Throws<DataFormatException>(() => Read("a,b\n1,2\n3,\"never closed\n4,5\n"));
        Assert.Equal("t.csv", ex.FilePath);
        Assert.Equal(3, ex.Line);
        Assert.Contains("unterminated", ex.Reason);
    }
}
