package org.carousel.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.carousel.data.Manifest;
import org.carousel.jobs.Charts;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;

import java.util.ArrayList;
import java.util.List;

/**
 * loss.png of a model directory: the training curve from metrics.jsonl, training loss (every
 * train.log_every_steps) and validation (every train.validation_every_steps and at each epoch's end) in bits per
 * token (a language model) or per record (a classifier's label) against the step.
 */
public final class LossCurvePlot {
    public static final String FILE = "loss.png";

    private LossCurvePlot() {}

    public static byte[] png(String metricsJsonl, String title) {
        return png(metricsJsonl, title, "char");
    }

    /** @param unit what the loss is per, as the metrics' keys spell it: "char" or "record" */
    public static byte[] png(String metricsJsonl, String title, String unit) {
        String trainKey = "train_loss_bits_per_" + unit, valKey = "validation_bits_per_" + unit;
        List<Double> ts = new ArrayList<>(), tl = new ArrayList<>(), vs = new ArrayList<>(), vl = new ArrayList<>();
        for (String line : metricsJsonl.split("\n")) {
            if (line.isBlank()) continue;
            JsonNode j;
            try {
                j = Manifest.json().readTree(line);
            } catch (IOException e) {
                continue;
            }
            String type = j.path("type").asText("epoch");
            double step = j.path("step").asDouble();
            if (type.equals("train") && j.path(trainKey).isNumber()) {
                ts.add(step);
                tl.add(j.path(trainKey).asDouble());
            }
            if ((type.equals("validation") || type.equals("epoch")) && j.path(valKey).isNumber()) {
                vs.add(step);
                vl.add(j.path(valKey).asDouble());
            }
        }
        XYChart c = Charts.xy(800, 420, title, "step (minibatches over all workers)", unit.equals("record") ? "bits per record (label cross-entropy)" : "bits per token", Styler.LegendPosition.InsideNE);
        c.getStyler().setXAxisDecimalPattern("#,##0");
        if (!ts.isEmpty()) {
            XYSeries s = c.addSeries("training loss", ts, tl);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(SeriesLines.SOLID);
            s.setLineColor(Charts.MODEL);
        }
        if (!vs.isEmpty()) {
            XYSeries s = c.addSeries("validation", vs, vl);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineStyle(SeriesLines.SOLID);
            s.setLineColor(new Color(0xff, 0x7f, 0x0e));
            s.setMarkerColor(new Color(0xff, 0x7f, 0x0e));
        }
        if (ts.isEmpty() && vs.isEmpty()) c.addSeries("no points", new double[]{0, 1}, new double[]{0, 0}).setMarker(SeriesMarkers.NONE);
        return Charts.png(c);
    }
}
