package org.carousel.jobs.eval;

import org.carousel.metrics.ContextTruncation;
import org.carousel.jobs.Charts;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;


/**
 * context.png of {@link ContextTruncationEval}, drawn with XChart: bits/char against the context length k on a
 * logarithmic x axis (the truncated losses, one point per k), the full-context loss as a horizontal line, and the
 * full-context loss on each k's own targets (what "within 1%" is measured against) as faint points. Rendered to a
 * BufferedImage, so it needs no display.
 */
public final class ContextPlot {
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;

    private ContextPlot() {}

    public static byte[] png(ContextTruncation.Result r, String title) {
        int m = r.ks().length;
        double[] ks = new double[m];
        double[] bits = new double[m];
        double[] fullSame = new double[m];
        int n = 0;
        for (int i = 0; i < m; i++) {
            if (r.targets()[i] == 0) continue;
            ks[n] = r.ks()[i];
            bits[n] = r.bitsPerChar(i);
            fullSame[n] = r.fullBitsPerChar(i);
            n++;
        }
        if (n == 0) throw new IllegalArgumentException("nothing to plot: no k has targets");
        ks = java.util.Arrays.copyOf(ks, n);
        bits = java.util.Arrays.copyOf(bits, n);
        fullSame = java.util.Arrays.copyOf(fullSame, n);

        XYChart chart = Charts.xy(WIDTH, HEIGHT, title, "context k (tokens seen before the target)", "bits / char", Styler.LegendPosition.InsideNE);
        XYStyler style = chart.getStyler();
        style.setXAxisLogarithmic(true);
        style.setXAxisDecimalPattern("#,##0");
        style.setYAxisDecimalPattern("0.00");

        XYSeries truncated = chart.addSeries("last k tokens only", ks, bits);
        truncated.setMarker(SeriesMarkers.CIRCLE);
        truncated.setLineColor(Charts.MODEL);
        truncated.setMarkerColor(Charts.MODEL);

        double full = r.fullBitsPerChar();
        XYSeries fullLine = chart.addSeries(String.format("full context (%.3f)", full),
                new double[]{ks[0], ks[n - 1]}, new double[]{full, full});
        fullLine.setMarker(SeriesMarkers.NONE);
        fullLine.setLineStyle(SeriesLines.DASH_DASH);
        fullLine.setLineColor(Charts.BASELINE);

        XYSeries same = chart.addSeries("full context, same chars", ks, fullSame);
        same.setLineStyle(SeriesLines.NONE);
        same.setMarker(SeriesMarkers.DIAMOND);
        same.setMarkerColor(new Color(0xd6, 0x27, 0x28, 0x80));

        return Charts.png(chart);
    }
}
