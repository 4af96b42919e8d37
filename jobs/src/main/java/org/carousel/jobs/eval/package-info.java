/**
 * Evaluation jobs, each a Spark job: bits per character of a trained model on a split with carried hidden state
 * (eval), loss against truncated context (context), closing-bracket accuracy against an n-gram counted on Spark
 * (brackets), and the lag grid on synthetic long-lag tasks (lag); and the manifest convention the report reads.
 */
package org.carousel.jobs.eval;
