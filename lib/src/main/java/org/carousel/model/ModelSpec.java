package org.carousel.model;

import org.carousel.config.Settings;

import java.io.Serializable;

/** The shape of a language model: cell type ({@link CellType#id}) and sizes (config section {@code model}). */
public record ModelSpec(String cell, int layers, int hidden, int embedding, double dropout, long seed)
        implements Serializable {
    public static ModelSpec from(Settings s) {
        return new ModelSpec(
                CellType.parse(s.string("model.cell"), "model.cell").id(),
                s.integer("model.layers", 1, 16),
                s.integer("model.hidden", 1, 8192),
                s.integer("model.embedding", 1, 8192),
                s.real("model.dropout", 0.0, 0.95),
                s.longValue("model.seed", Long.MIN_VALUE, Long.MAX_VALUE));
    }

    /** The cell type {@link #cell} names. */
    public CellType cellType() {
        return CellType.parse(cell, "model.cell");
    }
}
