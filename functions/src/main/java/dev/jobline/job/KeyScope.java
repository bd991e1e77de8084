package dev.jobline.job;

import java.util.Locale;
import java.util.Optional;

/**
 * How long a job holds its concurrency key, and so what a second submission with the same key meets.
 * {@code queued}: while it waits to run (at most one waiting job per key; one may run meanwhile).
 * {@code active}: until it ends (at most one waiting or running job per key); {@code untilFinished} means the same.
 */
public enum KeyScope {
    QUEUED, ACTIVE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The scope a label names, in any case; {@code untilFinished} is {@code active}. */
    public static Optional<KeyScope> fromLabel(String label) {
        return switch (label.toLowerCase(Locale.ROOT)) {
            case "queued" -> Optional.of(QUEUED);
            case "active", "untilfinished" -> Optional.of(ACTIVE);
            default -> Optional.empty();
        };
    }

    /** Does a job that was in {@code status} still hold a key of this scope? Both hold it from submission, WAITING too. */
    public boolean heldIn(JobStatus status) {
        return this == QUEUED ? status == JobStatus.QUEUED || status == JobStatus.WAITING : status.isInFlight();
    }
}
