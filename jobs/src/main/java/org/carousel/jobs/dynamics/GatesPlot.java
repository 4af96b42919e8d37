package org.carousel.jobs.dynamics;

import org.carousel.dynamics.UnitProbes;
import org.carousel.jobs.Charts;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;


/**
 * gates.png of {@link ProbesEval} (XChart, headless): the distribution of each gate's activations per layer
 * ({@link UnitProbes#BINS} bins over [0, 1], fraction of (unit, position) values per bin, log y axis so the
 * saturated ends show), with the 0.1 and 0.9 saturation thresholds; a cell with no gates (the plain RNN) gets the
 * distribution of its hidden activations over [−1, 1] instead.
 */
final class GatesPlot {
    static final int WIDTH = 900, HEIGHT = 520;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b)};

    private GatesPlot() {}

    static byte[] png(UnitProbes.Result r, String title) {
        boolean gates = false;
        for (int l = 0; l < r.layers(); l++) gates |= r.gateNames(l).length > 0;
        XYChart chart = Charts.xy(WIDTH, HEIGHT, title, gates ? "gate activation" : "hidden activation h", "fraction of (unit, position) values", Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setXAxisDecimalPattern("0.0");
        int series = 0;
        double lo = gates ? 0 : -1, width = (gates ? 1.0 : 2.0) / UnitProbes.BINS;
        double minY = 1;
        for (int l = 0; l < r.layers(); l++) {
            if (gates) {
                String[] names = r.gateNames(l);
                for (int g = 0; g < names.length; g++) {
                    minY = Math.min(minY, add(chart, "L" + l + " " + names[g], r.gateHistogram(l, g), lo, width,
                            COLORS[series++ % COLORS.length], g == 0 ? SeriesLines.SOLID : SeriesLines.DASH_DASH));
                }
            } else {
                minY = Math.min(minY, add(chart, "L" + l + " h", r.hiddenHistogram(l), lo, width, COLORS[series++ % COLORS.length], SeriesLines.SOLID));
            }
        }
        if (gates && minY < 1) {
            for (double x : new double[]{UnitProbes.LEFT, UnitProbes.RIGHT}) {
                XYSeries s = chart.addSeries("saturation " + x, new double[]{x, x}, new double[]{minY, 1});
                s.setMarker(SeriesMarkers.NONE);
                s.setLineColor(Color.GRAY);
                s.setLineStyle(SeriesLines.DOT_DOT);
            }
        }
        return Charts.png(chart);
    }

    /** Adds the positive bins at their centres; returns the smallest value added (1 if none). */
    private static double add(XYChart chart, String name, double[] hist, double lo, double width, Color c, java.awt.BasicStroke line) {
        java.util.List<Double> xs = new java.util.ArrayList<>(), ys = new java.util.ArrayList<>();
        double min = 1;
        for (int b = 0; b < hist.length; b++) {
            if (hist[b] <= 0) continue;
            xs.add(lo + (b + 0.5) * width);
            ys.add(hist[b]);
            min = Math.min(min, hist[b]);
        }
        if (xs.isEmpty()) return 1;
        XYSeries s = chart.addSeries(name, xs, ys);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(c);
        s.setLineColor(c);
        s.setLineStyle(line);
        return min;
    }
}
