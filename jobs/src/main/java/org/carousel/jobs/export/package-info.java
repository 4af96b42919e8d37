/** Prep output in other trainers' formats: flat uint16 token files per split ({@link org.carousel.jobs.export.ExportJob}). */
package org.carousel.jobs.export;
