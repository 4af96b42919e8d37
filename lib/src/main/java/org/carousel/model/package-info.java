/**
 * Model specifications and builders: the language model (embedding → recurrent stack → softmax), its optimizer
 * settings and safe save/load; initialisations of a recurrent layer ({@link org.carousel.model.RecurrentInit});
 * and {@link org.carousel.model.CarriedStateNetwork}, a network whose tBPTT fit starts from the state the previous
 * fit left, for carried-state training.
 */
package org.carousel.model;
