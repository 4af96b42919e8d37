/**
 * Synthetic long-lag tasks with a controlled lag L between the information a model must keep
 * and the step where it is needed: delayed recall (Hochreiter &amp; Schmidhuber 1997), the adding
 * problem, and bracket matching in a Dyck language. Generators only: what the literature
 * expects of each cell type is for the evaluation jobs to measure.
 */
package org.carousel.synthetic;
