package dev.jobline.lambda;

import java.time.Duration;

/** The time an invocation has left (Lambda's remaining time), read fresh on each call. */
@FunctionalInterface
public interface Deadline {
    Duration remaining();

    static Deadline none() {
        return () -> Duration.ofDays(1);
    }
}
