package org.carousel.jobs.eval;

import org.carousel.data.PairLayout;
import org.carousel.jobs.Charts;
import org.carousel.text.Tokenizer;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

/**
 * The plots of {@link BottleneckEval}, drawn with XChart, headless: exact match against source length (one line per
 * model, points at bucket middles, 95% Wilson intervals as error bars), and an alignment heat map (target steps down,
 * source tokens across, weight 0 white to 1 dark).
 */
final class BottleneckPlot {
    private BottleneckPlot() {}

    record Series(String name, List<BottleneckEval.Bucket> buckets) {}

    private static final Color[] COLOURS = {Charts.MODEL, Charts.BASELINE, new Color(0x2c, 0xa0, 0x2c), new Color(0x94, 0x67, 0xbd),
            new Color(0xff, 0x7f, 0x0e), Color.GRAY};

    /** What a plot's y axis shows of each bucket, with its interval as the error bar. */
    enum Metric {
        EXACT_MATCH("exact match", 1.0, "0.00"),
        BLEU("BLEU", 0, "0.0");

        final String label;
        final double yMax;        // 0: as the data need
        final String pattern;

        Metric(String label, double yMax, String pattern) {
            this.label = label;
            this.yMax = yMax;
            this.pattern = pattern;
        }

        boolean has(BottleneckEval.Bucket b) {
            return this == EXACT_MATCH ? b.pairs() > 0 : b.decoded() > 0;
        }

        double value(BottleneckEval.Bucket b) {
            return this == EXACT_MATCH ? b.exactMatch() : b.bleu();
        }

        double halfWidth(BottleneckEval.Bucket b) {
            return this == EXACT_MATCH ? (b.upper() - b.lower()) / 2 : (b.bleuUpper() - b.bleuLower()) / 2;
        }
    }

    /** {@code metric} against source length, one line per model; BLEU adds the copy baseline as a dashed line. */
    static byte[] png(List<Series> series, String title, Metric metric) {
        XYChart c = Charts.xy(900, 520, title, "source length (tokens, bucket middles)", metric.label, Styler.LegendPosition.InsideSW);
        c.getStyler().setYAxisMin(0.0);
        if (metric.yMax > 0) c.getStyler().setYAxisMax(metric.yMax);
        c.getStyler().setYAxisDecimalPattern(metric.pattern);
        c.getStyler().setXAxisDecimalPattern("#,##0");
        for (int s = 0; s < series.size(); s++) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>(), err = new ArrayList<>(), copy = new ArrayList<>();
            for (BottleneckEval.Bucket b : series.get(s).buckets()) {
                if (!metric.has(b)) continue;
                x.add(b.middle());
                y.add(metric.value(b));
                err.add(metric.halfWidth(b));
                copy.add(b.copyBleu());
            }
            if (x.isEmpty()) continue;
            XYSeries line = c.addSeries(series.get(s).name(), x, y, err);
            Color colour = COLOURS[s % COLOURS.length];
            line.setMarker(SeriesMarkers.CIRCLE);
            line.setLineColor(colour);
            line.setMarkerColor(colour);
            // The copy baseline depends on the data only, so one line serves all models.
            if (metric == Metric.BLEU && s == 0) {
                XYSeries floor = c.addSeries("the source copied", x, copy);
                floor.setMarker(SeriesMarkers.NONE);
                floor.setLineColor(Color.GRAY);
                floor.setLineStyle(new java.awt.BasicStroke(1.5f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f,
                        new float[]{6f, 4f}, 0f));
            }
        }
        return Charts.png(c);
    }

    /** Weights [target steps][source tokens], labelled with the tokens ({@code targetVocab}: the source's vocabulary when shared). */
    static byte[] heatMap(double[][] weights, Tokenizer vocab, Tokenizer targetVocab, PairLayout.Pair p, String title) {
        int rows = weights.length, cols = rows == 0 ? 0 : weights[0].length;
        List<String> x = new ArrayList<>(), y = new ArrayList<>();
        for (int i = 0; i < cols; i++) x.add(i + ":" + vocab.token(p.source()[i]).strip());
        for (int j = 0; j < rows; j++) y.add(j + ":" + (j < p.target().length ? targetVocab.token(p.target()[j]).strip() : "</s>"));
        List<Number[]> cells = new ArrayList<>();
        // Row 0 at the top, as Bahdanau et al. draw it: XChart counts y upwards.
        for (int j = 0; j < rows; j++) for (int i = 0; i < cols; i++) cells.add(new Number[]{i, rows - 1 - j, weights[j][i]});
        List<String> yTop = new ArrayList<>(y);
        java.util.Collections.reverse(yTop);
        HeatMapChart c = new HeatMapChartBuilder().width(Math.max(500, 40 + 22 * cols)).height(Math.max(400, 80 + 20 * rows))
                .title(title).xAxisTitle("source token").yAxisTitle("target step").build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setMin(0);
        c.getStyler().setMax(1);
        c.getStyler().setRangeColors(new Color[]{Color.WHITE, new Color(0x08, 0x30, 0x6b)});
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.addSeries("attention", x, yTop, cells);
        return Charts.png(c);
    }
}
