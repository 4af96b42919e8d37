/**
 * Recurrent dynamics of a trained language model, measured in double precision from its parameters: an explicit
 * per-step forward of each cell ({@link org.carousel.dynamics.RecurrentCell}: LSTM, GRU, Elman RNN) with its gate
 * activations and exact step Jacobians (as vector-Jacobian products), the gradient horizon
 * ‖∂s_t/∂s_{t−d}‖ against d ({@link org.carousel.dynamics.GradientHorizon}, {@link org.carousel.dynamics.DecayCurve}),
 * and unit probes: correlations of hidden and cell units with character-level signals and gate saturation
 * ({@link org.carousel.dynamics.UnitProbes}, {@link org.carousel.dynamics.TextSignals}).
 */
package org.carousel.dynamics;
