package org.carousel.spark;

import org.apache.spark.sql.SparkSession;
import org.carousel.config.Settings;

/** A real local[2] Spark session for tests, configured as the jobs configure theirs. */
public final class LocalSpark {
    private LocalSpark() {}

    public static SparkSession start(Settings s) {
        return SparkSessions.create(s.with("spark.master", "local[2]")
                .with("spark.conf.\"spark.sql.shuffle.partitions\"", "4"), "test");
    }
}
