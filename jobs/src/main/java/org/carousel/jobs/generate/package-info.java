/** The generate job: sample text from a trained model (prime, temperature, length, seed). */
package org.carousel.jobs.generate;
