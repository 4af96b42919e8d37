/** The pipeline job: prep → train → eval as idempotent stages for scheduled runs. */
package org.carousel.jobs.pipeline;
