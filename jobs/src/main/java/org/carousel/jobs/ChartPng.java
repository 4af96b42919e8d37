package org.carousel.jobs;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

import java.io.IOException;
import java.io.UncheckedIOException;

/** A chart as PNG bytes: what every job's plot writes into its output directory beside the manifest. */
public final class ChartPng {
    private ChartPng() {}

    public static byte[] encode(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            // In memory: only a broken image encoder gets here.
            throw new UncheckedIOException("cannot encode a chart as PNG", e);
        }
    }
}
