package org.carousel.jobs.eval;

import com.fasterxml.jackson.databind.JsonNode;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * lag.png of {@link LagGridJob}, drawn with XChart from the job's manifest: the mean test accuracy (or MSE) against
 * the lag L on a logarithmic x axis, one series per cell type (each seed's value as faint points of the same colour),
 * the memoryless baseline as a dashed line and the horizon threshold as a dotted one. Rendered to a BufferedImage,
 * so it needs no display.
 */
public final class LagPlot {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 500;
    private static final Color[] COLORS = {
            new Color(0x1f, 0x77, 0xb4), new Color(0xff, 0x7f, 0x0e), new Color(0x2c, 0xa0, 0x2c),
            new Color(0x94, 0x67, 0xbd), new Color(0x8c, 0x56, 0x4b)};

    private LagPlot() {}

    /** @param r a {@link LagGridJob} manifest */
    public static byte[] png(JsonNode r) {
        boolean mse = "mse".equals(r.path("metric").asText());
        List<Integer> lags = new ArrayList<>();
        for (JsonNode l : r.path("lags")) lags.add(l.asInt());
        double lo = lags.get(0), hi = lags.get(lags.size() - 1);
        if (lo == hi) {
            lo = lo / 1.5;
            hi = hi * 1.5;
        }

        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(r.path("title").asText())
                .xAxisTitle("lag L (steps between the deciding input and the answer)")
                .yAxisTitle(mse ? "test MSE (lower is better)" : "test accuracy").build();
        XYStyler style = chart.getStyler();
        style.setXAxisLogarithmic(true);
        style.setXAxisDecimalPattern("#,##0");
        style.setYAxisDecimalPattern(mse ? "0.0000" : "0.00");
        // Beside the plot: the curves span the whole height (1.0 at short lags, chance at long ones).
        style.setLegendPosition(Styler.LegendPosition.OutsideE);
        style.setChartBackgroundColor(Color.WHITE);
        style.setPlotGridLinesVisible(true);
        if (!mse) {
            style.setYAxisMin(0.0);
            style.setYAxisMax(1.0);
        } else {
            style.setYAxisMin(0.0);
        }

        int k = 0;
        for (JsonNode cellName : r.path("cells")) {
            String cell = cellName.asText();
            Color color = COLORS[k++ % COLORS.length];
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>(), sx = new ArrayList<>(), sy = new ArrayList<>();
            for (JsonNode row : r.path("results")) {
                if (!cell.equals(row.path("cell").asText())) continue;
                if (row.path("mean").isNumber()) {
                    xs.add(row.path("lag").asDouble());
                    ys.add(row.path("mean").asDouble());
                }
                for (JsonNode run : row.path("per_seed")) {
                    if (!run.path(r.path("metric").asText()).isNumber()) continue;
                    sx.add(row.path("lag").asDouble());
                    sy.add(run.path(r.path("metric").asText()).asDouble());
                }
            }
            String horizon = r.path("horizons").path(cell).isNumber() ? "horizon L=" + r.path("horizons").path(cell).asInt() : "no horizon";
            if (!xs.isEmpty()) {
                XYSeries s = chart.addSeries(cell + ", " + horizon, xs, ys);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setLineColor(color);
                s.setMarkerColor(color);
            }
            if (sx.size() > xs.size()) {
                XYSeries s = chart.addSeries(cell + " per seed", sx, sy);
                s.setLineStyle(SeriesLines.NONE);
                s.setMarker(SeriesMarkers.DIAMOND);
                s.setMarkerColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 0x60));
                s.setShowInLegend(false);
            }
        }

        double baseline = r.path("baseline").path("value").asDouble();
        XYSeries base = chart.addSeries(String.format("%s %.3g", r.path("baseline").path("name").asText(), baseline),
                new double[]{lo, hi}, new double[]{baseline, baseline});
        base.setMarker(SeriesMarkers.NONE);
        base.setLineStyle(SeriesLines.DASH_DASH);
        base.setLineColor(new Color(0xd6, 0x27, 0x28));

        double threshold = r.path("horizon_rule").path("threshold").asDouble();
        XYSeries th = chart.addSeries(String.format("threshold %.3g", threshold),
                new double[]{lo, hi}, new double[]{threshold, threshold});
        th.setMarker(SeriesMarkers.NONE);
        th.setLineStyle(SeriesLines.DOT_DOT);
        th.setLineColor(Color.DARK_GRAY);

        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
