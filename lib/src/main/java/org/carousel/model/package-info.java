/**
 * Model specifications and builders. {@link org.carousel.model.ModelFamily} names what a model maps (today the
 * language model; a classifier and an encoder–decoder attach there next) and {@link org.carousel.model.CellType} the
 * recurrent cells, each in one place; {@link org.carousel.model.LanguageModel} builds the language model (embedding →
 * recurrent stack → softmax) from a {@link org.carousel.model.ModelSpec} and
 * {@link org.carousel.model.OptimizerSpec}; {@link org.carousel.model.ModelBytes} saves and loads safely;
 * {@link org.carousel.model.RecurrentInit} initialises a recurrent layer; and
 * {@link org.carousel.model.CarriedStateNetwork} is a network whose tBPTT fit starts from the state the previous fit
 * left, for carried-state training.
 */
package org.carousel.model;
