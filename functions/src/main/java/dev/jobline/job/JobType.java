package dev.jobline.job;

import java.time.Duration;
import java.util.Objects;

/**
 * A registered kind of job: its handler and the limits every job of the kind runs under.
 *
 * @param purpose                 what it is for, for people (GET /job-types)
 * @param maxConcurrent           the most of its jobs that run at once, every tenant together; 0: no limit
 * @param maxConcurrentPerTenant  the most of one tenant's jobs of the type that run at once; 0: no limit of its own
 * @param keys                    its concurrency keys: where they come from, their scope, how long they are held
 */
public record JobType(String name, JobHandler handler, int maxAttempts, Duration timeout, RetryPolicy retryPolicy,
                      String purpose, int maxConcurrent, int maxConcurrentPerTenant, KeyRule keys) {

    public static final int MAX_ATTEMPTS_LIMIT = 20;

    public JobType {
        Objects.requireNonNull(handler, "handler");
        if (name == null || !name.matches("[a-z][a-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("a type name is 1-64 lower-case letters, digits, '.', '_' or '-': " + name);
        }
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
            throw new IllegalArgumentException("maxAttempts must be 1.." + MAX_ATTEMPTS_LIMIT + ": " + maxAttempts);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        purpose = purpose == null ? "" : purpose;
        if (maxConcurrent < 0 || maxConcurrentPerTenant < 0) {
            throw new IllegalArgumentException("a concurrency limit is 0 (none) or more");
        }
        keys = keys == null ? KeyRule.SUBMITTED_ONLY : keys;
    }

    public static JobType of(String name, JobHandler handler) {
        return new JobType(name, handler, 3, Duration.ofSeconds(30), RetryPolicy.DEFAULT, "", 0, 0, KeyRule.SUBMITTED_ONLY);
    }

    public JobType withMaxAttempts(int attempts) {
        return new JobType(name, handler, attempts, timeout, retryPolicy, purpose, maxConcurrent, maxConcurrentPerTenant, keys);
    }

    public JobType withTimeout(Duration limit) {
        return new JobType(name, handler, maxAttempts, limit, retryPolicy, purpose, maxConcurrent, maxConcurrentPerTenant, keys);
    }

    public JobType withRetryPolicy(RetryPolicy policy) {
        return new JobType(name, handler, maxAttempts, timeout, policy, purpose, maxConcurrent, maxConcurrentPerTenant, keys);
    }

    public JobType withPurpose(String text) {
        return new JobType(name, handler, maxAttempts, timeout, retryPolicy, text, maxConcurrent, maxConcurrentPerTenant, keys);
    }

    /** At most {@code total} of its jobs run at once (0: no limit), at most {@code perTenant} of one tenant's. */
    public JobType withMaxConcurrent(int total, int perTenant) {
        return new JobType(name, handler, maxAttempts, timeout, retryPolicy, purpose, total, perTenant, keys);
    }

    public JobType withKeys(KeyRule rule) {
        return new JobType(name, handler, maxAttempts, timeout, retryPolicy, purpose, maxConcurrent, maxConcurrentPerTenant, rule);
    }
}
