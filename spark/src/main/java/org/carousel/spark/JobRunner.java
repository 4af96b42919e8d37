package org.carousel.spark;

import org.carousel.BadInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Callable;

/**
 * Runs a job body and turns its outcome into an exit status: 0 success, 2 bad input or
 * configuration (one line on stderr naming the file or key), 1 any other failure.
 */
public final class JobRunner {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private JobRunner() {}

    public static int run(String job, Callable<?> body) {
        try {
            body.call();
            return OK;
        } catch (JobUsage.Requested help) {
            System.out.print(help.text());
            return OK;
        } catch (Throwable t) {
            BadInputException bad = BadInputException.find(t);
            if (bad != null) {
                System.err.println("carousel " + job + ": error: " + bad.getMessage());
                return BAD_INPUT;
            }
            log.error("{} failed", job, t);
            String msg = t.getMessage() == null ? t.getClass().getName() : t.getMessage().split("\n")[0];
            System.err.println("carousel " + job + ": failed: " + msg);
            return FAILED;
        }
    }
}
