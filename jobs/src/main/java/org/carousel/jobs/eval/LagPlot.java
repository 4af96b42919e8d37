package org.carousel.jobs.eval;

import com.fasterxml.jackson.databind.JsonNode;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The lag job's three plots, drawn with XChart from its manifest (no display needed):
 * <ul>
 *   <li>{@code lag.png}: success rate against L (log axis), one series per model, each point with its 95% Wilson
 *       interval as a vertical bar (models offset a little along x so the bars do not overlap), and the horizon
 *       rate as a dotted line;</li>
 *   <li>{@code lag-curves.png}: one panel per model, the check-set metric against updates for every run, coloured
 *       by L;</li>
 *   <li>{@code lag-gradient.png}: left, log10 of the gradient ratio ‖∂ℓ/∂s_source‖/‖∂ℓ/∂s_answer‖ at initialisation
 *       against L (median over seeds); right, the same ratio along training at the positive control's lag, every
 *       run, coloured by model.</li>
 * </ul>
 */
public final class LagPlot {
    static final Color[] COLORS = {
            new Color(0x1f, 0x77, 0xb4), new Color(0xff, 0x7f, 0x0e), new Color(0x2c, 0xa0, 0x2c),
            new Color(0xd6, 0x27, 0x28), new Color(0x94, 0x67, 0xbd), new Color(0x8c, 0x56, 0x4b),
            new Color(0xe3, 0x77, 0xc2), new Color(0x7f, 0x7f, 0x7f), new Color(0xbc, 0xbd, 0x22), new Color(0x17, 0xbe, 0xcf)};

    private LagPlot() {}

