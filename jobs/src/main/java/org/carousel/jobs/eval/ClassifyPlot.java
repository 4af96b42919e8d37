package org.carousel.jobs.eval;

import org.carousel.metrics.ClassificationTally;
import org.carousel.jobs.Charts;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;

import java.util.ArrayList;
import java.util.List;

/**
 * classify.png of {@link ClassifyEval}, drawn with XChart: accuracy against record length, one point per non-empty
 * bucket at its geometric middle (the last, open bucket at twice its lower end) on a logarithmic x axis, its 95%
 * Wilson interval as two dashed lines, and the majority-label accuracy as a grey line. Headless.
 */
public final class ClassifyPlot {
    private ClassifyPlot() {}

    public static byte[] png(List<ClassificationTally.Bucket> buckets, double majority, String title) {
        List<Double> x = new ArrayList<>(), acc = new ArrayList<>(), lo = new ArrayList<>(), hi = new ArrayList<>();
        for (ClassificationTally.Bucket b : buckets) {
            if (b.records() == 0) continue;
            x.add(b.high() == Integer.MAX_VALUE ? 2.0 * b.low() : Math.sqrt((double) b.low() * b.high()));
            acc.add(b.accuracy());
            lo.add(b.lower());
            hi.add(b.upper());
        }
        if (x.isEmpty()) throw new IllegalArgumentException("nothing to plot: every bucket is empty");
        XYChart c = Charts.xy(800, 500, title, "record length (tokens read, bucket middles)", "accuracy", Styler.LegendPosition.InsideSW);
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setXAxisDecimalPattern("#,##0");
        c.getStyler().setYAxisDecimalPattern("0.00");
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        Color blue = Charts.MODEL;
        XYSeries a = c.addSeries("accuracy", x, acc);
        a.setMarker(SeriesMarkers.CIRCLE);
        a.setLineColor(blue);
        a.setMarkerColor(blue);
        for (Object[] band : new Object[][]{{"95% interval", lo}, {" ", hi}}) {
            @SuppressWarnings("unchecked") List<Double> y = (List<Double>) band[1];
            XYSeries b = c.addSeries((String) band[0], x, y);
            b.setMarker(SeriesMarkers.NONE);
            b.setLineStyle(SeriesLines.DASH_DASH);
            b.setLineColor(blue);
            if (band[0].equals(" ")) b.setShowInLegend(false);
        }
        XYSeries m = c.addSeries("majority label", List.of(x.get(0), x.get(x.size() - 1)), List.of(majority, majority));
        m.setMarker(SeriesMarkers.NONE);
        m.setLineColor(Color.GRAY);
        return Charts.png(c);
    }
}
