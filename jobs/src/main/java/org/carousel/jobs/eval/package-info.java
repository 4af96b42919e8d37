/**
 * Evaluation jobs: bits per character of a trained model on a split with carried hidden state (eval), loss against
 * truncated context (context), and the lag grid on synthetic long-lag tasks (lag), each a Spark job.
 */
package org.carousel.jobs.eval;
