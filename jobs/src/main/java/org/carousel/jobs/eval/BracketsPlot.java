package org.carousel.jobs.eval;

import org.carousel.metrics.DistanceBuckets;
import org.carousel.jobs.Charts;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;



import java.util.Arrays;

/**
 * brackets.png of {@link BracketsEval}, drawn with XChart: accuracy of predicting the closing character
 * against the distance to its opener, one point per non-empty bucket at the bucket's geometric middle on a
 * logarithmic x axis, for the model and the n-gram, with ±1 binomial standard error bars. Headless.
 */
public final class BracketsPlot {
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;

    private BracketsPlot() {}

    public static byte[] png(DistanceBuckets b, String title, int n) {
        int m = b.size();
        double[] x = new double[m], model = new double[m], ngram = new double[m], modelErr = new double[m], ngramErr = new double[m];
        int k = 0;
        for (int j = 0; j < m; j++) {
            if (b.count(j) == 0) continue;
            x[k] = b.middle(j);
            model[k] = b.modelAccuracy(j);
            ngram[k] = b.baselineAccuracy(j);
            modelErr[k] = DistanceBuckets.accuracyError(model[k], b.count(j));
            ngramErr[k] = DistanceBuckets.accuracyError(ngram[k], b.count(j));
            k++;
        }
        if (k == 0) throw new IllegalArgumentException("nothing to plot: every bucket is empty");
        XYChart chart = Charts.xy(WIDTH, HEIGHT, title, "distance from opener to closer (characters, bucket middles)", "accuracy of the closing character", Styler.LegendPosition.InsideSW);
        XYStyler style = chart.getStyler();
        style.setXAxisLogarithmic(true);
        style.setXAxisDecimalPattern("#,##0");
        style.setYAxisDecimalPattern("0.00");
        style.setYAxisMin(0.0);
        style.setYAxisMax(1.0);
        XYSeries ms = chart.addSeries("recurrent model", Arrays.copyOf(x, k), Arrays.copyOf(model, k), Arrays.copyOf(modelErr, k));
        ms.setMarker(SeriesMarkers.CIRCLE);
        ms.setLineColor(Charts.MODEL);
        ms.setMarkerColor(Charts.MODEL);
        XYSeries gs = chart.addSeries(n + "-gram (Witten-Bell)", Arrays.copyOf(x, k), Arrays.copyOf(ngram, k), Arrays.copyOf(ngramErr, k));
        gs.setMarker(SeriesMarkers.DIAMOND);
        gs.setLineColor(Charts.BASELINE);
        gs.setMarkerColor(Charts.BASELINE);
        return Charts.png(chart);
    }
}
