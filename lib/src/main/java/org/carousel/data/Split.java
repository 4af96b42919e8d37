package org.carousel.data;

import org.carousel.BadInputException;

/** The three disjoint parts of a corpus; {@link #dir()} is the shard sub-directory's name. */
public enum Split {
    TRAIN("train"), VALIDATION("validation"), TEST("test");

    private final String dir;

    Split(String dir) {
        this.dir = dir;
    }

    public String dir() {
        return dir;
    }

    public static Split parse(String name, String what) {
        for (Split s : values()) if (s.dir.equals(name)) return s;
        throw new BadInputException(what + " = '" + name + "': allowed values are train, validation, test");
    }
}
