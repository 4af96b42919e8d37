/** The eval job: bits per character of a trained model on a split, as a Spark job with carried hidden state. */
package org.carousel.jobs.eval;
