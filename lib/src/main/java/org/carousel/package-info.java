/**
 * Carousel's plain-Java core: text and vocabularies, windowing and batching, model builders,
 * metrics and sampling. Nothing here depends on Spark; the Spark jobs in data-prep and jobs
 * call into it on the driver and on executors.
 */
package org.carousel;
