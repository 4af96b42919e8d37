/**
 * What every Carousel Spark job shares: the Spark session built from config, command-line
 * arguments and exit codes, atomic output directories and small-file I/O on any Hadoop
 * filesystem (local, HDFS, S3A).
 */
package org.carousel.spark;
