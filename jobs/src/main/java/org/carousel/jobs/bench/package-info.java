/**
 * Benchmarks (never run by the tests): training throughput of the language model in one
 * process and through the whole Spark train job, side by side with the PyTorch anchor.
 */
package org.carousel.jobs.bench;
