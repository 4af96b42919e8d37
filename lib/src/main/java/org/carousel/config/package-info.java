/**
 * Loading, layering and checking Carousel's HOCON configuration (defaults in conf/carousel.conf), and
 * generating docs/configuration.md from that file's comments.
 */
package org.carousel.config;
