/**
 * The {@code report} job: one self-contained HTML page gathering the data, model and every evaluation of a run
 * (plots embedded, tables, HTML fragments inlined) with their provenance.
 */
package org.carousel.jobs.report;
