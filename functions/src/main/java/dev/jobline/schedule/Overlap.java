package dev.jobline.schedule;

import java.util.Locale;
import java.util.Optional;

/**
 * What a fire does while the schedule's previous job has not ended. Built on concurrency keys: the schedule's jobs carry
 * the key {@code schedule:<name>}, and a fire whose key is held is skipped (recorded on the schedule).
 */
public enum Overlap {
    /** Key held while QUEUED or RUNNING: a fire while the previous job waits or runs is skipped. */
    SKIP,
    /** Key held while QUEUED: a fire while the previous job runs is queued; one while another fire still waits is skipped. */
    ENQUEUE,
    /** No schedule key: every fire makes a job (the template's own concurrency key, if any, still applies). */
    ALLOW;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Overlap> fromLabel(String label) {
        for (Overlap overlap : values()) {
            if (overlap.label().equals(label)) {
                return Optional.of(overlap);
            }
        }
        return Optional.empty();
    }
}
