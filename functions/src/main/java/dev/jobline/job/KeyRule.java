package dev.jobline.job;

import java.time.Duration;

/**
 * A job type's concurrency keys: where a job's key comes from when its submission names none ({@code payloadField},
 * e.g. {@code siteId}: one job per site; null: only a submitted key), the scope it is held for, and how long a key
 * is held at most (a submission may ask for less than {@code maxTtl}; {@code defaultTtl} otherwise).
 */
public record KeyRule(String payloadField, KeyScope scope, Duration defaultTtl, Duration maxTtl) {

    /** Keys only when submitted, held until the job ends, for an hour by default and a day at most. */
    public static final KeyRule SUBMITTED_ONLY = new KeyRule(null, KeyScope.ACTIVE, Duration.ofHours(1), Duration.ofDays(1));

    public KeyRule {
        if (defaultTtl.isNegative() || defaultTtl.isZero() || maxTtl.compareTo(defaultTtl) < 0) {
            throw new IllegalArgumentException("a key's default TTL must be positive and at most its maximum");
        }
    }

    /** Every job of the type is keyed by this payload field, e.g. {@code fromPayload("siteId", ACTIVE)}. */
    public static KeyRule fromPayload(String field, KeyScope scope) {
        return new KeyRule(field, scope, SUBMITTED_ONLY.defaultTtl(), SUBMITTED_ONLY.maxTtl());
    }
}
