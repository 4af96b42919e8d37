/**
 * Evaluations of a trained model's recurrent dynamics as Spark jobs: {@code carousel horizon} (the gradient horizon,
 * trained against initialised) and {@code carousel probes} (unit correlations, gate saturation, activation view),
 * on {@link org.carousel.dynamics}.
 */
package org.carousel.jobs.dynamics;
