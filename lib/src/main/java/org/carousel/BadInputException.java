package org.carousel;

/**
 * Input or configuration that Carousel refuses: a missing or empty corpus, a binary or
 * non-UTF-8 file, an existing output directory, an unknown config key. The message is one
 * line naming the file or key and the problem; the command-line front end prints it and
 * exits with status 2 (other failures exit 1).
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Runs {@code body}; a failure caused by bad input (however deeply Spark wrapped it, e.g.
     * raised in an executor task) is rethrown as that BadInputException.
     */
    public static <T> T unwrapping(java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (Exception e) {  // Spark throws its (checked) SparkException from Scala code
            BadInputException bad = find(e);
            if (bad != null) throw bad;
            throw BadInputException.<RuntimeException>sneaky(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Exception> E sneaky(Exception e) throws E {
        throw (E) e;
    }

    /** The first BadInputException in a cause chain (Spark wraps executor failures), or null. */
    public static BadInputException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BadInputException) return (BadInputException) c;
            if (c.getCause() == c) break;
        }
        return null;
    }
}
