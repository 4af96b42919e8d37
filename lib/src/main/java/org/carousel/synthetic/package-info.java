/**
 * Synthetic long-lag tasks with a controlled lag L between the information a model must keep
 * and the step where it is needed: delayed recall (Hochreiter &amp; Schmidhuber 1997), the adding
 * problem, and bracket matching in a Dyck language; and {@link org.carousel.synthetic.LagTaskTrainer},
 * which trains and scores one small network on one task at one lag (one point of the {@code lag}
 * job's grid). What the literature expects of each cell type is for the evaluation to measure;
 * nothing here depends on the cell type beyond building its layer.
 */
package org.carousel.synthetic;
