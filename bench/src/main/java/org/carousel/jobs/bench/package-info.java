/**
 * Benchmarks (never run by the tests): training throughput of the language model in one
 * process and through the whole Spark train job, side by side with the PyTorch anchor. Module
 * bench, beside the kernel and layer benchmarks; none of it ships in the jobs jar.
 */
package org.carousel.jobs.bench;
