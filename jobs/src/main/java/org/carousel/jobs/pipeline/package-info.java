/** The pipeline job: prep → train → eval → report as idempotent stages for scheduled runs. */
package org.carousel.jobs.pipeline;
