/** Loading, layering and checking Carousel's HOCON configuration (defaults in conf/carousel.conf). */
package org.carousel.config;