    static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        for (JsonNode x : a) out.add(x.asText());
        return out;
    }

    static List<Integer> ints(JsonNode a) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode x : a) out.add(x.asInt());
        return out;
    }

    private static XYChart chart(int w, int h, String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(w).height(h).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotGridLinesVisible(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        return c;
    }

    private static Color faint(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    /** lag.png */
    public static byte[] successRates(JsonNode r) {
        List<String> models = strings(r.path("models"));
        List<Integer> lags = ints(r.path("lags"));
        String title = "Success rate vs lag (" + r.path("task").path("name").asText() + ", " + r.path("seeds").size() + " seeds)";
        if (!"adequate".equals(r.path("verdict").path("power").asText()))
            title = r.path("verdict").path("power").asText().toUpperCase() + ": " + title;
        XYChart chart = chart(1000, 560, title, "lag L (log scale)", "success rate (95% Wilson interval)");
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        chart.getStyler().setYAxisMin(-0.02);
        chart.getStyler().setYAxisMax(1.02);
        double lo = lags.get(0) / 1.3, hi = lags.get(lags.size() - 1) * 1.3;
        for (int k = 0; k < models.size(); k++) {
            String m = models.get(k);
            Color color = COLORS[k % COLORS.length];
            double shift = Math.pow(1.04, k - (models.size() - 1) / 2.0);
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            int bar = 0;
            for (JsonNode x : r.path("rates")) {
                if (!m.equals(x.path("model").asText())) continue;
                double at = x.path("lag").asDouble() * shift;
                xs.add(at);
                ys.add(x.path("rate").asDouble());
                XYSeries b = chart.addSeries(m + " interval " + bar++, new double[]{at, at},
                        new double[]{x.path("lower").asDouble(), x.path("upper").asDouble()});
                b.setMarker(SeriesMarkers.NONE);
                b.setLineStyle(SeriesLines.SOLID);
                b.setLineColor(faint(color, 0x90));
                b.setShowInLegend(false);
            }
            JsonNode h = r.path("horizons").path(m).path("lag");
            XYSeries s = chart.addSeries(m + (h.isNumber() ? ", horizon L=" + h.asInt() : ", no horizon"), xs, ys);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineStyle(SeriesLines.SOLID);
            s.setLineColor(color);
            s.setMarkerColor(color);
        }
        double rate = r.path("protocol").path("horizon_rate").asDouble();
        XYSeries th = chart.addSeries(String.format("horizon rate %.2f", rate), new double[]{lo, hi}, new double[]{rate, rate});
        th.setMarker(SeriesMarkers.NONE);
        th.setLineStyle(SeriesLines.DOT_DOT);
        th.setLineColor(Color.DARK_GRAY);
        return png(BitmapEncoder.getBufferedImage(chart));
    }


    /** lag-curves.png */
    public static byte[] learningCurves(JsonNode r) {
        List<String> models = strings(r.path("models"));
        List<Integer> lags = ints(r.path("lags"));
        String metric = r.path("task").path("metric").asText();
        List<BufferedImage> panels = new ArrayList<>();
        for (String m : models) {
            XYChart c = chart(520, 300, m, "updates", "check " + metric);
            if (!"mse".equals(metric)) {
                c.getStyler().setYAxisMin(0.0);
                c.getStyler().setYAxisMax(1.0);
            }
            c.getStyler().setLegendVisible(panels.isEmpty());
            c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
            c.getStyler().setXAxisMin(0.0);
            c.getStyler().setXAxisMax(r.path("training").path("updates").asDouble());
            c.getStyler().setXAxisDecimalPattern("#,##0");
            boolean[] named = new boolean[lags.size()];
            int n = 0;
            for (JsonNode run : r.path("runs")) {
                if (run.path("control").asBoolean() || !m.equals(run.path("model").asText())) continue;
                int li = lags.indexOf(run.path("lag").asInt());
                List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
                for (JsonNode p : run.path("curve")) {
                    if (!p.get(1).isNumber()) continue;
                    xs.add(p.get(0).asDouble());
                    ys.add(p.get(1).asDouble());
                }
                if (xs.isEmpty()) continue;
                if (xs.size() == 1) {
                    xs.add(xs.get(0));
                    ys.add(ys.get(0));
                }
                XYSeries s = c.addSeries(named[li] ? m + " " + n++ : "L=" + lags.get(li), xs, ys);
                s.setShowInLegend(!named[li]);
                named[li] = true;
                s.setMarker(SeriesMarkers.NONE);
                s.setLineStyle(SeriesLines.SOLID);
                s.setLineColor(faint(COLORS[li % COLORS.length], 0xb0));
            }
            if (n == 0 && !named[0]) c.addSeries("no runs", new double[]{0, 1}, new double[]{0, 0}).setMarker(SeriesMarkers.NONE);
            panels.add(BitmapEncoder.getBufferedImage(c));
        }
        return png(grid(panels, 3));
    }

    /** lag-gradient.png */
    public static byte[] gradients(JsonNode r) {
        List<String> models = strings(r.path("models"));
        List<Integer> lags = ints(r.path("lags"));
        XYChart init = chart(620, 420, "Gradient reaching the deciding input, at initialisation",
                "lag L (log scale)", "log10 ||dl/ds_source|| / ||dl/ds_answer|| (median)");
        init.getStyler().setXAxisLogarithmic(true);
        init.getStyler().setXAxisDecimalPattern("#,##0");
        int positiveLag = r.path("controls").path("positive").path("lag").asInt();
        XYChart along = chart(620, 420, "Along training, L=" + positiveLag, "updates", "log10 ||dl/ds_source|| / ||dl/ds_answer||");
        along.getStyler().setXAxisDecimalPattern("#,##0");
        for (int k = 0; k < models.size(); k++) {
            String m = models.get(k);
            Color color = COLORS[k % COLORS.length];
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (int lag : lags) {
                List<Double> v = new ArrayList<>();
                for (JsonNode run : r.path("runs"))
                    if (!run.path("control").asBoolean() && m.equals(run.path("model").asText()) && run.path("lag").asInt() == lag) {
                        JsonNode p = run.path("curve").get(0);
                        if (p.get(3).isNumber() && p.get(3).asDouble() > 0) v.add(p.get(3).asDouble());
                    }
                if (v.isEmpty()) continue;
                v.sort(null);
                xs.add((double) lag);
                ys.add(Math.log10(v.get(v.size() / 2)));
            }
            if (!xs.isEmpty()) {
                XYSeries s = init.addSeries(m, xs, ys);
                s.setLineColor(color);
                s.setMarkerColor(color);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setLineStyle(SeriesLines.SOLID);
            }
            int n = 0;
            for (JsonNode run : r.path("runs")) {
                if (run.path("control").asBoolean() || !m.equals(run.path("model").asText()) || run.path("lag").asInt() != positiveLag) continue;
                List<Double> ux = new ArrayList<>(), uy = new ArrayList<>();
                for (JsonNode p : run.path("curve"))
                    if (p.get(3).isNumber() && p.get(3).asDouble() > 0) {
                        ux.add(p.get(0).asDouble());
                        uy.add(Math.log10(p.get(3).asDouble()));
                    }
                if (ux.isEmpty()) continue;
                if (ux.size() == 1) {
                    ux.add(ux.get(0) + 1);
                    uy.add(uy.get(0));
                }
                XYSeries s = along.addSeries(n == 0 ? m : m + " " + n, ux, uy);
                s.setShowInLegend(n++ == 0);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineStyle(SeriesLines.SOLID);
                s.setLineColor(faint(color, 0xb0));
            }
        }
        if (init.getSeriesMap().isEmpty()) init.addSeries("none", new double[]{1, 2}, new double[]{0, 0});
        if (along.getSeriesMap().isEmpty()) along.addSeries("none", new double[]{1, 2}, new double[]{0, 0});
        return png(grid(List.of(BitmapEncoder.getBufferedImage(init), BitmapEncoder.getBufferedImage(along)), 2));
    }

    static BufferedImage grid(List<BufferedImage> panels, int columns) {
        int w = panels.get(0).getWidth(), h = panels.get(0).getHeight();
        int cols = Math.min(columns, panels.size()), rows = (panels.size() + cols - 1) / cols;
        BufferedImage out = new BufferedImage(w * cols, h * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        for (int i = 0; i < panels.size(); i++) g.drawImage(panels.get(i), (i % cols) * w, (i / cols) * h, null);
        g.dispose();
        return out;
    }

    static byte[] png(BufferedImage image) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            ImageIO.write(image, "png", b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
