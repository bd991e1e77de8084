package dev.jobline.job;

import java.time.Instant;
import java.util.Objects;

/**
 * The concurrency key a job holds: at most one job of a tenant holds a key at a time, for the key's scope, and no
 * longer than {@code heldUntil} (a key whose holder vanished without giving it back frees itself then).
 */
public record JobKey(String value, KeyScope scope, Instant heldUntil) {
    public static final int MAX_LENGTH = 255;

    public JobKey {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(heldUntil, "heldUntil");
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a concurrency key is 1-" + MAX_LENGTH + " characters");
        }
    }
}
