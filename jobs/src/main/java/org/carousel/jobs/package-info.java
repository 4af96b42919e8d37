/**
 * Carousel's command-line interface ({@link org.carousel.jobs.Cli}: prep, train, eval,
 * generate) and what the jobs share: opening a trained model directory.
 */
package org.carousel.jobs;
