package dev.jobline.job;

import java.util.Locale;
import java.util.Optional;

/** Which queue a job waits on: high-priority jobs have their own queue and more worker concurrency. */
public enum Priority {
    HIGH, NORMAL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Priority> fromLabel(String label) {
        for (Priority priority : values()) {
            if (priority.label().equals(label)) {
                return Optional.of(priority);
            }
        }
        return Optional.empty();
    }
}
