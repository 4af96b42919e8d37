package org.carousel.jobs.dynamics;

import org.carousel.dynamics.DecayCurve;
import org.carousel.dynamics.GradientHorizon;
import org.carousel.jobs.Charts;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;

import java.util.ArrayList;
import java.util.List;

/**
 * horizon.png of {@link HorizonEval} (XChart, headless): G(d)/G(0) against d on a logarithmic y axis, one colour
 * per layer, solid after training and dashed at initialisation; the top layer's loss gradient in black, and for an
 * LSTM the forget-gate product ∏f dotted in a colour of its own. Ratios below 1e-30 are left out (a log axis cannot show 0).
 */
final class HorizonPlot {
    static final int WIDTH = 900, HEIGHT = 560;
    static final double PLOT_FLOOR = 1e-30;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b)};

    private HorizonPlot() {}

    static byte[] png(GradientHorizon.Sums trained, GradientHorizon.Sums init, String title) {
        XYChart chart = Charts.xy(WIDTH, HEIGHT, title, "distance d (steps)", "G(d) / G(0)", Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        for (int l = 0; l < trained.layers(); l++) {
            Color c = COLORS[l % COLORS.length];
            add(chart, "L" + l + " ||ds/ds|| trained", trained.state(l), c, SeriesLines.SOLID);
            add(chart, "L" + l + " ||ds/ds|| init", init.state(l), c, SeriesLines.DASH_DASH);
            if (trained.isLstm(l)) {
                add(chart, "L" + l + " prod f trained", trained.forgetProduct(l), COLORS[(l + 3) % COLORS.length], SeriesLines.DOT_DOT);
            }
        }
        add(chart, "dloss/ds trained (top)", trained.loss(), Color.BLACK, SeriesLines.SOLID);
        add(chart, "dloss/ds init (top)", init.loss(), Color.GRAY, SeriesLines.DASH_DASH);
        // XChart puts a tick at every data x when all x values are equally spaced (crowding 0..D); an invisible
        // series at unevenly spaced x switches it to its usual round-number ticks.
        int maxD = trained.loss().maxDistance();
        XYSeries spacing = chart.addSeries(" ", new double[]{0, 0.5, maxD}, new double[]{1, 1, 1});
        spacing.setMarker(SeriesMarkers.NONE);
        spacing.setShowInLegend(false);
        spacing.setLineColor(new Color(0, 0, 0, 0));
        return Charts.png(chart);
    }

    private static void add(XYChart chart, String name, DecayCurve curve, Color color, BasicStroke line) {
        List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (int d = 0; d <= curve.maxDistance(); d++) {
            double v = curve.ratio(d);
            if (v >= PLOT_FLOOR && Double.isFinite(v)) {
                xs.add((double) d);
                ys.add(v);
            }
        }
        if (xs.isEmpty()) return;
        XYSeries s = chart.addSeries(name, xs, ys);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(line);
    }
}
