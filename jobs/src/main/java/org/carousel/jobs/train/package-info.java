/**
 * The train job: a character language model trained with DL4J's parameter averaging over the
 * prep shards, one averaging round at a time so the driver can report progress (and, later,
 * checkpoint) between rounds.
 */
package org.carousel.jobs.train;
