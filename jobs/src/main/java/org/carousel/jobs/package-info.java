/**
 * Carousel's command-line interface ({@link org.carousel.jobs.Cli}: every job by name) and what
 * the jobs share: opening a trained model directory, the command line of the jobs that
 * evaluate a model on a split, and the plots' style ({@link org.carousel.jobs.Charts}).
 */
package org.carousel.jobs;
