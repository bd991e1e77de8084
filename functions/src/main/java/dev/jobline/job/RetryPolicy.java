package dev.jobline.job;

import dev.jobline.queue.SqsLimits;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the delay before attempt n+1 is uniform in
 * [0, min(cap, base * 2^(n-1))]. Jitter spreads retries of jobs that failed together.
 */
public record RetryPolicy(Duration base, Duration cap) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofSeconds(2), Duration.ofMinutes(5));

    public RetryPolicy {
        if (base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("base delay must be positive");
        }
        if (cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("cap must be at least the base delay");
        }
        if (cap.compareTo(SqsLimits.MAX_VISIBILITY) > 0) {
            cap = SqsLimits.MAX_VISIBILITY;
        }
    }

    /** The largest delay after the given failed attempt (1-based), before jitter. */
    public Duration ceilingAfter(int failedAttempt) {
        int doublings = Math.max(0, Math.min(failedAttempt - 1, 40));
        long millis = base.toMillis();
        long ceiling = doublings >= 62 || millis > (cap.toMillis() >> doublings) ? cap.toMillis() : millis << doublings;
        return Duration.ofMillis(Math.min(ceiling, cap.toMillis()));
    }

    /** A delay drawn with full jitter, in whole seconds as SQS takes it. */
    public Duration delayAfter(int failedAttempt, RandomGenerator random) {
        long ceilingSeconds = Math.max(1, ceilingAfter(failedAttempt).toSeconds());
        return Duration.ofSeconds(random.nextLong(ceilingSeconds + 1));
    }
}
