/**
 * Carousel's plain-Java core: text and tokenizers, windowing and batching, model builders, layers and kernels,
 * metrics, recurrent dynamics, the n-gram baseline, sampling, configuration and synthetic long-lag tasks. Nothing
 * here depends on Spark; the Spark jobs in data-prep and jobs call into it on the driver and on executors.
 */
package org.carousel;
