package org.carousel.jobs;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The jobs' plots in one style (white background, grid lines, the same two colours for model and baseline), as PNG. */
public final class Charts {
    /** The model's series. */
    public static final Color MODEL = new Color(0x1f, 0x77, 0xb4);
    /** A baseline or reference series beside it. */
    public static final Color BASELINE = new Color(0xd6, 0x27, 0x28);

    private Charts() {}

    /** An empty x–y chart in the house style. */
    public static XYChart xy(int width, int height, String title, String xAxis, String yAxis, Styler.LegendPosition legend) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xAxis).yAxisTitle(yAxis).build();
        chart.getStyler().setLegendPosition(legend);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(true);
        return chart;
    }

    public static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            // In memory: only a broken image encoder gets here.
            throw new UncheckedIOException("cannot encode a chart as PNG", e);
        }
    }
}
