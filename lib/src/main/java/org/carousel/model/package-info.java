/** Model specifications and builders: the character language model (embedding → recurrent stack → softmax) and its save/load. */
package org.carousel.model;
