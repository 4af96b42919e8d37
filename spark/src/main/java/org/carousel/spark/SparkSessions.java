package org.carousel.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.carousel.config.Settings;

import java.util.Map;

/** Builds the SparkSession for a job from the {@code spark} config section. */
public final class SparkSessions {
    private SparkSessions() {}

    /**
     * spark-submit's own settings (its --master, --conf) win; the config's {@code spark.master}
     * is used only when none was given, so the same jar runs on a laptop and on a cluster.
     */
    public static SparkSession create(Settings s, String jobName) {
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.master")) conf.setMaster(s.string("spark.master"));
        if (!conf.contains("spark.app.name")) conf.setAppName(s.string("spark.app_name") + "-" + jobName);
        for (Map.Entry<String, String> e : s.stringMap("spark.conf").entrySet()) {
            if (!conf.contains(e.getKey())) conf.set(e.getKey(), e.getValue());
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
