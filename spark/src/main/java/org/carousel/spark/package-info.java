/**
 * What every Carousel Spark job shares: the Spark session built from config, Kryo registration
 * of ND4J arrays, of Java records ({@link org.carousel.spark.RecordSerializer}) and of every
 * module's shuffle classes ({@link org.carousel.spark.KryoRegistrations}), partitioners given by a
 * rule on the key ({@link org.carousel.spark.KeyPartitioner}), command-line arguments and exit
 * codes, atomic output directories, opening a stage's output by its manifest kind, and small-file
 * I/O on any Hadoop filesystem (local, HDFS, S3A).
 */
package org.carousel.spark;
