/**
 * Synthetic long-lag tasks for the {@code lag} job, each with a controlled lag L between the information a model
 * must keep and the step where it is needed, and a control with that information removed: delayed recall
 * (Hochreiter &amp; Schmidhuber 1997, experiment 2c), the adding problem and copy memory (Arjovsky et al. 2016), and
 * Dyck bracket matching. {@link org.carousel.synthetic.LagTaskTrainer} trains and scores one small network on one
 * task at one lag (one run of the grid); {@link org.carousel.synthetic.SignalGradient} measures how much of the
 * answer's gradient reaches the deciding input; {@link org.carousel.synthetic.LagGridSpec} is the grid's config and
 * {@link org.carousel.synthetic.LagGridSummary} turns its runs into success rates, horizons and control verdicts.
 */
package org.carousel.synthetic;
