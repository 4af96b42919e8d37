/**
 * {@code carousel synth}: synthetic corpora with a controlled answer, written as files the prep job reads like any
 * user's text (today: labelled records for the sequence classifier, {@link org.carousel.synthetic.DelayedRecallRecords}).
 */
package org.carousel.jobs.synth;
