/**
 * The train job: a language model trained on prep's shards with Carousel's own synchronous parameter averaging on
 * Spark ({@code AveragingTrainer}), one averaging round at a time. In stream mode with
 * {@code train.state = carry} each worker's minibatch rows are contiguous lanes whose hidden state is carried from
 * window to window and across rounds ({@code LaneStates}). {@code TrainingData} holds the
 * split, {@code EpochPlan} lays out each epoch, {@code TrainingRun} is the loop (validation, progress, the
 * training curve in metrics.jsonl), {@code Checkpoints} make it resumable, {@code DivergenceGuard} rolls back a
 * diverging round, and {@code ModelWriter} writes the model directory with its {@code LossCurvePlot}.
 */
package org.carousel.jobs.train;
