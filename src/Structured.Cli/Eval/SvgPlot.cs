using System.Globalization;
using System.Text;

namespace Structured.Cli.Eval;

/// <summary>A small hand-written SVG line chart: one panel per case, total variation against particles on a log axis.</summary>
internal static class SvgPlot
{
    private static readonly Dictionary<string, string> Colors = new()
    {
        ["lcd"] = "#888888", ["awrs"] = "#d95f02", ["smc"] = "#1b9e77", ["awrs-smc"] = "#7570b3",
    };

    public static string TvAgainstParticles(IReadOnlyList<string> cases, IReadOnlyList<(string Case, string Method, List<(int N, double Tv)> Points)> series)
    {
        const int panelW = 300, panelH = 220, cols = 3, left = 45, top = 30, plotW = 230, plotH = 150;
        int rows = (cases.Count + cols - 1) / cols;
        double yMax = Math.Max(0.1, Math.Ceiling(series.SelectMany(s => s.Points).Max(p => p.Tv) * 10) / 10);
        var svg = new StringBuilder();
        string F(double x) => x.ToString("0.#", CultureInfo.InvariantCulture);
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{cols * panelW}\" height=\"{rows * panelH + 40}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.AppendLine("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        for (int i = 0; i < cases.Count; i++)
        {
            double ox = (i % cols) * panelW + left, oy = (i / cols) * panelH + top;
            double X(int n) => ox + Math.Log2(n) / 6 * plotW;
            double Y(double tv) => oy + plotH - Math.Min(tv, yMax) / yMax * plotH;
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{F(ox + plotW / 2.0)}\" y=\"{F(oy - 10)}\" text-anchor=\"middle\" font-weight=\"bold\">{cases[i]}</text>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{F(ox)}\" y=\"{F(oy)}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#333\"/>");
            for (double tick = 0; tick <= yMax + 1e-9; tick += yMax / 4)
            {
                svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{F(ox)}\" x2=\"{F(ox + plotW)}\" y1=\"{F(Y(tick))}\" y2=\"{F(Y(tick))}\" stroke=\"#eee\"/>");
                svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{F(ox - 4)}\" y=\"{F(Y(tick) + 4)}\" text-anchor=\"end\">{tick.ToString("0.00", CultureInfo.InvariantCulture)}</text>");
            }
            foreach (int n in new[] { 1, 4, 16, 32, 64 })
                svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{F(X(n))}\" y=\"{F(oy + plotH + 14)}\" text-anchor=\"middle\">{n}</text>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{F(ox)}\" x2=\"{F(ox + plotW)}\" y1=\"{F(Y(0.05))}\" y2=\"{F(Y(0.05))}\" stroke=\"#c00\" stroke-dasharray=\"4 3\"/>");
            foreach (var s in series.Where(s => s.Case == cases[i]))
            {
                var pts = string.Join(" ", s.Points.Select(p => $"{F(X(p.N))},{F(Y(p.Tv))}"));
                svg.AppendLine(CultureInfo.InvariantCulture, $"<polyline points=\"{pts}\" fill=\"none\" stroke=\"{Colors[s.Method]}\" stroke-width=\"2\"/>");
                foreach (var p in s.Points) svg.AppendLine(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(p.N))}\" cy=\"{F(Y(p.Tv))}\" r=\"2.5\" fill=\"{Colors[s.Method]}\"/>");
            }
        }
        double ly = rows * panelH + 20;
        int lx = 20;
        foreach (var (method, color) in Colors)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{lx}\" x2=\"{lx + 20}\" y1=\"{F(ly)}\" y2=\"{F(ly)}\" stroke=\"{color}\" stroke-width=\"2\"/><text x=\"{lx + 25}\" y=\"{F(ly + 4)}\">{method}</text>");
            lx += 110;
        }
        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{lx}\" x2=\"{lx + 20}\" y1=\"{F(ly)}\" y2=\"{F(ly)}\" stroke=\"#c00\" stroke-dasharray=\"4 3\"/><text x=\"{lx + 25}\" y=\"{F(ly + 4)}\">TV = 0.05 (goal at N = 32)</text>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{cols * panelW / 2}\" y=\"{F(ly + 16)}\" text-anchor=\"middle\">total variation to the exact posterior against particles N (log scale)</text>");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }
}
